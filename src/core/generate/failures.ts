import { parseRetryAfter } from '../util/retry';
import { FailureReason, GenerationError } from './types';
import { redactSecrets } from '../util/redact';

/**
 * Turns whatever a Replicate generation threw into a GenerationError with one failure reason,
 * a clear message and whether another attempt can help. The shapes come from the `replicate`
 * SDK (v1.4): an ApiError (`response` is the fetch Response, the message is
 * "Request to <url> failed with status <code> <text>: <body>."), a plain Error
 * "Prediction failed: <prediction.error>" from run()/wait(), fetch's TypeError "fetch failed"
 * with the system error as `cause`, and AbortSignal reasons.
 *
 * Messages never carry the token or the image: every text that came from outside is passed
 * through redactSecrets, and the raw SDK error (whose `request` holds the Authorization
 * header and the body) is not kept as the cause; a redacted copy is.
 */

/** Where in a generation the failure happened; the same HTTP status means different things. */
export type FailurePhase = 'prepare' | 'create' | 'poll' | 'download' | 'cancel';

export interface FailureContext {
  phase: FailurePhase;
  /** Exact strings that must never reach a message: the API token, the input image data URI. */
  secrets?: readonly string[];
  /** Who we were talking to, for network messages, e.g. "Replicate (api.replicate.com)". */
  service?: string;
  /** The model, for "no such model" messages. */
  model?: string;
  /** For Retry-After given as an HTTP date. */
  nowMs?: number;
}

/** Replicate's own wording for its safety filter (E005) and the moderation texts of the models it hosts. */
const CONTENT_FILTER_TEXT = /\bE005\b|flagged as sensitive|\bnsfw\b|content (?:was )?(?:flagged|moderated)|request moderated|safety (?:filter|checker|system)/i;

/** System and undici error codes that mean "the connection did not work", worth another try. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const MAX_DETAIL_CHARS = 300;

export function classifyFailure(error: unknown, context: FailureContext): GenerationError {
  if (error instanceof GenerationError) {
    return error;
  }
  const secrets = context.secrets ?? [];
  const cause = redactedCause(error, secrets);
  const response = httpResponseOf(error);
  if (response) {
    const detail = redactSecrets(apiErrorDetail((error as Error).message), secrets);
    return classifyHttpFailure(response.status, detail, response.headers.get('retry-after'), context, cause);
  }
  const message = error instanceof Error ? error.message : String(error);
  const failed = /^Prediction failed: ([\s\S]*)$/.exec(message);
  if (failed) {
    return predictionFailure(failed[1], secrets);
  }
  if (isAbortError(error)) {
    return (error as Error).name === 'TimeoutError'
      ? new GenerationError('Replicate did not answer in time.', 'timeout', { cause })
      : new GenerationError('Generation cancelled.', 'cancelled', { cause });
  }
  const code = networkErrorCode(error);
  if (code !== undefined) {
    const what = code === 'fetch failed' || code === 'terminated' ? redactSecrets(innermostMessage(error), secrets) : code;
    if (context.phase === 'download') {
      return new GenerationError(`Could not download the generated image (${what}).`, 'output_download', { retryable: true, cause });
    }
    return new GenerationError(`Could not reach ${context.service ?? 'Replicate'} (${what}).`, 'network', { retryable: true, cause });
  }
  return new GenerationError(
    `Replicate generation failed: ${shorten(redactSecrets(message, secrets))}`,
    context.phase === 'download' ? 'output_download' : 'model_error',
    { cause },
  );
}

/** An HTTP answer that was not a success, by status and phase. */
export function classifyHttpFailure(status: number, detail: string, retryAfter: string | null, context: FailureContext, cause?: unknown): GenerationError {
  const said = detail ? `: ${shorten(detail)}` : '';
  const retryAfterMs = parseRetryAfter(retryAfter, context.nowMs) ?? throttledForMs(detail);
  if (context.phase === 'download') {
    const retryable = status === 408 || status === 429 || status >= 500;
    return new GenerationError(`Could not download the generated image (HTTP ${status}${said}).`, 'output_download', {
      status,
      retryable,
      retryAfterMs,
      cause,
    });
  }
  if (status === 401 || status === 403) {
    return new GenerationError(`Replicate refused the API token (HTTP ${status}${said}). Set a valid token and try again.`, 'auth', { status, cause });
  }
  if (status === 402 || /insufficient credit/i.test(detail)) {
    return new GenerationError(
      `The Replicate account has no credit left (HTTP ${status}${said}). Add credit at https://replicate.com/account/billing, then try again.`,
      'billing',
      { status, cause },
    );
  }
  if ((status === 400 || status === 422) && isContentFilterText(detail)) {
    // In case a model's input moderation answers the create request itself rather than failing the prediction.
    return new GenerationError(`Replicate's safety filter refused the input (HTTP ${status}${said}). Try another prompt or base image.`, 'content_filter', {
      status,
      cause,
    });
  }
  if (status === 429) {
    return new GenerationError(`Replicate is rate limiting requests (HTTP 429${said}).`, 'rate_limit', { status, retryable: true, retryAfterMs, cause });
  }
  if (status === 408) {
    return new GenerationError(`Replicate timed out the request (HTTP 408${said}).`, 'timeout', { status, retryable: true, cause });
  }
  if (status >= 500) {
    return new GenerationError(`Replicate had a server error (HTTP ${status}${said}).`, 'model_error', { status, retryable: true, retryAfterMs, cause });
  }
  if (status === 404 && context.phase === 'create') {
    const model = context.model ? ` ${context.model}` : ' such model';
    return new GenerationError(`Replicate has no model${model} (HTTP 404${said}). Check the model name.`, 'invalid_input', { status, cause });
  }
  if (status === 404 && context.phase === 'poll') {
    return new GenerationError(`Replicate no longer knows the prediction (HTTP 404${said}).`, 'model_error', { status, cause });
  }
  return new GenerationError(`Replicate rejected the request (HTTP ${status}${said}).`, 'invalid_input', { status, cause });
}

