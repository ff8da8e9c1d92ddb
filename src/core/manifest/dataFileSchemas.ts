import { z } from 'zod';
import { TRAINING_CATEGORIES } from './categories';
import { category, fileName, isoTimestamp, parameters, plainId, sha256Hex } from './common';
import { manifestSchema } from './manifestSchema';
import { pendingUploadsSchema } from './pendingUploadsSchema';
import { visionBatchSchema } from './visionBatchSchema';
import { captionUndoSchema } from './captionUndoSchema';
import { FAILURE_REASONS } from './failureReasons';

/** prompt_metadata.json, kept in step with the manifest for the old tool's readers. */
export const promptMetadataSchema = z
  .looseObject({
    images: z
      .record(
        fileName,
        z.looseObject({
          prompt: z.string(),
          prompt_preview: z.string().optional().describe('First 100 characters of the prompt'),
          generated_at: isoTimestamp.optional(),
          s3_url: z.string().optional(),
          index: z.number().int().min(0).optional(),
        }),
      )
      .default({}),
  })
  .describe('Prompt metadata per image (legacy format, kept in step)');

/** response.json: the old tool's list of uploaded URLs; migrated, and kept in step where it exists (manifest/legacyResponse.ts). */
export const legacyResponseSchema = z.union([z.array(z.unknown()), z.looseObject({})]).describe('Legacy list of S3 URLs written by the old tool');

const actionPlanDeletion = z.looseObject({
  filename: fileName,
  reason: z.string(),
  rule: z.enum(['failed_checks', 'duplicate', 'over_quota']).optional().describe('Why the planner chose it'),
  sha256: sha256Hex.optional(),
});

const perCategory = z.partialRecord(z.enum(TRAINING_CATEGORIES), z.number().int().min(0));

const actionPlanGeneration = z.looseObject({
  category: z.enum(TRAINING_CATEGORIES),
  prompt_id: z.string(),
  prompt: z.string().optional(),
});

export const actionPlanSchema = z
  .looseObject({
    schema_version: z.literal(1).default(1),
    actor_id: plainId,
    created_at: isoTimestamp.optional(),
    evaluator: z.string().optional(),
    thresholds: z.record(z.string(), z.unknown()).optional(),
    evaluation_usage: z
      .looseObject({
        model: z.string(),
        requests: z.number().int().min(0),
        prompt_tokens: z.number().int().min(0),
        completion_tokens: z.number().int().min(0),
        estimated_cost_usd: z.number().min(0).nullable(),
      })
      .optional()
      .describe('What evaluating for this plan paid for (vision model tokens, estimated cost)'),
    seed: z.number().int().optional(),
    target: perCategory.optional(),
    kept: perCategory.optional().describe('Images left per category after the deletions'),
    unfilled: perCategory.optional().describe('Generations no unused prompt was left for'),
    unclassified: z.array(fileName).optional().describe('Images in no category, never deleted for quota'),
    stale_evaluations: z.array(fileName).optional().describe('Evaluations made for other file contents'),
    seen: z.record(fileName, sha256Hex).optional().describe('Content hashes the plan was made from'),
    deletions: z.array(actionPlanDeletion).default([]),
    generations: z.array(actionPlanGeneration).default([]),
  })
  .describe('Action plan for one actor: deletions and generations, editable before execution');

const count = z.number().int().min(0);

export const planSummarySchema = z
  .looseObject({
    created_at: isoTimestamp.optional(),
    updated_at: isoTimestamp.optional(),
    totals: z.looseObject({ actors: count, deletions: count, generations: count }).optional(),
    actors: z
      .array(
        z.looseObject({
          actor_id: z.string(),
          deletions: count.optional(),
          generations: count.optional(),
          generations_by_category: perCategory.optional(),
          planned_at: isoTimestamp.optional(),
        }),
      )
      .default([]),
  })
  .describe('Summary of the action plans across actors');

export const progressSchema = z
  .looseObject({
    run_id: plainId.optional(),
    task: z.string().optional().describe('What the run does, e.g. plan_all'),
    total: count.optional(),
    started_at: isoTimestamp.optional(),
    finished_at: isoTimestamp.optional(),
    updated_at: isoTimestamp.optional(),
    completed: z.array(z.string()).default([]),
    failed: z.array(z.looseObject({ id: z.string(), reason: z.string().optional() })).default([]),
    operations: z.array(z.looseObject({ id: z.string(), state: z.string() })).optional(),
  })
  .describe('Progress of planning or execution, so an interrupted run resumes');

const balanceImage = z.looseObject({ filename: z.string(), prompt_id: z.string().optional() });

