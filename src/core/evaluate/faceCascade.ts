import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../image/sharp';
import { markLoaded } from '../lazyModules';

/**
 * The face pipeline that runs in one thread (the extension host's worker, or in-thread for the CLI
 * and tests): face-api's SSD MobileNet v1 detector, 68-point landmarks and recognition net on tfjs
 * with the wasm backend, and the cascade of fallbacks chosen by measurement on the face corpus
 * (bench/faceCorpusBench.ts; table in the README).
 */

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the pipeline found in one image. */
export interface FaceAnalysis {
  /** 128 numbers (face-api recognition net), or null when no face was found. */
  descriptor: Float32Array | null;
  /** Detector confidence of the face (0-1), null without a face. */
  score: number | null;
  /** The face box in the image's pixels, null without a face. */
  box: FaceBox | null;
  /** The image's size (after EXIF orientation). */
  imageWidth: number;
  imageHeight: number;
  /** Face box height / image height (0-1), null without a face. */
  faceHeightRatio: number | null;
  /** Face box height in the image's pixels, null without a face. */
  facePixels: number | null;
  /**
   * Estimated yaw in degrees from the 68 landmarks: 0 looking at the camera, positive when the nose
   * is right of the face's centre in the image (mirroring flips the sign); about ±90 in profile.
   */
  yaw: number | null;
  /** In-plane rotation in degrees (the line through the eyes against the horizontal). */
  roll: number | null;
  /** Which stage found the face: `ssd`, or a fallback of the cascade (`ssd-tiles`, `ssd-smoothed`, `+upright` when described again turned upright). */
  detector: string | null;
}

/**
 * `ssd`: SSD MobileNet v1 on the image scaled to 1024 px (the original pipeline).
 * `cascade`: `ssd`, and only when it finds nothing, SSD again on overlapping tiles (small faces,
 * faces cut by the frame), then on the image smoothed (stylized looks); a face tilted more than 10° is
 * described again from the image turned upright.
 * `tiny`: face-api's TinyFaceDetector (608 px input) instead of SSD (measured, not recommended).
 */
export type FacePipeline = 'ssd' | 'cascade' | 'tiny';

/** Images are scaled down to this longest side before detection (the detector works at 512). */
const MAX_SIDE = 1024;
/** Minimum confidence of the cascade's fallback passes (tiles, turned image). */
const FALLBACK_MIN_CONFIDENCE = 0.7;

export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

// In-thread engine: face-api + tfjs wasm, loaded once.

type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');

let engine: Promise<FaceApi> | undefined;

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/**
 * Where the model weights and the .wasm files are read from. A bundle may copy them next to itself
 * (`<bundle dir>/face/model` with the ssd_mobilenetv1, tiny_face_detector, face_landmark_68 and
 * face_recognition files, `<bundle dir>/face/wasm` with the tfjs-backend-wasm*.wasm files); otherwise
 * they come from the npm packages in node_modules. ACTOR_STUDIO_FACE_MODEL_DIR / ACTOR_STUDIO_FACE_WASM_DIR override both.
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

/** Loads face-api, tfjs and the wasm backend, and the models, once per thread. */
export function loadFaceEngine(options: { tiny?: boolean } = {}): Promise<FaceApi> {
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
  return engine.then(async (faceapi) => {
    if (options.tiny && !faceapi.nets.tinyFaceDetector.isLoaded) await faceapi.nets.tinyFaceDetector.loadFromDisk(faceAssetDirs().modelDir);
    return faceapi;
  });
}

interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  /** The file's own size after EXIF orientation (data may be scaled down from it). */
  originalWidth: number;
  originalHeight: number;
}

/**
 * Decodes with sharp to raw 8-bit RGB (greys expanded, alpha dropped, EXIF orientation applied),
 * turned by `rotate` degrees, or smoothed with a Gaussian of `smooth` pixels (at the working size)
 * and contrast-stretched.
 */
async function decodeRgb(file: string, { rotate = 0, smooth = 0 }: { rotate?: number; smooth?: number } = {}): Promise<DecodedImage> {
  const sharp = await loadSharp();
  const meta = await sharp(file).metadata();
  const turned = (meta.orientation ?? 1) >= 5;
  const originalWidth = (turned ? meta.height : meta.width) ?? 0;
  const originalHeight = (turned ? meta.width : meta.height) ?? 0;
  let pipeline = sharp(file).rotate().resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true });
  if (rotate) pipeline = sharp(await pipeline.removeAlpha().png({ compressionLevel: 0 }).toBuffer()).rotate(rotate, { background: { r: 128, g: 128, b: 128 } });
  if (smooth)
    pipeline = sharp(await pipeline.removeAlpha().png({ compressionLevel: 0 }).toBuffer())
      .blur(smooth)
      .normalise();
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const image = { width: info.width, height: info.height, originalWidth, originalHeight };
  if (info.channels === 3) return { data, ...image };
  // Defensive: expand any other channel count to RGB.
  const pixels = info.width * info.height;
  const rgb = Buffer.alloc(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * info.channels + Math.min(c, info.channels - 1)];
  }
  return { data: rgb, ...image };
}

