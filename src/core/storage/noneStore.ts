import { StorageError } from './errors';
import { normalizeKeyPrefix, objectKey } from './keys';
import { DEFAULT_KEY_PREFIX, ObjectStore } from './types';

/**
 * The offline default: no bucket is configured, so nothing is mirrored. It never pretends:
 * `put` throws (there is no URL it could honestly return), while `delete` and `list` are
 * truthful no-ops (nothing was ever stored here, so nothing is removed and nothing is listed).
 * Callers tell it apart by `kind === 'none'`; uploadOrQueue does, and neither uploads nor queues.
 */
export class NoObjectStore implements ObjectStore {
  readonly kind = 'none' as const;
  readonly keyPrefix: string;

  constructor(keyPrefix: string = DEFAULT_KEY_PREFIX) {
    this.keyPrefix = normalizeKeyPrefix(keyPrefix);
  }

  keyFor(actorId: string, filename: string): string {
    return objectKey(this.keyPrefix, actorId, filename);
  }

  async put(key: string, _body: Buffer, _contentType: string): Promise<{ url: string }> {
    throw new StorageError(`${key} was not uploaded: no S3 bucket is configured (uploads are off)`, 'not_configured');
  }

  async delete(_key: string): Promise<void> {
    // Nothing was ever stored, so there is nothing to remove.
  }

  async list(_prefix: string): Promise<string[]> {
    return [];
  }
}
