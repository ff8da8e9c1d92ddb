import { InputError } from '../errors';
import type { S3Client } from '@aws-sdk/client-s3';
import { classifyS3Error, StorageOperation } from './errors';
import { encodeKeyForUrl, normalizeKeyPrefix, objectKey } from './keys';
import { DEFAULT_KEY_PREFIX, ObjectStore } from './types';
import { markLoaded } from '../lazyModules';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, s3rver, R2...): requests then use path-style addressing. */
  endpoint?: string;
  /** Default DEFAULT_KEY_PREFIX; a missing trailing slash is added. */
  keyPrefix?: string;
  /** Without them the SDK's default chain is used (environment, profile, SSO, instance role). */
  credentials?: S3Credentials;
  /** Where the objects are served publicly (e.g. a CDN); URLs are then `<publicBaseUrl>/<key>`. */
  publicBaseUrl?: string;
  /** Attempts per request, retries included (the SDK's default is 3). */
  maxAttempts?: number;
  /** Keys per ListObjectsV2 page (S3's maximum, and default, is 1000). */
  listPageSize?: number;
}

type S3Sdk = typeof import('@aws-sdk/client-s3');

/** S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * An ObjectStore on Amazon S3 or an S3-compatible server. The SDK is loaded on the first request,
 * not when the store is made, so building the store at activation costs nothing.
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  /** The region set, until S3 names the bucket's own (then that one). */
  region: string;
  readonly keyPrefix: string;
  private readonly endpoint?: string;
  private readonly publicBaseUrl?: string;
  private connection?: Promise<{ sdk: S3Sdk; client: S3Client }>;

  constructor(private readonly options: S3StoreOptions) {
    if (!BUCKET_NAME.test(options.bucket)) {
      throw new InputError(`S3 bucket name ${JSON.stringify(options.bucket)} is not valid: 3 to 63 lower-case letters, digits, dots or hyphens`);
    }
    if (!options.region.trim()) {
      throw new InputError(`S3 bucket "${options.bucket}" needs a region (e.g. us-east-1)`);
    }
    this.bucket = options.bucket;
    this.region = options.region.trim();
    this.keyPrefix = normalizeKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.endpoint = options.endpoint === undefined ? undefined : baseUrl(options.endpoint, 'S3 endpoint');
    this.publicBaseUrl = options.publicBaseUrl === undefined ? undefined : baseUrl(options.publicBaseUrl, 'public base URL');
  }

  keyFor(actorId: string, filename: string): string {
    return objectKey(this.keyPrefix, actorId, filename);
  }

  /**
   * The object's URL as a plain string: `<publicBaseUrl>/<key>` when set, `<endpoint>/<bucket>/<key>`
   * for a custom endpoint, else AWS's virtual-hosted form `https://<bucket>.s3.<region>.amazonaws.com/<key>`.
   */
  urlFor(key: string): string {
    const path = encodeKeyForUrl(key);
    if (this.publicBaseUrl) {
      return `${this.publicBaseUrl}/${path}`;
    }
    if (this.endpoint) {
      return `${this.endpoint}/${encodeURIComponent(this.bucket)}/${path}`;
    }
    return `https://${this.bucket}.s3.${this.region}.amazonaws.com/${path}`;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<{ url: string }> {
    await this.request('upload', key, ({ sdk, client }) =>
      client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })),
    );
    return { url: this.urlFor(key) };
  }

  async delete(key: string): Promise<void> {
    await this.request('delete', key, ({ sdk, client }) => client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async list(prefix: string): Promise<string[]> {
    return this.request('list', prefix, async ({ sdk, client }) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: this.options.listPageSize,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) {
            keys.push(object.Key);
          }
        }
        // A truncated page without a token would loop forever; stop rather than trust it.
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    });
  }

  /** Closes the client's pooled connections (tests and the CLI, so the process can exit). */
  async dispose(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      (await connection.catch(() => undefined))?.client.destroy();
    }
  }

  private async request<T>(operation: StorageOperation, key: string, send: (connection: { sdk: S3Sdk; client: S3Client }) => Promise<T>): Promise<T> {
    try {
      return await send(await this.connect());
    } catch (error) {
      const bucketRegion = bucketRegionOf(error);
      if (!bucketRegion || bucketRegion === this.region) {
        throw this.classify(error, operation, key);
      }
      // S3 names the bucket's region when asked in another one (a default us-east-1, an old
      // setting): use it from now on, as the AWS CLI does, rather than fail every request.
      this.region = bucketRegion;
      const old = this.connection;
      this.connection = undefined;
      try {
        return await send(await this.connect());
      } catch (retried) {
        throw this.classify(retried, operation, key);
      } finally {
        (await old?.catch(() => undefined))?.client.destroy();
      }
    }
  }

  private classify(error: unknown, operation: StorageOperation, key: string): Error {
    return classifyS3Error(error, {
      operation,
      bucket: this.bucket,
      key,
      host: this.endpoint ?? `s3.${this.region}.amazonaws.com`,
      secrets: [this.options.credentials?.secretAccessKey, this.options.credentials?.sessionToken],
    });
  }

  private connect(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    this.connection ??= import('@aws-sdk/client-s3').then((sdk) => {
      markLoaded('@aws-sdk/client-s3');
      const client = new sdk.S3Client({
        region: this.region,
        endpoint: this.endpoint,
        // Custom servers rarely resolve `<bucket>.<host>`; AWS itself prefers virtual-hosted style.
        forcePathStyle: this.endpoint !== undefined,
        credentials: this.options.credentials,
        maxAttempts: this.options.maxAttempts,
        // The SDK's default CRC32 trailers are refused by many S3-compatible servers; AWS needs none for these calls.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      return { sdk, client };
    });
    // A failed load (broken install) is not cached, so the next request tries again.
    this.connection.catch(() => {
      this.connection = undefined;
    });
    return this.connection;
  }
}

/** AWS region names (us-east-1, eu-central-2, us-gov-west-1): a server's answer is used only when it is one. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The bucket's region as S3 states it in a wrong-region reply (the x-amz-bucket-region header, or the error's Region). */
function bucketRegionOf(error: unknown): string | undefined {
  const shape = error as { $response?: { headers?: Record<string, string | undefined> }; Region?: unknown; BucketRegion?: unknown } | null;
  const named = shape?.$response?.headers?.['x-amz-bucket-region'] ?? shape?.BucketRegion ?? shape?.Region;
  return typeof named === 'string' && REGION_NAME.test(named) ? named : undefined;
}

/** An http(s) URL without trailing slashes, checked once so every object URL is well formed. */
function baseUrl(value: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InputError(`${what} ${JSON.stringify(value)} is not a URL (expected e.g. https://host:port)`);
  }
  if (parsed.username || parsed.password) {
    // Not echoed: the value holds a password.
    throw new InputError(`${what} must not contain credentials; give them separately`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError(`${what} ${JSON.stringify(value)} must start with http:// or https://`);
  }
  return value.replace(/\/+$/, '');
}
