import { z } from 'zod';
import { FAILURE_REASONS, type FailureReason } from '../manifest/failureReasons';
import { isContentFilterText } from '../generate/failures';
import { generationFailureSchema, generationSuccessSchema } from '../manifest/dataFileSchemas';
import { analyzePrompt, type GenerationFailure, type GenerationSuccess } from '../tracking/generationLog';
import { ACTORS_DIR, imageNumber, TRAINING_DIR } from '../workspace/layout';
import { rel } from './legacyFiles';
import { collect, type Collected, countsLine, isObject, type JsonObject, legacyId, objectField, readRecordFile, textField, timestampOf } from './legacyRecords';
import { fileNameOfUrl, isUrl } from '../util/legacyUrls';

/*
 * Seed 001's enhanced prompt tracker file: successful_prompts (prompt, ai_model, result_url,
 * save_method, model_parameters, quality_rating, user_feedback), failed_prompts (error_message,
 * failure_reason) and ratings listed apart. Fields the seed does not name are kept as they are.
 */

/** The enhanced tracker's file, looked for in the data folder and in tracking/. */
export const LEGACY_TRACKER_FILES = ['prompt_tracking.json', 'enhanced_prompt_tracking.json'];

/** The tracker's lists; each item is checked on its own so one bad item costs only itself. */
const trackerSchema = z.looseObject({
  successful_prompts: z.array(z.unknown()).optional(),
  failed_prompts: z.array(z.unknown()).optional(),
  ratings: z.array(z.unknown()).optional(),
  quality_ratings: z.array(z.unknown()).optional(),
});

/** The old tool's failure reason names (upper case in its Python enum), as today's reasons. */
const REASON_ALIASES: Record<string, FailureReason> = {
  nsfw: 'content_filter',
  safety: 'content_filter',
  content_policy: 'content_filter',
  rate_limited: 'rate_limit',
  too_many_requests: 'rate_limit',
  timeout_error: 'timeout',
  timed_out: 'timeout',
  network_error: 'network',
  connection_error: 'network',
  authentication: 'auth',
  auth_error: 'auth',
  unauthorized: 'auth',
  insufficient_credits: 'billing',
  payment_required: 'billing',
  quota_exceeded: 'billing',
  invalid_parameters: 'invalid_input',
  parameter_error: 'invalid_input',
  bad_request: 'invalid_input',
  api_error: 'model_error',
  server_error: 'model_error',
  download_error: 'output_download',
  download_failed: 'output_download',
  upload_error: 'storage',
  s3_error: 'storage',
  storage_error: 'storage',
};

/** Stars 1-5 from the old fields (`quality_rating`, `rating`, `stars`), or undefined. */
function starsOf(record: JsonObject): number | undefined {
  for (const name of ['quality_rating', 'rating', 'stars']) {
    const value = Number(record[name]);
    if (record[name] !== undefined && record[name] !== null && Number.isInteger(value) && value >= 1 && value <= 5) return value;
  }
  return undefined;
}

/** The actor and file an old record's result URL (or file name) names, when it is one of ours. */
function imageOf(collected: Collected, record: JsonObject): { actorId: string; filename: string } | undefined {
  const url = textField(record, 'result_url', 'url', 's3_url');
  const filename = textField(record, 'filename') ?? (url && isUrl(url) ? fileNameOfUrl(url) : undefined);
  if (!filename) return undefined;
  const named = textField(record, 'actor_id', 'actor_name');
  const actorId = collected.actorIds.find((id) => (named === undefined || named === id) && imageNumber(id, filename) !== undefined);
  return actorId ? { actorId, filename } : undefined;
}

interface TrackerCounts {
  'success(es)': number;
  'failure(s)': number;
  'rating(s)': number;
}

