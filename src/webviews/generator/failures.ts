import { PLAIN_NAME } from '../../core/workspace/plainName';
import { ERROR_REASONS, ErrorReason } from './protocol';

/**
 * What a failed generation tells the page: errors with a known `reason` (GenerationError of
 * src/core/generate/types.ts) keep it; an abort the generator did not translate is `cancelled`;
 * anything else was refused before generating (bad input) and is `input`. The message is shown
 * as given.
 */
export function describeFailure(error: unknown, aborted: boolean): { reason: ErrorReason; message: string } {
  const reason = (error as { reason?: unknown } | undefined)?.reason;
  const message =
    error instanceof Error
      ? error.message
      : typeof (error as { message?: unknown })?.message === 'string'
        ? (error as { message: string }).message
        : String(error);
  if (typeof reason === 'string' && (ERROR_REASONS as readonly string[]).includes(reason)) {
    return { reason: reason as ErrorReason, message };
  }
  if (aborted) {
    return { reason: 'cancelled', message: message && !/^(This operation was aborted|The operation was aborted\.?)$/.test(message) ? message : 'cancelled' };
  }
  return { reason: 'input', message: message || 'the request was refused' };
}

/** A plain file or folder name (the data folder's one rule, PLAIN_NAME) that a file system can hold. */
export function isPlainName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 255 && PLAIN_NAME.test(name);
}
