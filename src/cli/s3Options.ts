import { createObjectStore } from '../core/storage/createStore';
import { DEFAULT_KEY_PREFIX, ObjectStore } from '../core/storage/types';

/** Flags every command that touches the object store takes; ACTOR_STUDIO_S3_* are their defaults. */
export const S3_OPTIONS = {
  's3-bucket': { type: 'string' },
  's3-region': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-prefix': { type: 'string' },
} as const;

export const S3_USAGE = '[--s3-bucket B] [--s3-region R] [--s3-endpoint URL] [--s3-prefix P]';

/**
 * The object store the flags or the environment name (the old tool's AWS_SYSTEM_ACTORS_BUCKET
 * too); none without a bucket. Credentials come from the AWS chain (environment first), never flags.
 */
export function objectStoreFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv): ObjectStore {
  const option = (name: keyof typeof S3_OPTIONS) => values[name] as string | undefined;
  // The environment's keys, when given, are the first link of the AWS chain; else the SDK walks the rest.
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined;
  return createObjectStore({
    bucket: option('s3-bucket') ?? env.ACTOR_STUDIO_S3_BUCKET ?? env.AWS_SYSTEM_ACTORS_BUCKET,
    region: option('s3-region') ?? env.ACTOR_STUDIO_S3_REGION ?? env.AWS_REGION,
    endpoint: option('s3-endpoint') ?? env.ACTOR_STUDIO_S3_ENDPOINT,
    keyPrefix: option('s3-prefix') ?? env.ACTOR_STUDIO_S3_PREFIX ?? DEFAULT_KEY_PREFIX,
  }, credentials);
}