/** Seed 001's enhanced tracker file: successful_prompts, failed_prompts, and ratings inline or listed. */
export async function collectTracker(collected: Collected, file: string): Promise<void> {
  const tracker = await readRecordFile(collected, file, trackerSchema);
  if (!tracker) return;
  const where = rel(collected, file);
  const counts: TrackerCounts = { 'success(es)': 0, 'failure(s)': 0, 'rating(s)': 0 };
  const successByKey = new Map<string, GenerationSuccess>();
  (tracker.successful_prompts ?? []).forEach((item, position) => {
    const success = trackerSuccess(collected, `${where} successful_prompts[${position}]`, item, counts);
    if (success) {
      for (const key of [textField(item as JsonObject, 'prompt_hash'), success.result_url]) {
        if (key) successByKey.set(key, success);
      }
    }
  });
  (tracker.failed_prompts ?? []).forEach((item, position) => trackerFailure(collected, `${where} failed_prompts[${position}]`, item, counts));
  for (const list of ['ratings', 'quality_ratings'] as const) {
    (tracker[list] ?? []).forEach((item, position) => listedRating(collected, `${where} ${list}[${position}]`, item, successByKey, counts));
  }
  if (tracker.prompt_usage !== undefined) {
    collected.report.notImported.push({
      item: `${where} prompt_usage`,
      reason: 'counts only, with no times or results; usage is counted from the log and prompt_metadata.json instead',
    });
  }
  const line = countsLine(where, { ...counts });
  if (line) collected.report.imported.push(line);
}

function trackerSuccess(collected: Collected, item: string, raw: unknown, counts: TrackerCounts): GenerationSuccess | undefined {
  const base = trackerBase(collected, item, raw);
  if (!base) return undefined;
  const { record, fields } = base;
  const image = imageOf(collected, record);
  const saveMethod = textField(record, 'save_method');
  const entry = generationSuccessSchema.parse({
    id: legacyId('success', fields.legacy_timestamp ?? fields.timestamp, fields.prompt, fields.model, textField(record, 'result_url') ?? null),
    ...fields,
    ...(image ? { actor_id: image.actorId, result_path: [ACTORS_DIR, image.actorId, TRAINING_DIR, image.filename].join('/') } : {}),
    ...(saveMethod && ['auto', 'manual', 'user_save'].includes(saveMethod) ? { save_method: saveMethod } : {}),
    result_url: textField(record, 'result_url') ?? null,
  });
  if (collect(collected, 'successes', entry)) counts['success(es)']++;
  if (entry.result_path) collected.loggedResults.add(entry.result_path);
  const stars = starsOf(record);
  if (stars !== undefined) {
    rate(collected, item, entry, { stars, feedback: textField(record, 'user_feedback', 'feedback'), at: record.rated_at ?? record.rating_timestamp }, counts);
  }
  return entry;
}

/**
 * A rating of an old success: into the log's ratings when it names one of our images, else kept
 * on the imported entry itself (the prompt export reads it there). Only while the entry is new:
 * an entry already in the log keeps what it has.
 */
function rate(
  collected: Collected,
  item: string,
  success: GenerationSuccess,
  rating: { stars: number; feedback?: string; at?: unknown },
  counts: TrackerCounts,
): void {
  const file = success.result_path?.split('/').pop();
  const feedback = rating.feedback ? { feedback: rating.feedback } : {};
  if (success.actor_id && file) {
    const timestamp = timestampOf(rating.at)?.timestamp ?? success.timestamp;
    const entry = {
      id: legacyId('rating', success.id, rating.stars, rating.feedback ?? null, timestamp),
      timestamp,
      actor_id: success.actor_id,
      filename: file,
      stars: rating.stars,
      ...feedback,
    };
    if (collect(collected, 'ratings', entry)) counts['rating(s)']++;
    return;
  }
  if (collected.entries.successes.includes(success)) {
    (success as JsonObject).rating = { stars: rating.stars, ...feedback };
    counts['rating(s)']++;
    collected.report.imported.push(
      `${item}: its rating (${rating.stars} stars) names no image of an actor here, so it is kept on the log entry rather than on an image`,
    );
  }
}

