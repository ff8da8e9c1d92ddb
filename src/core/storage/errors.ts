import { StudioError } from '../errors';
import { redactSecrets } from '../util/redact';
/** Why a storage operation failed, in terms a person can act on. */
export type StorageErrorReason =
  | 'not_configured'
  | 'no_credentials'
  | 'invalid_credentials'
  | 'access_denied'
  | 'no_such_bucket'
  | 'wrong_region'
  | 'network'
  | 'unavailable'
  | 'aborted'
  | 'other';

/**
 * Reasons that fail every request the same way until something outside changes (the server comes
 * back, the settings or credentials are fixed): a queue drain stops at the first one.
 */
const AFFECTS_ALL: ReadonlySet<StorageErrorReason> = new Set([
  'not_configured',
  'no_credentials',
  'invalid_credentials',
  'access_denied',
  'no_such_bucket',
  'wrong_region',
  'network',
  'unavailable',
  'aborted',
]);

export class StorageError extends StudioError {
  constructor(
    message: string,
    readonly reason: StorageErrorReason,
    readonly details: { status?: number; code?: string } = {},
  ) {
    super(message, reason === 'not_configured' ? 'input' : 'external');
    this.name = 'StorageError';
  }

  get affectsAll(): boolean {
    return reasonAffectsAll(this.reason);
  }
}

export function reasonAffectsAll(reason: StorageErrorReason): boolean {
  return AFFECTS_ALL.has(reason);
}

export type StorageOperation = 'upload' | 'delete' | 'list';

export interface ErrorContext {
  operation: StorageOperation;
  bucket: string;
  /** The object key, or the prefix for a list. */
  key: string;
  /** Where requests go, for network messages: a custom endpoint or `s3.<region>.amazonaws.com`. */
  host: string;
  /** Values that must never appear in a message (explicit credentials). */
  secrets?: ReadonlyArray<string | undefined>;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'NetworkingError']);
const BAD_CREDENTIAL_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);
const UNAVAILABLE_NAMES = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown', 'ThrottlingException']);
const PERMISSION_FOR: Record<StorageOperation, string> = {
  upload: 's3:PutObject',
  delete: 's3:DeleteObject',
  list: 's3:ListBucket',
};

interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
}

/**
 * Turns whatever the AWS SDK threw into a StorageError whose message says what to do. Messages
 * are composed here rather than passed through: SDK errors can carry request details, and
 * nothing secret may reach a log or a notification. Only for unrecognised errors is the SDK's
 * own message kept, with credential-like text removed.
 */
export function classifyS3Error(error: unknown, context: ErrorContext): StorageError {
  if (error instanceof StorageError) {
    return error;
  }
  const shape = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorShape;
  const name = shape.name ?? 'Error';
  const code = shape.code ?? shape.cause?.code;
  const status = shape.$metadata?.httpStatusCode;
  const target = `s3://${context.bucket}/${context.key}`;
  const failed = `S3 ${context.operation} of ${target} failed`;
  const details = { status, code: code ?? name };

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(shape.message ?? '')) {
    return new StorageError(
      `${failed}: no AWS credentials were found (set them for Actor Studio, or use the AWS chain: ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials or SSO)',
      'no_credentials',
      details,
    );
  }
  if (BAD_CREDENTIAL_NAMES.has(name)) {
    return new StorageError(
      `${failed}: the AWS credentials were rejected (${name}); check the access key, secret and session token`,
      'invalid_credentials',
      details,
    );
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new StorageError(
      `${failed}: access denied (${name}); the credentials need ${PERMISSION_FOR[context.operation]} on bucket "${context.bucket}"`,
      'access_denied',
      details,
    );
  }
  if (name === 'NoSuchBucket') {
    return new StorageError(`${failed}: bucket "${context.bucket}" does not exist; check the bucket and region settings`, 'no_such_bucket', details);
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
    return new StorageError(`${failed}: bucket "${context.bucket}" is in another region than the one set (${name})`, 'wrong_region', details);
  }
  if (name === 'AbortError') {
    return new StorageError(`${failed}: cancelled`, 'aborted', details);
  }
  if ((code && NETWORK_CODES.has(code)) || NETWORK_NAMES.has(name)) {
    return new StorageError(`${failed}: cannot reach ${context.host} (${code ?? name}); the upload can be retried later`, 'network', details);
  }
  if (UNAVAILABLE_NAMES.has(name) || (status !== undefined && status >= 500)) {
    return new StorageError(`${failed}: S3 is unavailable (${name}${status ? `, HTTP ${status}` : ''}); try again later`, 'unavailable', details);
  }
  const said = redactSecrets(shape.message ?? '', context.secrets ?? []);
  return new StorageError(`${failed}: ${name}${status ? ` (HTTP ${status})` : ''}${said ? `: ${said}` : ''}`, 'other', details);
}
