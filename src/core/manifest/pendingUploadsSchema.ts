import { z } from 'zod';
import { fileName, isoTimestamp, plainId } from './common';

/** `<dataRoot>/tracking/pending_uploads.json`: uploads that failed and wait to be retried. */

export const pendingUploadSchema = z.looseObject({
  actor_id: plainId.describe('Actor id (its folder name under actors/)'),
  filename: fileName,
  key: z.string().min(1).describe('Object key the upload was headed for when queued'),
  content_type: z.string().min(1).describe('MIME type sent with the upload, e.g. image/jpeg'),
  local_path: z
    .string()
    .min(1)
    .optional()
    .describe("The local file, relative to the data folder and inside the actor's folder; default actors/<actor_id>/training_data/<filename>"),
  queued_at: isoTimestamp.describe('When the upload was (last) queued'),
  attempts: z.number().int().min(0).default(0).describe('Uploads tried so far'),
  last_error: z.string().optional().describe('Why the last attempt failed'),
  last_attempt_at: isoTimestamp.optional(),
});
export type PendingUpload = z.infer<typeof pendingUploadSchema>;

export const pendingUploadsSchema = z
  .looseObject({
    uploads: z.array(pendingUploadSchema).default([]),
  })
  .describe('Uploads waiting for the object store (S3); retried later, the local files are kept');
export type PendingUploads = z.infer<typeof pendingUploadsSchema>;
