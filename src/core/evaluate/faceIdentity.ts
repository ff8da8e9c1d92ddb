import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../image/sharp';
import { markLoaded } from '../lazyModules';

/**
 * Face identity for the local evaluator: a 128-number face descriptor per image, from the models
 * shipped inside the npm package @vladmandic/face-api (SSD MobileNet v1 detector, 68-point
 * landmarks, recognition net) on tfjs with the wasm backend. Nothing is downloaded: the weights
 * are read from node_modules/@vladmandic/face-api/model and the .wasm files from
 * node_modules/@tensorflow/tfjs-backend-wasm/dist.
 *
 * face-api and tfjs load lazily (dynamic import) and once per thread. Inference takes about a
 * third of a second an image, so the extension host should use `createFaceIdentity({ worker: true })`,
 * which runs the same code in a worker_thread (faceWorker.ts) and keeps the host responsive.
 */

export interface FaceIdentity {
  /** The face descriptor of the most confident face in the image, or null when there is no face. */
  describe(file: string): Promise<Float32Array | null>;
  /** Euclidean distance of two descriptors (same person: customarily under 0.6). */
  distance(a: Float32Array, b: Float32Array): number;
  /**
   * Distance of each image's face to the base image's face. The base descriptor is cached (by path,
   * size and modification time), so calling again for the same base image does not describe it again.
   * When the base image has no face, every distance is null and noFace tells only about each image.
   */
  identityDistances(baseImage: string, images: string[]): Promise<IdentityDistance[]>;
  /** Images described at once (the number of workers; 1 in-thread). */
  readonly parallelism: number;
  /** Frees the workers (when there are some); in-thread models stay loaded for the next user. */
  close(): Promise<void>;
}

export interface IdentityDistance {
  /** The image's file name (basename). */
  filename: string;
  /** Euclidean distance to the base image's face; null when either image has no face. */
  distance: number | null;
  /** True when no face was found in this image. */
  noFace: boolean;
}

export interface FaceIdentityOptions {
  /**
   * Run inference in a worker_thread. `true` uses faceWorker.js next to this module (bundles must
   * emit it as its own entry, e.g. dist/faceWorker.js); a string is the worker script's path.
   */
  worker?: boolean | string;
  /**
   * Worker threads to spread images over (default 1). tfjs's wasm backend runs single-threaded
   * in Node, so on a machine with spare cores two workers nearly halve the time of a set.
   */
  workers?: number;
  /** Minimum detector confidence (default 0.5). */
  minConfidence?: number;
}

/** Images are scaled down to this longest side before detection (the detector works at 512). */
const MAX_SIDE = 1024;

export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

// ---------------------------------------------------------------------------------------------
// In-thread engine: face-api + tfjs wasm, loaded once.

type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');

let engine: Promise<FaceApi> | undefined;

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/**
 * Where the model weights and the .wasm files are read from. A bundle may copy them next to itself
 * (`<bundle dir>/face/model` with the six ssd_mobilenetv1, face_landmark_68 and face_recognition
 * files, `<bundle dir>/face/wasm` with the tfjs-backend-wasm*.wasm files); otherwise they come from
 * the npm packages in node_modules. ACTOR_STUDIO_FACE_MODEL_DIR / ACTOR_STUDIO_FACE_WASM_DIR override both.
 */
export function faceAssetDirs(): { modelDir: string; wasmDir: string } {
  const local = (sub: string) => {
    const dir = path.join(__dirname, 'face', sub);
    return existsSync(dir) ? dir : undefined;
  };
  return {
    modelDir: process.env.ACTOR_STUDIO_FACE_MODEL_DIR || local('model') || path.join(packageDir('@vladmandic/face-api'), 'model'),
    wasmDir: process.env.ACTOR_STUDIO_FACE_WASM_DIR || local('wasm') || path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'),
  };
}

/** Loads face-api, tfjs and the wasm backend, and the three models, once per thread. */
export function loadFaceEngine(): Promise<FaceApi> {
  engine ??= (async () => {
    const { modelDir, wasmDir } = faceAssetDirs();
    const faceapi = (await import('@vladmandic/face-api/dist/face-api.node-wasm.js')) as FaceApi;
    const tf = faceapi.tf as unknown as {
      setWasmPaths(prefix: string): void;
      setBackend(name: string): Promise<boolean>;
      ready(): Promise<void>;
      getBackend(): string;
      env(): { set(flag: string, value: unknown): void };
    };
    // The .wasm files ship inside the npm package; never fetched from a CDN.
    tf.setWasmPaths(wasmDir + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
    await Promise.all([
      faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir),
      faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir),
      faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir),
    ]);
    markLoaded('face-api');
    return faceapi;
  })();
  engine.catch(() => {
    engine = undefined; // a failed load may be retried
  });
  return engine;
}

