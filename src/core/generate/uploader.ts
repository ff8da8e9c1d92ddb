import { drainPending, DrainSummary, uploadOrQueue } from '../storage/pendingUploads';
import type { ObjectStore } from '../storage/types';
import { recordUpload } from './saveResult';

/** Uploads a saved image to the object store (or queues it); absent when there is no store. */
export type Uploader = (actorId: string, filename: string, localPath: string) => Promise<{ key: string; url?: string; queued: boolean; error?: string }>;

/**
 * The uploader for a store, or undefined for the offline store (nothing to upload). When an
 * upload goes through, the store is reachable again, so uploads that waited in the queue follow.
 */
export function uploaderFor(store: ObjectStore, dataRoot: string): Uploader | undefined {
  if (store.kind === 'none') {
    return undefined;
  }
  return async (actorId, filename, localPath) => {
    const outcome = await uploadOrQueue(store, dataRoot, { actorId, filename, localPath, contentType: 'image/jpeg' });
    if (outcome.url) {
      await drainPendingUploads(store, dataRoot);
    }
    return { key: store.keyFor(actorId, filename), ...outcome };
  };
}

/**
 * Retries the queued uploads and records each URL in its manifest (and prompt metadata) before
 * the queue forgets the entry, so a crash in between loses nothing.
 */
export function drainPendingUploads(store: ObjectStore, dataRoot: string, signal?: AbortSignal): Promise<DrainSummary> {
  return drainPending(store, dataRoot, {
    signal,
    onResult: (result) => (result.status === 'uploaded' ? recordUpload(dataRoot, result.actorId, result.filename, result.key, result.url) : undefined),
  });
}
