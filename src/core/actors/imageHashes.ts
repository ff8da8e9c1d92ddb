import type { FileHasher } from '../fs/files';
import type { ActorRecord } from './types';

/** Files hashed at once: reads overlap, which matters on a cold cache (a cached second run is mostly hashing). */
const HASH_CONCURRENCY = 8;

/** The content hash of every image of the actor that is on disk (tracked or not), by file name. */
export async function hashActorImages(actor: ActorRecord, hasher: FileHasher): Promise<Record<string, string>> {
  const images = actor.images.filter((candidate) => !candidate.missing);
  const hashes: Record<string, string> = {};
  for (let start = 0; start < images.length; start += HASH_CONCURRENCY) {
    const batch = images.slice(start, start + HASH_CONCURRENCY);
    const digests = await Promise.all(batch.map((image) => hasher.hash(image.path)));
    batch.forEach((image, position) => (hashes[image.filename] = digests[position]));
  }
  return hashes;
}