interface Point {
  x: number;
  y: number;
}

/**
 * Yaw and roll in degrees from the 68 landmarks (iBUG order: jaw 0-16, nose tip 30, eyes 36-47).
 * Yaw treats the head as a cylinder: the nose tip's offset from the jaw's midpoint, over half the
 * jaw's width, is the sine of the yaw.
 */
export function poseFromLandmarks(points: Point[]): { yaw: number; roll: number } {
  const mean = (from: number, to: number) => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += points[i].x;
      y += points[i].y;
    }
    return { x: x / (to - from + 1), y: y / (to - from + 1) };
  };
  const leftEye = mean(36, 41);
  const rightEye = mean(42, 47);
  const roll = (Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x) * 180) / Math.PI;
  // Measure along the eye line, so a tilted head does not read as turned.
  const ux = Math.cos((roll * Math.PI) / 180);
  const uy = Math.sin((roll * Math.PI) / 180);
  const along = (p: Point) => p.x * ux + p.y * uy;
  const jawLeft = along(points[0]);
  const jawRight = along(points[16]);
  const nose = along(points[30]);
  const half = (jawRight - jawLeft) / 2;
  const ratio = half > 0 ? (nose - (jawLeft + half)) / half : 0;
  const yaw = (Math.asin(Math.max(-1, Math.min(1, ratio))) * 180) / Math.PI;
  return { yaw: Math.round(yaw * 10) / 10, roll: Math.round(roll * 10) / 10 };
}

type Detected = {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  landmarks: { positions: Point[] };
  descriptor: Float32Array;
};

async function detectBest(
  faceapi: FaceApi,
  image: DecodedImage,
  options: unknown,
  region?: { left: number; top: number; width: number; height: number; scale: number },
): Promise<Detected | undefined> {
  const tf = faceapi.tf as unknown as {
    tensor3d(data: Uint8Array, shape: [number, number, number], dtype: string): { dispose(): void };
    tidy<T>(fn: () => T): T;
    image: { resizeBilinear(t: unknown, size: [number, number]): unknown };
  };
  let tensor = tf.tensor3d(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length), [image.height, image.width, 3], 'int32');
  try {
    if (region) {
      const whole = tensor as unknown as { slice(begin: number[], size: number[]): unknown };
      const cropped = tf.tidy(() => {
        const part = whole.slice([region.top, region.left, 0], [region.height, region.width, 3]);
        const resized = tf.image.resizeBilinear(part, [Math.round(region.height * region.scale), Math.round(region.width * region.scale)]) as {
          toInt(): unknown;
        };
        return resized.toInt();
      }) as { dispose(): void };
      tensor.dispose();
      tensor = cropped;
    }
    const result = (await faceapi
      .detectSingleFace(tensor as never, options as never)
      .withFaceLandmarks()
      .withFaceDescriptor()) as unknown as Detected | undefined;
    return result;
  } finally {
    tensor.dispose();
  }
}

/**
 * Overlapping square tiles of about 5/8 of the image's long side (at most its short side), so SSD
 * (which scales its input to 512 px) sees faces about 1.6x larger: 3 tiles for 16:9, 4 for 1:1.
 * None for images under 768 px, which SSD already sees at two thirds of their size or more.
 */
function tiles(width: number, height: number): { left: number; top: number; width: number; height: number; scale: number }[] {
  if (Math.max(width, height) < 768) return [];
  const size = Math.min(width, height, Math.round(Math.max(width, height) * 0.625));
  const positions = (extent: number) => {
    if (extent <= size) return [0];
    const count = Math.ceil((extent - size) / (size * 0.75)) + 1;
    return Array.from({ length: count }, (_, i) => Math.round((i * (extent - size)) / (count - 1)));
  };
  const result = [];
  for (const top of positions(height)) for (const left of positions(width)) result.push({ left, top, width: size, height: size, scale: 1 });
  return result;
}

function noFace(image: DecodedImage): FaceAnalysis {
  return {
    descriptor: null,
    score: null,
    box: null,
    imageWidth: image.originalWidth,
    imageHeight: image.originalHeight,
    faceHeightRatio: null,
    facePixels: null,
    yaw: null,
    roll: null,
    detector: null,
  };
}

