import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { analyzeInThread, euclideanDistance, loadFaceEngine, type FaceAnalysis, type FacePipeline } from './faceCascade';

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
  /**
   * The most confident face with what a policy needs to judge whether it can be scored: detector
   * score, box and its size relative to the image, an estimated yaw and roll (from the landmarks).
   */
  analyze(file: string): Promise<FaceAnalysis>;
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

/** A face box in the image's own pixels (after EXIF orientation). */
export interface IdentityDistance {
  /** The image's file name (basename). */
  filename: string;
  /** Euclidean distance to the base image's face; null when either image has no face. */
  distance: number | null;
  /** True when no face was found in this image. */
  noFace: boolean;
  /** Detector confidence of the image's face (absent or null without a face). */
  score?: number | null;
  /** Face box height / image height (0-1). */
  faceHeightRatio?: number | null;
  /** Face box height in the image's pixels. */
  facePixels?: number | null;
  /** Estimated yaw in degrees (see FaceAnalysis.yaw). */
  yaw?: number | null;
  /** Which stage of the pipeline found the face. */
  detector?: string | null;
  /** The image's face descriptor (for distances within the set, e.g. to its centroid). */
  descriptor?: Float32Array | null;
  /** The base image's face yaw (a turn is judged against it). */
  baseYaw?: number | null;
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
  /** Minimum detector confidence of the first pass (default 0.5). */
  minConfidence?: number;
  /** Which pipeline (default `cascade`); see FacePipeline. */
  pipeline?: FacePipeline;
}
// ---------------------------------------------------------------------------------------------
// Worker client.

/** FaceAnalysis as it crosses the thread boundary (the descriptor as a plain array). */
export type FaceAnalysisMessage = Omit<FaceAnalysis, 'descriptor'> & { descriptor: number[] | null };

interface WorkerReply {
  id: number;
  analysis?: FaceAnalysisMessage;
  error?: string;
}

interface Analyzer {
  analyze(file: string): Promise<FaceAnalysis>;
  close(): Promise<void>;
}

function workerAnalyzer(script: string, minConfidence: number, pipeline: FacePipeline): Analyzer {
  // Loaded lazily so that in-thread users never touch worker_threads.
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(script, { workerData: { minConfidence, pipeline } });
  worker.unref();
  const pending = new Map<number, { resolve(value: FaceAnalysis): void; reject(error: Error): void }>();
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
    if (reply.error !== undefined || !reply.analysis) entry.reject(new Error(reply.error ?? 'face worker sent no analysis'));
    else entry.resolve({ ...reply.analysis, descriptor: reply.analysis.descriptor ? Float32Array.from(reply.analysis.descriptor) : null });
  });
  worker.on('error', (error) => failAll(error instanceof Error ? error : new Error(String(error))));
  worker.on('exit', (code) => failAll(new Error(`face worker exited (code ${code})`)));
  return {
    analyze(file) {
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
  const pipeline = options.pipeline ?? 'cascade';
  let analyzers: Analyzer[];
  if (options.worker) {
    const script = typeof options.worker === 'string' ? options.worker : path.join(__dirname, 'faceWorker.js');
    analyzers = Array.from({ length: Math.max(1, Math.floor(options.workers ?? 1)) }, () => workerAnalyzer(script, minConfidence, pipeline));
  } else {
    await loadFaceEngine({ tiny: pipeline === 'tiny' });
    analyzers = [{ analyze: (file) => analyzeInThread(file, minConfidence, pipeline), close: async () => undefined }];
  }
  // Each image goes to the worker with the fewest images waiting.
  const load = analyzers.map(() => 0);
  const analyze = async (file: string): Promise<FaceAnalysis> => {
    const chosen = load.indexOf(Math.min(...load));
    load[chosen]++;
    try {
      return await analyzers[chosen].analyze(file);
    } finally {
      load[chosen]--;
    }
  };
  const describe = async (file: string) => (await analyze(file)).descriptor;

  // The base image's analysis (descriptor and pose), kept while its size and time stay the same.
  const baseCache = new Map<string, { key: string; analysis: Promise<FaceAnalysis> }>();
  async function baseAnalysis(file: string): Promise<FaceAnalysis> {
    const resolved = path.resolve(file);
    const stat = await fs.stat(resolved);
    const key = `${stat.size}:${stat.mtimeMs}`;
    const cached = baseCache.get(resolved);
    if (cached && cached.key === key) return cached.analysis;
    const analysis = analyze(resolved);
    baseCache.set(resolved, { key, analysis });
    analysis.catch(() => baseCache.delete(resolved));
    return analysis;
  }

  return {
    describe,
    analyze,
    distance: euclideanDistance,
    parallelism: analyzers.length,
    async identityDistances(baseImage, images) {
      const baseFace = await baseAnalysis(baseImage);
      const base = baseFace.descriptor;
      // As many at once as there are workers; results keep the order of `images`.
      return Promise.all(
        images.map(async (image): Promise<IdentityDistance> => {
          const face = await analyze(image);
          return {
            filename: path.basename(image),
            distance: base && face.descriptor ? euclideanDistance(base, face.descriptor) : null,
            noFace: face.descriptor === null,
            score: face.score,
            faceHeightRatio: face.faceHeightRatio,
            facePixels: face.facePixels,
            yaw: face.yaw,
            detector: face.detector,
            descriptor: face.descriptor,
            baseYaw: baseFace.yaw,
          };
        }),
      );
    },
    close: async () => {
      await Promise.all(analyzers.map((analyzer) => analyzer.close()));
    },
  };
}
