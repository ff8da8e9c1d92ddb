/** Where training images are mirrored (S3 or none). Keys are `<prefix><actorId>/<file>`. */
export interface ObjectStore {
  readonly kind: 'none' | 's3';
  /** The key an actor's file is stored under. */
  keyFor(actorId: string, filename: string): string;
  /** Uploads and returns the object's URL as a plain string. */
  put(key: string, body: Buffer, contentType: string): Promise<{ url: string }>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix (ListObjectsV2, all pages). */
  list(prefix: string): Promise<string[]>;
}

/** The default key prefix, as the old tool used: `system_actors/training_data/<actorId>/<file>`. */
export const DEFAULT_KEY_PREFIX = 'system_actors/training_data/';
