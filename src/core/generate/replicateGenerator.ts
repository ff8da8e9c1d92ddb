import Replicate, { type Prediction } from 'replicate';
import { markLoaded } from '../lazyModules';
import type { Logger } from '../logger';
import { classifyFailure, classifyHttpFailure, describeFailure, FailurePhase, predictionFailure } from './failures';
import { redactSecrets } from '../util/redact';
import { FetchLike, singleShotFetch } from './replicateTransport';
import { abortableSleep, BackoffOptions, RetryInfo, RetryOptions, Sleep, withRetries } from '../util/retry';
import { GenerationError, GenerationRequest, GenerationResult, Generator } from './types';

// This module loads only when a Replicate generation is about to happen (see providerConfig).
markLoaded('replicate');

export interface ReplicateGeneratorOptions {
  token: string;
  /** `owner/name` (or `owner/name:version`). Default black-forest-labs/flux-kontext-pro. */
  model?: string;
  /** Default 16:9. */
  aspectRatio?: string;
  /** The base image as a data URI (the real one re-encodes it as JPEG quality 95). */
  prepareInputImage: (baseImagePath: string) => Promise<string>;
  /** The API root, default https://api.replicate.com/v1 (tests point it at a local server). */
  baseUrl?: string;
  /** One attempt (create, wait, download) must finish within this. Default 5 min. */
  timeoutMs?: number;
  /** The whole generation, retries and their waits included. Default none: bounded by maxAttempts x timeoutMs plus the waits. */
  totalTimeoutMs?: number;
  /** Attempts in all for retryable failures (429, 5xx, network). Default 4. */
  maxAttempts?: number;
  /** 429s on creating a prediction that do not use up an attempt (Replicate said when to come back, and we wait that long). Default 16. */
  maxThrottledRetries?: number;
  backoff?: BackoffOptions;
  /** A Retry-After longer than this ends the generation instead of holding a worker. Default 2 min. */
  maxRetryAfterMs?: number;
  /** Sent as `Prefer: wait=N` (1 to 60): Replicate holds the create answer until the image is done or N s pass. Default 60. */
  syncWaitSeconds?: number;
  /** Between status polls once the create answer came back unfinished. Default 1 s. */
  pollIntervalMs?: number;
  fetch?: FetchLike;
  /** Injectable for tests: waits for backoff and polling. */
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  logger?: Logger;
}

interface Attempt {
  bytes: Buffer;
  extension: 'jpg' | 'png';
  predictionId: string;
  outputUrl?: string;
}

const DEFAULT_MODEL = 'black-forest-labs/flux-kontext-pro';
const TERMINAL_STATUSES = new Set(['succeeded', 'failed', 'canceled', 'aborted']);
/** A create request gets this long beyond its Prefer: wait window before we give up on its answer. */
const CREATE_GRACE_MS = 30_000;
const CANCEL_TIMEOUT_MS = 15_000;

/**
 * Generates with a Replicate image-editing model (flux-kontext-pro by default) through the
 * `replicate` SDK: create the prediction with `Prefer: wait`, poll until it ends, download the
 * image. It uses predictions.create/get/cancel rather than run(): run() does not pass the
 * AbortSignal to the create request, treats any status but "starting" after a blocking create
 * as finished (returning no output for a slow "processing" prediction), returns null instead of
 * failing when cancelled, and hides the prediction id that cancel and the log need.
 *
 * Failures become GenerationErrors (failures.ts). Retries are ours (retry.ts): the SDK's own are
 * neutralised by singleShotFetch, so an attempt is counted once and Retry-After is honoured.
 * Only a failure before a prediction exists starts a new prediction; a status poll that fails is
 * retried as a poll, and a failed download as a download, so a paid image is not paid twice.
 */
export class ReplicateGenerator implements Generator {
  readonly provider = 'replicate' as const;
  readonly model: string;
  private readonly client: Replicate;
  private readonly rawFetch: FetchLike;
  private readonly aspectRatio: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxThrottledRetries: number;
  private readonly syncWaitSeconds: number;
  private readonly pollIntervalMs: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly service: string;
  private readonly background = new Set<Promise<void>>();
  /** Failures before any prediction existed: the only ones a new prediction may fix. */
  private readonly beforePrediction = new WeakSet<GenerationError>();