export const balanceStateSchema = z
  .looseObject({
    run_id: plainId,
    actor_ids: z.array(plainId),
    max_rounds: count,
    budget_usd: z.number().nonnegative().nullable().describe('The spending limit of the run; null: none'),
    round: count.describe('Rounds started so far'),
    phase: z.enum(['plan', 'execute', 'finished']),
    stopped_by: z.enum(['balanced', 'max_rounds', 'budget', 'cancelled', 'no_progress']).optional(),
    spent_usd: z.number().nonnegative().describe('Paid requests so far (reserved before each request, kept when paid)'),
    executions: z.array(plainId).default([]).describe('Execution run ids of this balance run'),
    actors: z
      .record(
        plainId,
        z.looseObject({
          rounds: count.default(0),
          generated: z.array(balanceImage).default([]),
          rejected: z.array(balanceImage.extend({ reason: z.string() })).default([]),
          reached: z.boolean().default(false),
        }),
      )
      .default({}),
    started_at: isoTimestamp.optional(),
    updated_at: isoTimestamp.optional(),
  })
  .describe('A Balance run: rounds of execute, evaluate and re-plan until the targets are met, within a budget');

export const promptLibrarySchema = z
  .looseObject({
    prompts: z
      .array(
        z.looseObject({
          id: z.string().regex(/^[a-z0-9_.-]+$/, 'use lower-case letters, digits, _ . -'),
          label: z.string().optional(),
          category: z.enum(TRAINING_CATEGORIES).optional(),
          template: z.string().optional().describe('Prompt text; {descriptor} becomes man/woman/person'),
          disabled: z.boolean().optional(),
        }),
      )
      .default([]),
  })
  .describe('User prompt library: adds, overrides (same id) or disables built-in prompts');

const logEntryBase = {
  id: z.string().optional(),
  timestamp: isoTimestamp,
  actor_id: z.string().optional(),
  prompt_id: z.string().nullable().optional(),
  prompt: z.string(),
  model: z.string(),
  parameters: parameters.optional(),
  duration_ms: z.number().min(0).optional(),
  category: category.optional(),
  save_method: z.enum(['auto', 'manual', 'user_save']).optional().describe('auto: plan execution; manual: generator panel or CLI'),
  prompt_analysis: z
    .looseObject({
      length: z.number().int().min(0),
      word_count: z.number().int().min(0),
      special_characters: z.number().int().min(0).describe('Characters that are neither letters, digits nor white space'),
    })
    .optional(),
};

export const generationSuccessSchema = z.looseObject({
  ...logEntryBase,
  result_path: z.string().optional().describe('Relative to the data folder'),
  result_url: z.string().nullable().optional(),
});

export const generationFailureSchema = z.looseObject({
  ...logEntryBase,
  error_message: z.string(),
  failure_reason: z.enum(FAILURE_REASONS),
});

/** One rating given to an image (the manifest holds the current one; the log keeps every one). */
export const ratingLogEntrySchema = z.looseObject({
  id: z.string().optional(),
  timestamp: isoTimestamp,
  actor_id: z.string(),
  filename: fileName,
  stars: z.number().int().min(1).max(5).nullable().describe('null: the rating was cleared (the newest entry of an image counts)'),
  feedback: z.string().optional(),
});

export const generationLogSchema = z
  .looseObject({
    successes: z.array(generationSuccessSchema).default([]),
    failures: z.array(generationFailureSchema).default([]),
    ratings: z.array(ratingLogEntrySchema).default([]),
  })
  .describe('Generation log: every attempt, success or failure, and ratings');

export const executionJournalSchema = z
  .looseObject({
    schema_version: z.literal(1).default(1),
    run_id: plainId,
    mode: z.enum(['everything', 'delete_only', 'generate_only']),
    actor_ids: z.array(plainId),
    status: z.enum(['running', 'cancelled', 'completed']),
    generator: z.looseObject({ provider: z.string(), model: z.string() }).optional(),
    started_at: isoTimestamp,
    updated_at: isoTimestamp.optional(),
    finished_at: isoTimestamp.optional(),
    undone_at: isoTimestamp.optional().describe('When the deletions of this run were put back'),
    trash_emptied_at: isoTimestamp.optional().describe('When the files this run moved to the trash were deleted for good (Empty Trash)'),
    skipped_actors: z.array(z.looseObject({ actor_id: plainId, reason: z.string() })).default([]),
    operations: z
      .array(
        z.looseObject({
          id: z.string(),
          actor_id: plainId,
          kind: z.enum(['delete', 'generate']),
          state: z.enum(['pending', 'started', 'done', 'failed', 'skipped']),
          filename: fileName.optional(),
          reason: z.string().optional(),
          sha256: sha256Hex.optional().describe('delete: the content the plan saw; a changed file is not deleted'),
          category: z.enum(TRAINING_CATEGORIES).optional(),
          prompt_id: z.string().optional(),
          prompt: z.string().optional(),
          number: z.number().int().min(0).optional().describe('generate: the image number reserved for it'),
          failure_reason: z.string().optional(),
          error: z.string().optional(),
          skip_reason: z.string().optional(),
          warning: z.string().optional(),
          started_at: isoTimestamp.optional(),
          finished_at: isoTimestamp.optional(),
        }),
      )
      .default([]),
  })
  .describe('Journal of one execution run: every operation before and after it happens, so a crash resumes');