function listedRating(collected: Collected, item: string, raw: unknown, successByKey: Map<string, GenerationSuccess>, counts: TrackerCounts): void {
  if (!isObject(raw)) {
    collected.report.notImported.push({ item, reason: 'not a JSON object' });
    return;
  }
  const stars = starsOf(raw);
  const key = textField(raw, 'prompt_hash') ?? textField(raw, 'result_url');
  const success = key ? successByKey.get(key) : undefined;
  if (stars === undefined) {
    collected.report.notImported.push({ item, reason: 'has no rating of 1 to 5 stars (quality_rating, rating or stars)' });
  } else if (!success) {
    collected.report.notImported.push({ item, reason: 'names no successful prompt of the file (by prompt_hash or result_url)' });
  } else {
    rate(collected, item, success, { stars, feedback: textField(raw, 'user_feedback', 'feedback'), at: raw.timestamp ?? raw.rated_at }, counts);
  }
}

function trackerFailure(collected: Collected, item: string, raw: unknown, counts: TrackerCounts): void {
  const base = trackerBase(collected, item, raw);
  if (!base) return;
  const { record, fields } = base;
  const message = textField(record, 'error_message', 'error') ?? '';
  const given = textField(record, 'failure_reason', 'reason');
  const { reason, recognised } = failureReasonOf(given, message);
  const entry: GenerationFailure = generationFailureSchema.parse({
    id: legacyId('failure', fields.legacy_timestamp ?? fields.timestamp, fields.prompt, fields.model, message),
    ...fields,
    error_message: message,
    failure_reason: reason,
    ...(given && !recognised ? { legacy_failure_reason: given } : {}),
  });
  if (!collect(collected, 'failures', entry)) return;
  counts['failure(s)']++;
  if (!recognised) {
    const original = given ? `${JSON.stringify(given)} is not one of the ten; kept as legacy_failure_reason` : 'none given';
    collected.report.imported.push(`${item}: failure reason ${original}, recorded as ${reason} from the message`);
  }
}

/** Today's reason for an old one: the same name or an alias; else the content filter's words, or a model error. */
function failureReasonOf(given: string | undefined, message: string): { reason: FailureReason; recognised: boolean } {
  const name =
    given
      ?.trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_') ?? '';
  if ((FAILURE_REASONS as readonly string[]).includes(name)) return { reason: name as FailureReason, recognised: true };
  if (REASON_ALIASES[name]) return { reason: REASON_ALIASES[name], recognised: true };
  return { reason: isContentFilterText(message) ? 'content_filter' : 'model_error', recognised: false };
}

/** The fields every old tracker record has: prompt, time, model, parameters. Reports and skips a record without them. */
function trackerBase(
  collected: Collected,
  item: string,
  raw: unknown,
): { record: JsonObject; fields: JsonObject & { timestamp: string; prompt: string; model: string; legacy_timestamp?: string } } | undefined {
  if (!isObject(raw)) {
    collected.report.notImported.push({ item, reason: 'not a JSON object' });
    return undefined;
  }
  const prompt = textField(raw, 'prompt');
  const time = timestampOf(raw.timestamp ?? raw.created_at ?? raw.logged_at);
  if (!prompt || !time) {
    collected.report.notImported.push({ item, reason: `has no ${prompt ? 'readable timestamp' : 'prompt text'}` });
    return undefined;
  }
  const parameters = objectField(raw, 'model_parameters', 'parameters');
  const model = textField(raw, 'ai_model', 'model') ?? 'unknown';
  return {
    record: raw,
    fields: {
      timestamp: time.timestamp,
      ...(time.legacy ? { legacy_timestamp: time.legacy } : {}),
      prompt_id: textField(raw, 'prompt_id') ?? null,
      prompt,
      model,
      ...(parameters ? { parameters } : {}),
      prompt_analysis: analyzePrompt(prompt),
      imported_from: item.split(' ')[0],
    },
  };
}
