import { uploadOrQueue } from '../storage/pendingUploads';
import type { ObjectStore } from '../storage/types';

/** Uploads a saved image to the object store (or queues it); absent when there is no store. */
export type Uploader = (actorId: string, filename: string, localPath: string) => Promise<{ key: string; url?: string; queued: boolean; error?: string }>;

/** The uploader for a store, or undefined for the offline store (nothing to upload). */
export function uploaderFor(store: ObjectStore, dataRoot: string): Uploader | undefined {
  if (store.kind === 'none') {
    return undefined;
  }
  return async (actorId, filename, localPath) => ({
    key: store.keyFor(actorId, filename),
    ...(await uploadOrQueue(store, dataRoot, { actorId, filename, localPath, contentType: 'image/jpeg' })),
  });
}