  constructor(private readonly options: ReplicateGeneratorOptions) {
    this.model = options.model ?? DEFAULT_MODEL;
    if (!/^[\w.-]+\/[\w.-]+(:[0-9a-f]+)?$/i.test(this.model)) {
      throw new RangeError(`Replicate model must look like owner/name, not "${this.model}"`);
    }
    this.aspectRatio = options.aspectRatio ?? '16:9';
    this.timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.maxThrottledRetries = options.maxThrottledRetries ?? 16;
    this.syncWaitSeconds = Math.min(60, Math.max(1, Math.round(options.syncWaitSeconds ?? 60)));
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
    this.rawFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const baseUrl = options.baseUrl ?? 'https://api.replicate.com/v1';
    this.service = `Replicate (${new URL(baseUrl).host})`;
    this.client = new Replicate({ auth: options.token, baseUrl, fetch: singleShotFetch(this.rawFetch), useFileOutput: false, userAgent: 'actor-studio' });
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const started = this.now();
    const progress = request.onProgress ?? (() => undefined);
    if (request.signal?.aborted) {
      throw cancelledError();
    }
    if (!this.options.token) {
      // The SDK would quietly fall back to REPLICATE_API_TOKEN from the environment.
      throw new GenerationError('No Replicate API token is set.', 'auth');
    }
    const inputImage = await this.prepareInputImage(request.baseImagePath);
    const input: Record<string, unknown> = { prompt: request.prompt, input_image: inputImage, ...this.requestParameters(request) };
    const secrets = [this.options.token, inputImage];
    // The overall deadline aborts the attempts as Cancel would; the catch below tells the two apart.
    const overall = linkedDeadline(request.signal, this.options.totalTimeoutMs);
    const attemptRequest = { ...request, signal: overall.signal };
    let attempts = 0;
    try {
      const done = await withRetries(
        (attempt) => {
          attempts = attempt;
          return this.attempt(input, attemptRequest, secrets, attempt);
        },
        {
          ...this.retryOptions(overall.signal, progress),
          shouldRetry: (error) => error instanceof GenerationError && error.retryable && this.beforePrediction.has(error),
          extraAttemptWhen: { matches: (error) => error instanceof GenerationError && error.reason === 'rate_limit', max: this.maxThrottledRetries },
          onRetry: (info) => {
            const status = info.error instanceof GenerationError ? (info.error.options.status ?? 0) : 0;
            if (status === 429 || status >= 500) {
              request.onThrottled?.((info.error as GenerationError).options.retryAfterMs);
            }
            progress(retryMessage(info));
          },
        },
      );
      const { input_image: _image, ...parameters } = input;
      return { ...done, model: this.model, parameters, seed: request.seed, durationMs: this.now() - started };
    } catch (error) {
      if (overall.timedOut()) {
        throw new GenerationError(
          `Replicate did not deliver the image within ${formatDuration(this.options.totalTimeoutMs!)} in all; any prediction still running was cancelled.`,
          'timeout',
        );
      }
      if (request.signal?.aborted) {
        // The attempt's own error names the cancelled prediction; an abort during a backoff wait has none.
        throw error instanceof GenerationError && error.reason === 'cancelled' ? error : cancelledError();
      }
      const failure = classifyFailure(error, { phase: 'create', secrets, service: this.service });
      throw failure.retryable && attempts >= this.maxAttempts && attempts > 1
        ? new GenerationError(`${failure.message} Gave up after ${attempts} attempts.`, failure.reason, failure.options)
        : failure;
    } finally {
      overall.dispose();
    }
  }

  requestParameters(request: Pick<GenerationRequest, 'seed'>): Record<string, unknown> {
    return {
      aspect_ratio: this.aspectRatio,
      output_format: 'jpg',
      safety_tolerance: 2,
      ...(Number.isInteger(request.seed) ? { seed: request.seed } : {}),
    };
  }

  /** Encodes the base image ahead of the first generation (the encoding is cached by the caller's prepareInputImage). */
  async prepare(baseImagePath: string): Promise<void> {
    await this.prepareInputImage(baseImagePath);
  }

  /** Resolves once every cancellation still under way in the background has been sent (or failed). */
  async drain(): Promise<void> {
    while (this.background.size > 0) {
      await Promise.all([...this.background]);
    }
  }

  private async prepareInputImage(baseImagePath: string): Promise<string> {
    let dataUri: string;
    try {
      dataUri = await this.options.prepareInputImage(baseImagePath);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new GenerationError(`The base image could not be prepared for Replicate: ${redactSecrets(message, [])}`, 'invalid_input');
    }
    if (typeof dataUri !== 'string' || !/^data:image\/[\w.+-]+;base64,/.test(dataUri)) {
      throw new GenerationError('The base image was not turned into an image data URI.', 'invalid_input');
    }
    return dataUri;
  }