/** A prediction that ended as `failed`, from its `error` field. Not retried: a new prediction costs again. */
export function predictionFailure(errorText: unknown, secrets: readonly string[] = []): GenerationError {
  const raw = typeof errorText === 'string' ? errorText : (JSON.stringify(errorText) ?? '');
  const text = shorten(redactSecrets(raw.trim(), secrets)) || 'no reason given';
  if (isContentFilterText(text)) {
    return new GenerationError(
      `Replicate's safety filter flagged the input or output as sensitive (E005); nothing was generated. Try another prompt or base image. Replicate said: ${text}`,
      'content_filter',
    );
  }
  return new GenerationError(`The model failed on Replicate: ${text}`, 'model_error');
}

export function isContentFilterText(text: string): boolean {
  return CONTENT_FILTER_TEXT.test(text);
}

/** A few words for "rate limited, retrying in 4 s". */
export function describeFailure(reason: FailureReason): string {
  const words: Partial<Record<FailureReason, string>> = {
    rate_limit: 'rate limited',
    network: 'network error',
    model_error: 'Replicate server error',
    output_download: 'download failed',
    timeout: 'timed out',
  };
  return words[reason] ?? reason.replace('_', ' ');
}

/** The server's words from an SDK ApiError message: the JSON body's `detail` (or `title`), else the body. */
export function apiErrorDetail(message: string): string {
  const at = message.indexOf('failed with status');
  const colon = at < 0 ? -1 : message.indexOf(': ', at);
  if (colon < 0) {
    return '';
  }
  const body = message
    .slice(colon + 2)
    .replace(/\.$/, '')
    .trim();
  try {
    const parsed = JSON.parse(body) as { detail?: unknown; title?: unknown };
    const detail = parsed.detail ?? parsed.title;
    return typeof detail === 'string' ? detail.trim() : body;
  } catch {
    return body;
  }
}

function httpResponseOf(error: unknown): Response | undefined {
  const response = (error as { response?: unknown } | null)?.response as Response | undefined;
  return typeof response?.status === 'number' && typeof response.headers?.get === 'function' ? response : undefined;
}

/** Replicate's throttling body: "Request was throttled. Expected available in 4 seconds." */
function throttledForMs(detail: string): number | undefined {
  const match = /expected available in (\d+(?:\.\d+)?) seconds?/i.exec(detail);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function isAbortError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** The system error code somewhere in the cause chain, or "fetch failed"/"terminated" for undici's bare TypeErrors. */
function networkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift() as { code?: unknown; cause?: unknown; errors?: unknown } | null;
    if (!current || typeof current !== 'object' || seen.has(current)) {
      continue;
    }
    seen.add(current);
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) {
      return current.code;
    }
    queue.push(current.cause, ...(Array.isArray(current.errors) ? current.errors : []));
  }
  if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated')) {
    return error.message;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current = error as { message?: unknown; cause?: unknown };
  while (current?.cause && typeof current.cause === 'object') {
    current = current.cause as { message?: unknown; cause?: unknown };
  }
  return typeof current?.message === 'string' ? current.message : String(error);
}

/** A copy of the error that is safe to keep: name, redacted message, code; no request, no headers. */
function redactedCause(error: unknown, secrets: readonly string[]): Error {
  const source = error as { name?: unknown; message?: unknown; code?: unknown } | null;
  const copy = new Error(redactSecrets(typeof source?.message === 'string' ? source.message : String(error), secrets));
  copy.name = typeof source?.name === 'string' ? source.name : 'Error';
  const code = networkErrorCode(error) ?? (typeof source?.code === 'string' ? source.code : undefined);
  if (code) {
    (copy as Error & { code?: string }).code = code;
  }
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS - 1)}…` : flat;
}
