import type { StudioSettings } from '../config/studioSettings';
import type { Evaluator } from '../evaluate/types';
import type { FaceIdentity } from '../evaluate/faceIdentity';
import type { VisionSource } from '../evaluate/localAndVision';
import type { VisionEvaluator } from '../evaluate/visionEvaluator';
import { resolveEvaluator } from '../evaluate/createEvaluator';
import { LOCAL_MODEL } from '../generate/localGenerator';
import { resolveProvider } from '../generate/providerConfig';
import type { Generator } from '../generate/types';
import type { Concurrency } from '../execute/types';
import type { Logger } from '../logger';
import { MODEL_PRICES, type ModelPrice } from '../plan/cost';
import { categoryTargets, type CategoryTargets } from '../actors/targets';
import type { ObjectStore } from '../storage/types';

/** Keys and endpoints that are not settings: SecretStorage in the editor, the environment in the CLI. */
export interface Credentials {
  replicateToken?: string;
  openaiKey?: string;
  aws?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Another server speaking Replicate's API (a proxy, or a local one in tests). */
  replicateBaseUrl?: string;
}

/** What a run would use, as both front ends report it (`execute --dry-run --json`, the editor's dry run). */
export interface RunSetup {
  generator: { provider: 'local' | 'replicate'; model: string; aspectRatio: string };
  concurrency: Concurrency;
  evaluator: { provider: 'local' | 'openai'; visionModel: string | null; faceIdentity: boolean };
  objectStore: { kind: 'none' } | { kind: 's3'; bucket: string; region: string; endpoint: string | null; keyPrefix: string };
  targets: CategoryTargets & { total: number };
}

export interface StudioServices {
  readonly settings: StudioSettings;
  readonly logger?: Logger;
  /** Model prices for cost estimates (per image, by model id). */
  readonly prices: Readonly<Record<string, ModelPrice>>;
  readonly targets: CategoryTargets;
  /** Replicate when a token is set (or the settings ask for it), else the offline local generator. */
  generator(): Promise<Generator>;
  /** The object store the settings name; undefined for none. */
  objectStore(): Promise<ObjectStore | undefined>;
  /** The evaluator the settings ask for; `faces` shares one face engine across calls; `vision`: answers from a batch instead of the model. */
  evaluator(faces?: () => Promise<FaceIdentity>, vision?: VisionSource): Promise<Evaluator>;
  /** The vision model's evaluator alone (request building, the SDK client), for the settings' model or `model`; needs the OpenAI key. */
  visionEvaluator(model?: string): Promise<VisionEvaluator>;
  /** What a run would use now, without building anything. */
  setup(): RunSetup;
}

/**
 * The one place services are built from settings and credentials, for the editor and the CLI
 * alike. Each is built on first use (the SDKs and sharp load only then) and kept.
 */
export function createServices(settings: StudioSettings, credentials: Credentials, logger?: Logger): StudioServices {
  let generator: Promise<Generator> | undefined;
  let store: Promise<ObjectStore | undefined> | undefined;
  return {
    settings,
    logger,
    prices: MODEL_PRICES,
    targets: categoryTargets(settings.target),
    generator() {
      generator ??= import('../generate/providerConfig').then(({ createGenerator }) =>
        createGenerator({ ...settings.generator, replicateToken: credentials.replicateToken, replicateBaseUrl: credentials.replicateBaseUrl }),
      );
      return generator;
    },
    objectStore() {
      store ??= import('../storage/createStore').then(({ createObjectStore }) => {
        const created = createObjectStore(settings.s3, credentials.aws);
        return created.kind === 'none' ? undefined : created;
      });
      return store;
    },
    async evaluator(faces, vision) {
      const { createEvaluator } = await import('../evaluate/createEvaluator');
      return createEvaluator(settings.evaluation, { openaiKey: credentials.openaiKey, openaiBaseUrl: settings.openaiBaseUrl || undefined, faces, vision });
    },
    async visionEvaluator(model) {
      const { createVisionEvaluator } = await import('../evaluate/createEvaluator');
      return createVisionEvaluator(
        { visionModel: model ?? settings.evaluation.visionModel },
        { openaiKey: credentials.openaiKey, openaiBaseUrl: settings.openaiBaseUrl || undefined },
      );
    },
    setup() {
      const provider = resolveProvider({ provider: settings.generator.provider, replicateToken: credentials.replicateToken });
      const evaluator = resolveEvaluator(settings.evaluation, credentials.openaiKey);
      const { s3 } = settings;
      return {
        generator: { provider, model: provider === 'local' ? LOCAL_MODEL : settings.generator.model, aspectRatio: settings.generator.aspectRatio },
        concurrency: settings.execution.concurrency,
        evaluator: {
          provider: evaluator,
          visionModel: evaluator === 'openai' ? settings.evaluation.visionModel : null,
          faceIdentity: settings.evaluation.faceIdentity,
        },
        objectStore: s3.bucket
          ? { kind: 's3', bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint || null, keyPrefix: s3.keyPrefix }
          : { kind: 'none' },
        targets: { ...categoryTargets(settings.target), total: settings.target.total },
      };
    },
  };
}
