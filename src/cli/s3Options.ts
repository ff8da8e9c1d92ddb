/** Flags every command that touches the object store takes; they override the `actorStudio.s3.*` settings (core/config). */
export const S3_OPTIONS = {
  's3-bucket': { type: 'string' },
  's3-region': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-prefix': { type: 'string' },
} as const;

export const S3_USAGE = '[--s3-bucket B] [--s3-region R] [--s3-endpoint URL] [--s3-prefix P]';
