/**
 * A generic retry loop: a bounded number of attempts, exponential backoff with jitter, the
 * server's own Retry-After when it gives one, and an AbortSignal that ends the wait at once.
 * Nothing here knows about Replicate; the caller says what is worth retrying.
 */

export interface BackoffOptions {
  /** The wait before the second attempt, before jitter. */
  initialDelayMs?: number;
  /** No wait is longer than this (Retry-After excepted: see RetryOptions.maxRetryAfterMs). */
  maxDelayMs?: number;
  multiplier?: number;
  /** Each wait is spread by up to this fraction either way, so parallel workers do not retry in step. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 1000, maxDelayMs: 30_000, multiplier: 2, jitter: 0.25 };

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryInfo {
  /** The attempt that just failed, from 1. */
  attempt: number;
  maxAttempts: number;
  /** How long the loop now waits before the next attempt. */
  delayMs: number;
  /** True when the wait is the server's Retry-After rather than our backoff. */
  fromRetryAfter: boolean;
  error: unknown;
}

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  backoff?: BackoffOptions;
  /** Whether this failure deserves another attempt. */
  shouldRetry: (error: unknown, attempt: number) => boolean;
  /** The wait the failure itself asks for (a parsed Retry-After), in ms. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** A Retry-After longer than this is not waited out: the failure is thrown instead. Default 2 min. */
  maxRetryAfterMs?: number;
  /**
   * Failures that do not use up an attempt (the service asked us to slow down: a 429), up to
   * `max` of them: each one that is retried adds an attempt, so a throttled request that gets
   * through in the end does not fail for having been throttled.
   */
  extraAttemptWhen?: { matches: (error: unknown) => boolean; max: number };
  /** Told before each wait, e.g. to show "rate limited, retrying in 4 s". */
  onRetry?: (info: RetryInfo) => void;
  signal?: AbortSignal;
  sleep?: Sleep;
  /** In [0, 1); injectable so tests get exact delays. */
  random?: () => number;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;

/** Runs `operation` until it succeeds, fails for good, runs out of attempts, or the signal aborts. */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal } = options;
  let maxAttempts = options.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number of at least 1, not ${maxAttempts}`);
  }
  let extraAttempts = 0;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      const extra = options.extraAttemptWhen;
      if (extra && extraAttempts < extra.max && !signal?.aborted && options.shouldRetry(error, attempt) && extra.matches(error)) {
        extraAttempts++;
        maxAttempts++;
      }
      if (attempt >= maxAttempts || signal?.aborted || !options.shouldRetry(error, attempt)) {
        throw error;
      }
      const retryAfter = options.retryAfterMs?.(error);
      if (retryAfter !== undefined && retryAfter > (options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) {
        throw error; // the server asks for a longer pause than is worth holding a worker for
      }
      const delayMs = retryAfter !== undefined ? Math.max(0, Math.ceil(retryAfter)) : backoffDelayMs(attempt, options.backoff, random);
      options.onRetry?.({ attempt, maxAttempts, delayMs, fromRetryAfter: retryAfter !== undefined, error });
      await sleep(delayMs, signal);
    }
  }
}

/** The wait after failed attempt `attempt` (from 1): initial * multiplier^(attempt-1), capped, then jittered. */
export function backoffDelayMs(attempt: number, backoff: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs, multiplier, jitter } = { ...DEFAULT_BACKOFF, ...backoff };
  const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** (attempt - 1));
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(maxDelayMs, base + spread)));
}

/**
 * Retry-After as milliseconds: either delay-seconds ("4") or an HTTP date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", counted from `nowMs`). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  // An HTTP date names its day or month; without that test V8 reads "-5" as a date in 2001.
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
