/** Object keys and their URL form, shared by every store. */
import { PLAIN_NAME } from '../workspace/layout';

export function isPlainName(name: string): boolean {
  return PLAIN_NAME.test(name);
}

/** Throws unless `name` is a plain name, so a key (or a local path) can never climb out of its folder. */
export function assertPlainName(name: string, what: 'actor id' | 'file name'): void {
  if (!isPlainName(name)) {
    throw new Error(`${what} ${JSON.stringify(name)} must be a plain ${what === 'actor id' ? 'folder' : 'file'} name, not a path`);
  }
}

/**
 * `system_actors/training_data` and `system_actors/training_data/` mean the same folder; a
 * leading slash would make an empty first segment on S3. An empty prefix stays empty.
 */
export function normalizeKeyPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** `<prefix><actorId>/<filename>`; the prefix must already be normalised. */
export function objectKey(prefix: string, actorId: string, filename: string): string {
  assertPlainName(actorId, 'actor id');
  assertPlainName(filename, 'file name');
  return `${prefix}${actorId}/${filename}`;
}

/** Each segment percent-encoded, the slashes kept: `a b/c#1.jpg` -> `a%20b/c%231.jpg`. */
export function encodeKeyForUrl(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
