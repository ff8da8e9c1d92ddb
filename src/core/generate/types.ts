import { StudioError } from '../errors';
import type { TrainingCategory } from '../manifest/categories';
import type { FailureReason } from '../manifest/failureReasons';

export { FAILURE_REASONS } from '../manifest/failureReasons';
export type { FailureReason } from '../manifest/failureReasons';

export class GenerationError extends StudioError {
  constructor(
    message: string,
    readonly reason: FailureReason,
    readonly options: { retryable?: boolean; status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, reason === 'invalid_input' ? 'input' : 'external');
    this.name = 'GenerationError';
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
}

export interface GenerationRequest {
  actorId: string;
  /** Absolute path of the actor's base image (the identity). */
  baseImagePath: string;
  promptId: string;
  /** The final prompt text, descriptor filled in. */
  prompt: string;
  category: TrainingCategory;
  seed?: number;
  /**
   * The image number reserved for the output, when the caller knows it (the executor does). The
   * offline generator varies its framing by it; image models ignore it.
   */
  number?: number;
  signal?: AbortSignal;
  /** Short human-readable status ("queued", "processing", "downloading", "retrying in 4 s"). */
  onProgress?: (message: string) => void;
  /**
   * Called once the model is done with this request and only the output's download is left, so
   * a caller limiting model requests in flight can start the next one.
   */
  onModelDone?: () => void;
  /**
   * Called when the service pushed back on creating the request (429, 5xx) and it will be
   * retried, with the pause the service asked for, so a caller can slow down (`auto` concurrency).
   */
  onThrottled?: (retryAfterMs: number | undefined) => void;
}

export interface GenerationResult {
  bytes: Buffer;
  /** File extension of `bytes`, without the dot. */
  extension: 'jpg' | 'png';
  /** The model that made the image, e.g. `black-forest-labs/flux-kontext-pro` or `local/augment`. */
  model: string;
  /** Parameters as sent to the model (never the image data itself). */
  parameters: Record<string, unknown>;
  seed?: number;
  durationMs: number;
  /** Provider-side id, e.g. the Replicate prediction id. */
  predictionId?: string;
  /** Where the provider served the output, when it did. */
  outputUrl?: string;
}

export interface Generator {
  readonly provider: 'local' | 'replicate';
  readonly model: string;
  generate(request: GenerationRequest): Promise<GenerationResult>;
  /**
   * The model parameters a request is sent with (no prompt, no image): what a failed attempt
   * records, so failures can be analysed by parameter. Optional: without it, only the seed.
   */
  requestParameters?(request: Pick<GenerationRequest, 'seed'>): Record<string, unknown>;
  /** Gets what every generation from this base image needs ready ahead (e.g. its encoding); optional. */
  prepare?(baseImagePath: string): Promise<void>;
}

/**
 * The parameters a failed attempt was made with, for the log: a result that arrived (its save
 * failed) says what was sent; else what the generator sends; else the seed alone.
 */
export function attemptParameters(generator: Generator, seed: number | undefined, result?: GenerationResult): Record<string, unknown> | undefined {
  return result?.parameters ?? generator.requestParameters?.({ seed }) ?? (seed !== undefined ? { seed } : undefined);
}
