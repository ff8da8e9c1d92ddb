import { shorten } from '../util/text';
import { StudioError } from '../errors';
import { parseRetryAfter } from '../util/retry';

/*
 * What the `openai` SDK (v6) throws, in our terms. Its errors set no `name` (every one says
 * "Error") and a production bundle renames their classes, so they are told apart by what the SDK
 * puts in them: an HTTP status (APIError.generate picks the subclass by it), OpenAI's error `code`
 * (`insufficient_quota` is an empty account, not a rate limit), and the fixed messages of the
 * connection errors ("Request timed out.", "Request was aborted.").
 */

export type VisionErrorKind =
  'refusal' | 'malformed' | 'rate_limit' | 'billing' | 'server' | 'auth' | 'invalid_request' | 'network' | 'timeout' | 'aborted' | 'input';

export class VisionEvaluationError extends StudioError {
  constructor(
    message: string,
    readonly reason: VisionErrorKind,
    readonly status?: number,
    /** The Retry-After the server asked for, in ms, when it gave one. */
    readonly retryAfterMs?: number,
  ) {
    super(message, reason === 'aborted' ? 'cancelled' : reason === 'input' ? 'input' : 'external');
    this.name = 'VisionEvaluationError';
  }
}

/** OpenAI's error codes for an account that cannot pay; retrying never helps. */
const BILLING_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);
/** OpenAI's error codes for a refused prompt or image. */
const CONTENT_CODES = new Set(['content_policy_violation', 'content_filter', 'moderation_blocked']);

type SdkErrorShape = {
  name?: string;
  status?: number;
  code?: unknown;
  message?: string;
  cause?: unknown;
  headers?: { get?(name: string): string | null } | Record<string, string>;
};

/** True for what the openai SDK throws: APIError and its subclasses, connection errors included. */
export function isOpenAiSdkError(error: unknown): boolean {
  return error instanceof Error && 'requestID' in error && 'param' in error && 'type' in error;
}

/** The SDK's error (or a fetch failure) as a VisionEvaluationError with a message safe to show. */
export function classifyOpenAiError(error: unknown, options: { aborted: boolean; redact?: (text: string) => string }): VisionEvaluationError {
  const e = (error ?? {}) as SdkErrorShape;
  const redact = options.redact ?? ((text: string) => text);
  const message = String(e.message ?? error);
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (options.aborted || e.name === 'AbortError' || (status === undefined && /^Request was aborted\.?$/.test(message))) {
    return new VisionEvaluationError('The vision evaluation was cancelled.', 'aborted');
  }
  if (status === undefined) {
    return /^Request timed out\.?$/.test(message) || e.name === 'TimeoutError'
      ? new VisionEvaluationError('The OpenAI request timed out.', 'timeout')
      : new VisionEvaluationError(`Could not reach the OpenAI API: ${shorten(redact(causeText(e)))}`, 'network');
  }
  const detail = shorten(redact(message));
  const code = typeof e.code === 'string' ? e.code : '';
  if (status === 402 || BILLING_CODES.has(code)) {
    return new VisionEvaluationError(
      `The OpenAI account has no quota or credit left (HTTP ${status}${code ? `, ${code}` : ''}): ${detail}. Check the plan and billing details.`,
      'billing',
      status,
    );
  }
  if (status === 429) {
    return new VisionEvaluationError(`OpenAI rate limit (HTTP 429): ${detail}`, 'rate_limit', status, retryAfterFromHeaders(e.headers));
  }
  if (status === 401 || status === 403) {
    return new VisionEvaluationError(`OpenAI refused the API key (HTTP ${status}). Set a valid key and try again.`, 'auth', status);
  }
  if (status >= 500 || status === 408 || status === 409) {
    return new VisionEvaluationError(`OpenAI server error (HTTP ${status}): ${detail}`, 'server', status, retryAfterFromHeaders(e.headers));
  }
  if (CONTENT_CODES.has(code)) {
    return new VisionEvaluationError(`OpenAI's safety system refused the request (HTTP ${status}, ${code}): ${detail}`, 'refusal', status);
  }
  return new VisionEvaluationError(`OpenAI rejected the request (HTTP ${status}): ${detail}`, 'invalid_request', status);
}

/** "Connection error." says nothing: the system error under it (ECONNREFUSED ...) does. */
function causeText(error: SdkErrorShape): string {
  const cause = error.cause as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = cause?.cause?.code ?? cause?.code;
  return typeof code === 'string' ? `${error.message ?? 'connection error'} (${code})` : String(error.message ?? 'connection error');
}

function retryAfterFromHeaders(headers: SdkErrorShape['headers']): number | undefined {
  if (!headers) {
    return undefined;
  }
  const get = (name: string): string | null | undefined =>
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null }).get(name)
      : (headers as Record<string, string>)[name];
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) {
    return ms;
  }
  return parseRetryAfter(get('retry-after'));
}