  /** One prediction: create it, wait for it, download its image. */
  private async attempt(input: Record<string, unknown>, request: GenerationRequest, secrets: string[], attempt: number): Promise<Attempt> {
    const progress = request.onProgress ?? (() => undefined);
    // Two signals: `signal` (Cancel or the deadline) for create and polls, the deadline alone for the download.
    // Linked by hand rather than with AbortSignal.any, which leaks on a long-lived batch signal in Node 20 (nodejs/node#55351).
    const deadline = new AbortController();
    const attemptAbort = new AbortController();
    const timer = setTimeout(() => {
      const reason = new GenerationError('attempt deadline', 'timeout');
      deadline.abort(reason);
      attemptAbort.abort(reason);
    }, this.timeoutMs);
    const onCancel = () => attemptAbort.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onCancel, { once: true });
    const signal = attemptAbort.signal;
    const state: { phase: FailurePhase; prediction?: Prediction } = { phase: 'create' };
    try {
      progress(attempt === 1 ? `starting ${this.model} on Replicate` : `starting ${this.model} on Replicate (attempt ${attempt} of ${this.maxAttempts})`);
      state.prediction = await this.create(input, signal);
      state.phase = 'poll';
      const prediction = await this.waitUntilDone(state, signal, progress, secrets);
      if (prediction.status === 'failed') {
        throw withPredictionId(predictionFailure(prediction.error, secrets), prediction.id);
      }
      if (prediction.status !== 'succeeded') {
        throw new GenerationError(`The prediction was ${prediction.status} on Replicate (prediction ${prediction.id}).`, 'cancelled');
      }
      state.phase = 'download';
      const outputUrl = outputUrlOf(prediction.output);
      if (!outputUrl) {
        throw new GenerationError(`The model finished without an image (prediction ${prediction.id}).`, 'model_error');
      }
      request.onModelDone?.();
      progress('downloading the image');
      // The image is paid for once the prediction succeeded: Cancel no longer stops the download (the timeout does).
      const image = await withRetries(() => this.download(outputUrl, deadline.signal, secrets), this.retryOptions(deadline.signal, progress));
      return { ...image, predictionId: prediction.id, outputUrl: outputUrl.startsWith('data:') ? undefined : outputUrl };
    } catch (error) {
      // A prediction we stop waiting for, for whatever reason, would still run and cost.
      const stillRunning = state.prediction !== undefined && !TERMINAL_STATUSES.has(state.prediction.status);
      if (stillRunning) {
        await this.cancelOnServer(state.prediction!.id);
      }
      if (request.signal?.aborted) {
        throw cancelledError(stillRunning ? state.prediction!.id : undefined);
      }
      if (deadline.signal.aborted) {
        const cancelled = stillRunning ? ' The prediction was cancelled on Replicate.' : '';
        throw new GenerationError(`Replicate did not deliver the image within ${formatDuration(this.timeoutMs)}.${cancelled}`, 'timeout');
      }
      const failure = classifyFailure(error, { phase: state.phase, secrets, service: this.service, model: this.model, nowMs: this.now() });
      if (state.phase === 'create') {
        this.beforePrediction.add(failure);
      }
      throw failure;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCancel);
    }
  }

  /**
   * The create request is not aborted with the attempt: with Prefer: wait a prediction may be
   * running whose id only its answer tells. If the attempt ends first, the answer is awaited in
   * the background and that prediction cancelled, so a cancelled generation stops costing.
   */
  private async create(input: Record<string, unknown>, signal: AbortSignal): Promise<Prediction> {
    const [model, version] = this.model.split(':');
    const creating = this.client.predictions.create({
      ...(version ? { version } : { model }),
      input,
      wait: this.syncWaitSeconds,
      signal: AbortSignal.timeout(this.syncWaitSeconds * 1000 + CREATE_GRACE_MS),
    });
    try {
      return await untilAborted(creating, signal);
    } catch (error) {
      if (signal.aborted) {
        this.track(
          creating.then(
            (late) => (TERMINAL_STATUSES.has(late.status) ? undefined : this.cancelOnServer(late.id)),
            () => undefined,
          ),
        );
      }
      throw error;
    }
  }

  private async waitUntilDone(
    state: { prediction?: Prediction },
    signal: AbortSignal,
    progress: (message: string) => void,
    secrets: string[],
  ): Promise<Prediction> {
    let shown = '';
    while (!TERMINAL_STATUSES.has(state.prediction!.status)) {
      const { id, status } = state.prediction!;
      if (status !== shown) {
        progress(status === 'starting' ? 'waiting for Replicate to start the prediction' : 'processing on Replicate');
        shown = status;
      }
      await this.sleep(this.pollIntervalMs, signal);
      state.prediction = await withRetries(
        async () => {
          try {
            return await this.client.predictions.get(id, { signal });
          } catch (error) {
            throw classifyFailure(error, { phase: 'poll', secrets, service: this.service, nowMs: this.now() });
          }
        },
        this.retryOptions(signal, progress),
      );
    }
    return state.prediction!;
  }

  private async download(url: string, signal: AbortSignal, secrets: string[]): Promise<Pick<Attempt, 'bytes' | 'extension'>> {
    let bytes: Buffer;
    try {
      if (url.startsWith('data:')) {
        bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
      } else {
        // Plain fetch, no Authorization: output hosts (replicate.delivery) are not the API and must not see the token.
        const response = await this.rawFetch(url, { signal });
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          throw classifyHttpFailure(response.status, '', response.headers.get('retry-after'), { phase: 'download', nowMs: this.now() });
        }
        bytes = Buffer.from(await response.arrayBuffer());
      }
    } catch (error) {
      throw classifyFailure(error, { phase: 'download', secrets, service: this.service });
    }
    const extension = imageExtensionOf(bytes);
    if (!extension) {
      throw new GenerationError(`The downloaded output is not a JPEG or PNG image (${bytes.length} bytes).`, 'output_download');
    }
    return { bytes, extension };
  }

  private cancelOnServer(id: string): Promise<void> {
    const cancelling = this.client.predictions.cancel(id, { signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }).then(
      () => undefined,
      (error: unknown) =>
        this.options.logger?.warn(
          `could not cancel Replicate prediction ${id}: ${classifyFailure(error, { phase: 'cancel', secrets: [this.options.token] }).message}`,
        ),
    );
    this.track(cancelling);
    return cancelling;
  }

  private track(task: Promise<void>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  private retryOptions(signal: AbortSignal | undefined, progress: (message: string) => void): RetryOptions {
    return {
      maxAttempts: this.maxAttempts,
      backoff: this.options.backoff,
      maxRetryAfterMs: this.options.maxRetryAfterMs,
      signal,
      sleep: this.sleep,
      random: this.options.random,
      shouldRetry: (error) => error instanceof GenerationError && error.retryable,
      retryAfterMs: (error) => (error instanceof GenerationError ? error.options.retryAfterMs : undefined),
      onRetry: (info) => progress(retryMessage(info)),
    };
  }
}