/** Decodes with sharp to raw 8-bit RGB (greys expanded, alpha dropped, EXIF orientation applied). */
async function decodeRgb(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(file)
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return { data, width: info.width, height: info.height };
  // Defensive: expand any other channel count to RGB.
  const pixels = info.width * info.height;
  const rgb = Buffer.alloc(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * info.channels + Math.min(c, info.channels - 1)];
  }
  return { data: rgb, width: info.width, height: info.height };
}

/** Describes one image in this thread. */
export async function describeInThread(file: string, minConfidence = 0.5): Promise<Float32Array | null> {
  const [faceapi, image] = await Promise.all([loadFaceEngine(), decodeRgb(file)]);
  const tensor = faceapi.tf.tensor3d(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length), [image.height, image.width, 3], 'int32');
  try {
    const result = await faceapi
      .detectSingleFace(tensor as never, new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 10 }))
      .withFaceLandmarks()
      .withFaceDescriptor();
    return result ? Float32Array.from(result.descriptor) : null;
  } finally {
    tensor.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Worker client.

interface WorkerReply {
  id: number;
  descriptor?: number[] | null;
  error?: string;
}

function workerDescriber(script: string, minConfidence: number): { describe(file: string): Promise<Float32Array | null>; close(): Promise<void> } {
  // Loaded lazily so that in-thread users never touch worker_threads.
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(script, { workerData: { minConfidence } });
  worker.unref();
  const pending = new Map<number, { resolve(value: Float32Array | null): void; reject(error: Error): void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure = error;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const entry = pending.get(reply.id);
    if (!entry) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.error !== undefined) entry.reject(new Error(reply.error));
    else entry.resolve(reply.descriptor ? Float32Array.from(reply.descriptor) : null);
  });
  worker.on('error', (error) => failAll(error instanceof Error ? error : new Error(String(error))));
  worker.on('exit', (code) => failAll(new Error(`face worker exited (code ${code})`)));
  return {
    describe(file) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.ref(); // keep the process alive while work is outstanding
        worker.postMessage({ id, file: path.resolve(file) });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------

export async function createFaceIdentity(options: FaceIdentityOptions = {}): Promise<FaceIdentity> {
  const minConfidence = options.minConfidence ?? 0.5;
  let describers: { describe(file: string): Promise<Float32Array | null>; close(): Promise<void> }[];
  if (options.worker) {
    const script = typeof options.worker === 'string' ? options.worker : path.join(__dirname, 'faceWorker.js');
    describers = Array.from({ length: Math.max(1, Math.floor(options.workers ?? 1)) }, () => workerDescriber(script, minConfidence));
  } else {
    await loadFaceEngine();
    describers = [{ describe: (file) => describeInThread(file, minConfidence), close: async () => undefined }];
  }
  // Each image goes to the worker with the fewest images waiting.
  const load = describers.map(() => 0);
  const describe = async (file: string): Promise<Float32Array | null> => {
    const chosen = load.indexOf(Math.min(...load));
    load[chosen]++;
    try {
      return await describers[chosen].describe(file);
    } finally {
      load[chosen]--;
    }
  };

  const baseCache = new Map<string, { key: string; descriptor: Promise<Float32Array | null> }>();
  async function baseDescriptor(file: string): Promise<Float32Array | null> {
    const resolved = path.resolve(file);
    const stat = await fs.stat(resolved);
    const key = `${stat.size}:${stat.mtimeMs}`;
    const cached = baseCache.get(resolved);
    if (cached && cached.key === key) return cached.descriptor;
    const descriptor = describe(resolved);
    baseCache.set(resolved, { key, descriptor });
    descriptor.catch(() => baseCache.delete(resolved));
    return descriptor;
  }

  return {
    describe,
    distance: euclideanDistance,
    parallelism: describers.length,
    async identityDistances(baseImage, images) {
      const base = await baseDescriptor(baseImage);
      // As many at once as there are workers; results keep the order of `images`.
      return Promise.all(
        images.map(async (image) => {
          const descriptor = await describe(image);
          return {
            filename: path.basename(image),
            distance: base && descriptor ? euclideanDistance(base, descriptor) : null,
            noFace: descriptor === null,
          };
        }),
      );
    },
    close: async () => {
      await Promise.all(describers.map((describer) => describer.close()));
    },
  };
}