function analysisOf(found: Detected, image: DecodedImage, detector: string, map: (box: FaceBox) => FaceBox, extraRoll = 0): FaceAnalysis {
  const toOriginal = image.originalWidth / image.width;
  const mapped = map(found.detection.box);
  const box = { x: mapped.x * toOriginal, y: mapped.y * toOriginal, width: mapped.width * toOriginal, height: mapped.height * toOriginal };
  const pose = poseFromLandmarks(found.landmarks.positions);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    descriptor: Float32Array.from(found.descriptor),
    score: Math.round(found.detection.score * 1000) / 1000,
    box: { x: round(box.x), y: round(box.y), width: round(box.width), height: round(box.height) },
    imageWidth: image.originalWidth,
    imageHeight: image.originalHeight,
    faceHeightRatio: Math.round((box.height / image.originalHeight) * 1000) / 1000,
    facePixels: Math.round(box.height),
    yaw: pose.yaw,
    roll: round(pose.roll + extraRoll),
    detector,
  };
}

/**
 * A face found tilted by more than this (degrees) is described again from the image turned upright:
 * face-api's recognition net does not straighten faces, and a 30° tilt alone moved a descriptor by
 * up to 0.72 (0.28-0.36 at 15°).
 */
const DEROTATE_ABOVE_DEGREES = 10;

/** Analyzes one image in this thread with the chosen pipeline. */
export async function analyzeInThread(file: string, minConfidence = 0.5, pipeline: FacePipeline = 'cascade'): Promise<FaceAnalysis> {
  const [faceapi, image] = await Promise.all([loadFaceEngine({ tiny: pipeline === 'tiny' }), decodeRgb(file)]);
  const identity = (box: FaceBox) => box;
  if (pipeline === 'tiny') {
    const found = await detectBest(faceapi, image, new faceapi.TinyFaceDetectorOptions({ inputSize: 608, scoreThreshold: Math.min(minConfidence, 0.4) }));
    return found ? analysisOf(found, image, 'tiny', identity) : noFace(image);
  }
  let analysis: FaceAnalysis | undefined;
  const first = await detectBest(faceapi, image, new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 10 }));
  if (first) analysis = analysisOf(first, image, 'ssd', identity);
  else if (pipeline === 'ssd') return noFace(image);
  else {
    // Only for images where the first pass found nothing: SSD on overlapping tiles, each seen at
    // twice the scale of the whole image, at a confidence that kept every false detection of the corpus out.
    const fallback = new faceapi.SsdMobilenetv1Options({ minConfidence: FALLBACK_MIN_CONFIDENCE, maxResults: 10 });
    let best: { found: Detected; region: ReturnType<typeof tiles>[number] } | undefined;
    for (const region of tiles(image.width, image.height)) {
      const found = await detectBest(faceapi, image, fallback, region);
      if (found && (!best || found.detection.score > best.found.detection.score)) best = { found, region };
    }
    if (!best) return (await smoothedPass(faceapi, file, minConfidence)) ?? noFace(image);
    const { region } = best;
    analysis = analysisOf(best.found, image, 'ssd-tiles', (box) => ({
      x: region.left + box.x / region.scale,
      y: region.top + box.y / region.scale,
      width: box.width / region.scale,
      height: box.height / region.scale,
    }));
  }
  if (pipeline === 'cascade' && analysis.roll !== null && Math.abs(analysis.roll) > DEROTATE_ABOVE_DEGREES && analysis.box) {
    // Describe the face again from the image turned upright (sharp turns clockwise for positive angles).
    const upright = await decodeRgb(file, { rotate: -analysis.roll });
    const again = await detectBest(
      faceapi,
      upright,
      new faceapi.SsdMobilenetv1Options({ minConfidence: Math.min(minConfidence, FALLBACK_MIN_CONFIDENCE), maxResults: 10 }),
    );
    if (again) {
      const pose = poseFromLandmarks(again.landmarks.positions);
      analysis = { ...analysis, descriptor: Float32Array.from(again.descriptor), yaw: pose.yaw, detector: `${analysis.detector}+upright` };
    }
  }
  return analysis;
}

/**
 * Gaussian smoothing (sigma in pixels of the 1024 px working image) for the cascade's last pass:
 * halftone dots, engraved lines, ink and posterised edges hide faces from SSD, and a blur gives
 * them back their shading. Measured on the corpus's stylized variants (README, face table).
 */
const SMOOTHING_SIGMAS = [2.5, 4];

/**
 * The last pass, only for images where nothing was found: SSD on the image smoothed and
 * contrast-stretched, at each sigma in turn. The descriptor comes from the smoothed image.
 */
async function smoothedPass(faceapi: FaceApi, file: string, minConfidence: number): Promise<FaceAnalysis | undefined> {
  for (const sigma of SMOOTHING_SIGMAS) {
    const smoothed = await decodeRgb(file, { smooth: sigma });
    const found = await detectBest(faceapi, smoothed, new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 10 }));
    if (found) return analysisOf(found, smoothed, 'ssd-smoothed', (box) => box);
  }
  return undefined;
}
