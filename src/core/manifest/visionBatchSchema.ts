import { z } from 'zod';
import { fileName, isoTimestamp, plainId, sha256Hex } from './common';

/**
 * `<dataRoot>/action_plans/vision_batch.json`: the vision evaluations sent through OpenAI's Batch
 * API and not merged yet, so a restart polls them instead of submitting again. Every id is
 * checked when read: actor ids and file names become paths, batch and file ids become URLs.
 */

const tokens = z.number().int().min(0);

const batchRequest = z.looseObject({
  actor_id: plainId,
  images: z
    .array(
      z.looseObject({
        tile: z.number().int().min(1).describe('The number drawn on its tile'),
        filename: fileName,
        sha256: sha256Hex.describe('The bytes that were sent; an answer for other bytes is not used'),
      }),
    )
    .min(1),
});
export type VisionBatchRequest = z.infer<typeof batchRequest>;

export const visionBatchSchema = z
  .looseObject({
    schema_version: z.literal(1).default(1),
    model: z.string().min(1),
    created_at: isoTimestamp,
    updated_at: isoTimestamp.optional(),
    estimate: z
      .looseObject({
        requests: tokens,
        prompt_tokens: tokens,
        completion_tokens: tokens,
        sync_cost_usd: z.number().min(0).nullable(),
        batch_cost_usd: z.number().min(0).nullable(),
      })
      .describe('What was expected before submitting (an estimate)'),
    batches: z.array(
      z.looseObject({
        batch_id: z.string().regex(/^batch_[A-Za-z0-9_-]+$/, 'must be an OpenAI batch id (batch_...)'),
        input_file_id: z.string().regex(/^file-[A-Za-z0-9_-]+$/, 'must be an OpenAI file id (file-...)'),
        status: z.string().optional().describe('Last status seen'),
        requests: z
          .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a plain request id'), batchRequest)
          .describe('What each custom_id of the batch stands for: one grid of one actor'),
      }),
    ),
  })
  .describe('Vision evaluations submitted through the OpenAI Batch API and not merged yet');
export type VisionBatchState = z.infer<typeof visionBatchSchema>;
