import { NoObjectStore } from './noneStore';
import { S3Credentials, S3ObjectStore } from './s3Store';
import { ObjectStore } from './types';

/** What the settings (`actorStudio.s3.*`) or the CLI's flags and environment give. */
export interface ObjectStoreSettings {
  bucket?: string;
  region?: string;
  endpoint?: string;
  keyPrefix?: string;
  publicBaseUrl?: string;
}

/**
 * S3 when a bucket is set, else the offline NoObjectStore. A blank bucket, region, endpoint or
 * public URL counts as unset, as an emptied settings field does; a blank key prefix means the
 * bucket root. A custom endpoint without a region gets `us-east-1`, which S3-compatible servers
 * accept; AWS itself needs the bucket's real region (URLs name it).
 * Throws a clear error for an invalid bucket name, endpoint or a missing AWS region.
 */
export function createObjectStore(settings: ObjectStoreSettings, credentials?: S3Credentials): ObjectStore {
  const bucket = settings.bucket?.trim();
  // An explicit empty prefix is a real choice (keys at the bucket root), unlike an empty bucket.
  const keyPrefix = settings.keyPrefix?.trim();
  if (!bucket) {
    return new NoObjectStore(keyPrefix);
  }
  const endpoint = settings.endpoint?.trim() || undefined;
  const region = settings.region?.trim() || (endpoint ? 'us-east-1' : '');
  return new S3ObjectStore({
    bucket,
    region,
    endpoint,
    keyPrefix,
    credentials,
    publicBaseUrl: settings.publicBaseUrl?.trim() || undefined,
  });
}