/** The first output as a URL: flux models return one URL string; run() with useFileOutput gives FileOutput objects. */
export function outputUrlOf(output: unknown): string | undefined {
  const first: unknown = Array.isArray(output) ? output[0] : output;
  if (typeof first === 'string' && first.length > 0) {
    return first;
  }
  const url = (first as { url?: unknown } | null)?.url;
  return typeof url === 'function' ? String(url.call(first)) : undefined;
}

/** By magic bytes, not by what the server claims. */
export function imageExtensionOf(bytes: Buffer): 'jpg' | 'png' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpg';
  }
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= png.length && png.every((byte, index) => bytes[index] === byte) ? 'png' : undefined;
}

function retryMessage(info: RetryInfo): string {
  const reason = info.error instanceof GenerationError ? describeFailure(info.error.reason) : 'failed';
  return `${reason}, retrying in ${formatDuration(info.delayMs)} (attempt ${info.attempt + 1} of ${info.maxAttempts})`;
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) {
    return `${ms / 60_000} min`;
  }
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function cancelledError(predictionId?: string): GenerationError {
  return new GenerationError(predictionId ? `Generation cancelled (prediction ${predictionId} cancelled on Replicate).` : 'Generation cancelled.', 'cancelled');
}

function withPredictionId(error: GenerationError, id: string): GenerationError {
  return new GenerationError(`${error.message} (prediction ${id})`, error.reason, error.options);
}

/** A signal that aborts with `source` or after `timeoutMs`, whichever comes first; `source` itself when there is no deadline. */
function linkedDeadline(
  source: AbortSignal | undefined,
  timeoutMs: number | undefined,
): { signal?: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  if (timeoutMs === undefined) {
    return { signal: source, timedOut: () => false, dispose: () => undefined };
  }
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new GenerationError('overall deadline', 'timeout'));
  }, timeoutMs);
  const onAbort = () => controller.abort(source?.reason);
  if (source?.aborted) {
    onAbort();
  }
  source?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose: () => {
      clearTimeout(timer);
      source?.removeEventListener('abort', onAbort);
    },
  };
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts (the promise runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