/** One entry per kind of JSON file in the data folder: the schema and where such files live. */
export interface DataFileKind {
  id: string;
  title: string;
  schema: z.ZodType;
  /** Glob patterns relative to the workspace, for `contributes.jsonValidation`. */
  fileMatch: string[];
}

/** `<image>.json` beside a paid image whose save failed (data/recovered/<actorId>/): enough to save it as if it had never failed. */
export const recoveredImageSchema = z
  .looseObject({
    actor_id: plainId,
    prompt_id: z.string().nullable().describe('null: a custom prompt (its text is the prompt)'),
    prompt: z.string(),
    base_image: z.string().optional().describe("The base image file, when it was not the actor's own"),
    category: z.enum(TRAINING_CATEGORIES),
    model: z.string(),
    parameters: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().nullable().optional(),
    prediction_id: z.string().optional(),
    duration_ms: z.number().default(0),
    recovered_at: isoTimestamp,
    save_error: z.string().describe('Why the save failed; `actor-studio reconcile --fix` adopts the image'),
  })
  .describe('A paid image kept in data/recovered after its save failed');

export const DATA_FILE_KINDS: DataFileKind[] = [
  { id: 'manifest', title: 'Actor manifest', schema: manifestSchema, fileMatch: ['**/actors/*/training_data/manifest.json'] },
  {
    id: 'prompt-metadata',
    title: 'Prompt metadata',
    schema: promptMetadataSchema,
    fileMatch: ['**/actors/*/training_data/prompt_metadata.json'],
  },
  {
    id: 'legacy-response',
    title: 'Legacy response list',
    schema: legacyResponseSchema,
    fileMatch: ['**/actors/*/training_data/response.json'],
  },
  { id: 'action-plan', title: 'Action plan', schema: actionPlanSchema, fileMatch: ['**/action_plans/*_action_plan.json'] },
  { id: 'plan-summary', title: 'Plan summary', schema: planSummarySchema, fileMatch: ['**/action_plans/summary.json'] },
  { id: 'progress', title: 'Progress journal', schema: progressSchema, fileMatch: ['**/action_plans/progress.json'] },
  { id: 'execution-journal', title: 'Execution journal', schema: executionJournalSchema, fileMatch: ['**/action_plans/runs/*.json'] },
  { id: 'balance-state', title: 'Balance run', schema: balanceStateSchema, fileMatch: ['**/action_plans/balance/*.json'] },
  { id: 'prompt-library', title: 'Prompt library', schema: promptLibrarySchema, fileMatch: ['**/data/prompts.json'] },
  {
    id: 'pending-uploads',
    title: 'Pending uploads',
    schema: pendingUploadsSchema,
    fileMatch: ['**/tracking/pending_uploads.json'],
  },
  {
    id: 'generation-log',
    title: 'Generation log',
    schema: generationLogSchema,
    fileMatch: ['**/tracking/generation_log.json', '**/tracking/generation_log.archive-*.json'],
  },
  { id: 'recovered-image', title: 'Recovered image record', schema: recoveredImageSchema, fileMatch: ['**/recovered/*/*.json'] },
  { id: 'vision-batch', title: 'Vision batch', schema: visionBatchSchema, fileMatch: ['**/action_plans/vision_batch.json'] },
  { id: 'caption-undo', title: 'Caption edits to undo', schema: captionUndoSchema, fileMatch: ['**/action_plans/caption_undo.json'] },
];

/** JSON Schema (draft-07, which VS Code's JSON service reads fully) for one kind of file. */
export function jsonSchemaFor(kind: DataFileKind): Record<string, unknown> {
  const schema = z.toJSONSchema(kind.schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return { ...schema, title: kind.title };
}
