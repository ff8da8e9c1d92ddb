import { availableParallelism } from 'node:os';
import type { FaceIdentity } from './faceIdentity';
import { LocalChecksEvaluator } from './localChecks';
import type { VisionSource } from './localAndVision';
import type { EvaluationSettings, Evaluator } from './types';
import type { VisionEvaluator } from './visionEvaluator';

export interface EvaluatorServices {
  /** From SecretStorage (editor) or OPENAI_API_KEY (CLI); never from settings or files. */
  openaiKey?: string;
  /** Another server speaking OpenAI's API (a proxy, or a local one in tests). */
  openaiBaseUrl?: string;
  /** The face identity engine to share across evaluations (loaded on first use). */
  faces?: () => Promise<FaceIdentity>;
  /** Vision answers from elsewhere (a finished batch) instead of requests to the model. */
  vision?: VisionSource;
}

/** `auto` means the vision model too when an OpenAI key is set, else the local checks only. */
export function resolveEvaluator(settings: Pick<EvaluationSettings, 'provider'>, openaiKey: string | undefined): 'local' | 'openai' {
  return settings.provider === 'auto' ? (openaiKey ? 'openai' : 'local') : settings.provider;
}

/** Builds the evaluator the settings ask for; the openai SDK loads only when a vision request is made. */
export async function createEvaluator(settings: EvaluationSettings, services: EvaluatorServices): Promise<Evaluator> {
  const local = new LocalChecksEvaluator({ thresholds: settings.thresholds, faces: settings.faceIdentity ? services.faces : undefined });
  if (resolveEvaluator(settings, services.openaiKey) === 'local') {
    return local;
  }
  const [vision, { LocalAndVisionEvaluator }] = await Promise.all([services.vision ?? createVisionEvaluator(settings, services), import('./localAndVision')]);
  return new LocalAndVisionEvaluator(local, vision);
}

/** The vision model's evaluator with the settings' model and the caller's key. */
export async function createVisionEvaluator(settings: Pick<EvaluationSettings, 'visionModel'>, services: EvaluatorServices): Promise<VisionEvaluator> {
  if (!services.openaiKey) {
    throw new Error('no OpenAI API key: run "Actor Studio: Set API Key" (or set OPENAI_API_KEY for the CLI), or use the local evaluator');
  }
  const { VisionEvaluator } = await import('./visionEvaluator');
  return new VisionEvaluator({ apiKey: services.openaiKey, model: settings.visionModel, baseURL: services.openaiBaseUrl });
}

/** Face workers: two where there are two cores (inference is single-threaded per worker). */
export function defaultFaceWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * One face identity engine, created on first use and shared (its models take a second or two to
 * load). `worker: true` runs inference in dist/faceWorker.js, off the caller's thread.
 */
export function sharedFaceIdentity(options: { worker?: boolean | string } = {}): { get: () => Promise<FaceIdentity>; close: () => Promise<void> } {
  let engine: Promise<FaceIdentity> | undefined;
  return {
    get: () => {
      engine ??= import('./faceIdentity').then(({ createFaceIdentity }) =>
        createFaceIdentity({ worker: options.worker, workers: options.worker ? defaultFaceWorkers() : 1 }),
      );
      engine.catch(() => {
        engine = undefined;
      });
      return engine;
    },
    close: async () => {
      const current = engine;
      engine = undefined;
      await (await current?.catch(() => undefined))?.close();
    },
  };
}
