import { classifyOpenAiError, isOpenAiSdkError, VisionEvaluationError, type VisionErrorKind } from '../evaluate/openaiErrors';
import { StorageError } from '../storage/errors';
import type { FailureReason } from '../manifest/failureReasons';
import { classifyFailure } from './failures';
import { GenerationError } from './types';

/** Which step of an attempt failed: asking the model, fetching its output, or keeping the image (disk, S3). */
export type FailureStep = 'generate' | 'download' | 'store';

const VISION_REASONS: Record<VisionErrorKind, FailureReason> = {
  refusal: 'content_filter',
  malformed: 'model_error',
  rate_limit: 'rate_limit',
  billing: 'billing',
  server: 'model_error',
  auth: 'auth',
  invalid_request: 'invalid_input',
  network: 'network',
  timeout: 'timeout',
  aborted: 'cancelled',
  input: 'invalid_input',
};

/**
 * One of the ten logged reasons (or `cancelled`) for whatever an attempt threw: our own errors
 * keep their reason; the replicate, openai and AWS SDKs' errors are read from their real shapes.
 * Anything to do with keeping the image is `storage`, rejected S3 credentials included: `auth`
 * is about the model provider's token, which worked.
 */
export function failureReasonOf(error: unknown, step: FailureStep): FailureReason {
  if (error instanceof GenerationError) {
    return error.reason;
  }
  if (error instanceof VisionEvaluationError) {
    return VISION_REASONS[error.reason];
  }
  if (error instanceof StorageError || isAwsSdkError(error) || step === 'store') {
    const aborted = error instanceof StorageError ? error.reason === 'aborted' : (error as { name?: unknown } | null)?.name === 'AbortError';
    return aborted ? 'cancelled' : 'storage';
  }
  if (isOpenAiSdkError(error)) {
    return VISION_REASONS[classifyOpenAiError(error, { aborted: false }).reason];
  }
  return classifyFailure(error, { phase: step === 'download' ? 'download' : 'create' }).reason;
}

/** What @aws-sdk clients throw: service exceptions carry `$metadata`, credential lookups their own name. */
function isAwsSdkError(error: unknown): boolean {
  const candidate = error as { $metadata?: unknown; name?: unknown } | null;
  return Boolean(candidate && typeof candidate === 'object' && (candidate.$metadata !== undefined || candidate.name === 'CredentialsProviderError'));
}
