import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { FAILURE_REASONS, type FailureReason } from '../generate/failureReasons';
import { isContentFilterText } from '../generate/failures';
import { CATEGORIES } from '../manifest/categories';
import { generationFailureSchema, generationSuccessSchema, promptMetadataSchema } from '../manifest/dataFileSchemas';
import { TRACKING_DIR } from '../storage/pendingUploadsSchema';
import {
  analyzePrompt,
  entryIds,
  GenerationLogFileError,
  importEntries,
  readGenerationLog,
  type GenerationFailure,
  type GenerationSuccess,
  type ImportedEntries,
} from '../tracking/generationLog';
import { actorPaths, imageNumber, TRAINING_DIR, ACTORS_DIR } from '../workspace/layout';
import { fileNameOfUrl, isUrl } from './legacyUrls';
import { readJson, rel } from './legacyFiles';
import type { LegacyLogReport } from './types';

/*
 * The old tool's prompt records into the generation log (seed 000's prompt_metadata.json per actor,
 * seed 001's enhanced tracker with successful_prompts, failed_prompts and 5-star ratings). Every
 * imported entry gets an id derived from where it came from and what it says, so a second import
 * finds them all present and adds nothing. The old files are only read.
 */

/** The enhanced tracker's file, looked for in the data folder and in tracking/. */
export const LEGACY_TRACKER_FILES = ['prompt_tracking.json', 'enhanced_prompt_tracking.json'];

type JsonObject = Record<string, unknown>;

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

interface Collected {
  entries: ImportedEntries;
  report: LegacyLogReport;
  known: Set<string>;
  /** result_path of every success already logged: the current tool logs what it also puts in prompt_metadata.json. */
  loggedResults: Set<string>;
  actorIds: readonly string[];
  dataRoot: string;
  realRoot: string;
}

export interface LegacyLogRequest {
  dataRoot: string;
  /** Real path of the data folder (links out of it are not read). */
  realRoot: string;
  actorIds: readonly string[];
  dryRun: boolean;
  signal?: AbortSignal;
}

/** Reads the old records and, unless a dry run, adds what the log lacks through the log's own import. */
export async function importLegacyLog(request: LegacyLogRequest): Promise<LegacyLogReport> {
  const report: LegacyLogReport = { imported: [], notImported: [], added: { successes: 0, failures: 0, ratings: 0 }, alreadyInLog: 0, changed: false };
  let collected: Collected;
  try {
    const log = await readGenerationLog(request.dataRoot, { withArchives: true });
    collected = {
      entries: { successes: [], failures: [], ratings: [] },
      report,
      known: entryIds(log),
      loggedResults: new Set(log.successes.map((entry) => entry.result_path).filter((file): file is string => Boolean(file))),
      actorIds: request.actorIds,
      dataRoot: request.dataRoot,
      realRoot: request.realRoot,
    };
  } catch (error) {
    if (!(error instanceof GenerationLogFileError)) throw error;
    report.notImported.push({ item: rel(request, error.file), reason: `${error.message}; nothing was imported into the log, fix or move the file and migrate again` });
    return report;
  }
  // The tracker first: its record of an image is richer than prompt_metadata.json's, which is then skipped.
  for (const dir of [request.dataRoot, path.join(request.dataRoot, TRACKING_DIR)]) {
    for (const name of LEGACY_TRACKER_FILES) {
      await collectTracker(collected, path.join(dir, name));
    }
  }
  for (const actorId of request.actorIds) {
    request.signal?.throwIfAborted();
    await collectPromptMetadata(collected, actorId);
  }
  const { entries } = collected;
  const pending = entries.successes.length + entries.failures.length + entries.ratings.length;
  report.changed = pending > 0;
  if (request.dryRun || pending === 0) {
    report.added = { successes: entries.successes.length, failures: entries.failures.length, ratings: entries.ratings.length };
    return report;
  }
  const { added } = await importEntries(request.dataRoot, entries);
  report.added = { successes: added.successes.length, failures: added.failures.length, ratings: added.ratings.length };
  return report;
}

/** "12 success(es), 3 failure(s), 2 rating(s) added; 5 old record(s) already there". */
export function describeLegacyLogImport(report: LegacyLogReport, dryRun: boolean): string {
  const { added, alreadyInLog } = report;
  const total = added.successes + added.failures + added.ratings;
  const counts = total === 0 ? 'nothing to add' : `${added.successes} success(es), ${added.failures} failure(s), ${added.ratings} rating(s) ${dryRun ? 'would be added' : 'added'}`;
  return `${counts}${alreadyInLog > 0 ? `; ${alreadyInLog} old record(s) already there` : ''}`;
}

/** `legacy-` and a hash of the parts: the same old record always gets the same id. */
function legacyId(...parts: unknown[]): string {
  return `legacy-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}

/** An ISO timestamp from the old tool's (Python, often zone-less) time text, or undefined. */
function timestampOf(raw: unknown): { timestamp: string; legacy?: string } | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  // Python's time() gives seconds since 1970; isoformat() text is read as it stands.
  const date = typeof raw === 'number' ? new Date(raw * 1000) : new Date(raw);
  if (Number.isNaN(date.getTime())) return undefined;
  const timestamp = date.toISOString();
  return timestamp === raw ? { timestamp } : { timestamp, legacy: String(raw) };
}

/** Adds an entry unless its id is already in the log (or was collected already). */
function collect<K extends keyof ImportedEntries>(collected: Collected, kind: K, entry: ImportedEntries[K][number]): boolean {
  const id = (entry as { id: string }).id;
  if (collected.known.has(id)) {
    collected.report.alreadyInLog++;
    return false;
  }
  collected.known.add(id);
  (collected.entries[kind] as unknown[]).push(entry);
  return true;
}

function countsLine(file: string, counts: Record<string, number>): string | undefined {
  const parts = Object.entries(counts).filter(([, count]) => count > 0).map(([what, count]) => `${count} ${what}`);
  return parts.length > 0 ? `${file}: ${parts.join(', ')} into the generation log` : undefined;
}

/** Seed 000's prompt_metadata.json: one success per image the old tool generated. */
async function collectPromptMetadata(collected: Collected, actorId: string): Promise<void> {
  const file = actorPaths(collected.dataRoot, actorId).promptMetadata;
  const read = await readJson(collected, file, promptMetadataSchema);
  const where = rel(collected, file);
  if (read.state === 'missing') return;
  if (read.state === 'invalid') {
    collected.report.notImported.push({ item: read.where, reason: `${read.reason}; its prompts were not imported into the log and the file was left as it is` });
    return;
  }
  let count = 0;
  for (const [filename, record] of Object.entries(read.value.images)) {
    const resultPath = [ACTORS_DIR, actorId, TRAINING_DIR, filename].join('/');
    const item = `${where} images["${filename}"]`;
    if (collected.loggedResults.has(resultPath)) {
      collected.report.alreadyInLog++;
      continue;
    }
    // Without a recorded time, the image file's own time places it in the log.
    const time = timestampOf(record.generated_at) ?? (await fileTime(path.join(path.dirname(file), filename)));
    if (!time) {
      collected.report.notImported.push({ item, reason: 'has no readable generated_at time and its image file is gone, so it has no place in the log' });
      continue;
    }
    const extra = record as JsonObject;
    const category = (CATEGORIES as readonly unknown[]).includes(extra.category) ? extra.category : undefined;
    const entry = generationSuccessSchema.parse({
      id: legacyId('prompt_metadata', actorId, filename),
      timestamp: time.timestamp,
      actor_id: actorId,
      prompt_id: typeof extra.prompt_id === 'string' ? extra.prompt_id : null,
      prompt: record.prompt,
      model: textField(extra, 'model', 'ai_model') ?? 'unknown',
      ...(category ? { category } : {}),
      prompt_analysis: analyzePrompt(record.prompt),
      result_path: resultPath,
      result_url: isUrl(record.s3_url) ? record.s3_url : null,
      imported_from: where,
      ...(time.legacy ? { legacy_timestamp: time.legacy } : {}),
    });
    if (collect(collected, 'successes', entry)) count++;
  }
  const line = countsLine(where, { 'success(es)': count });
  if (line) collected.report.imported.push(line);
}

async function fileTime(file: string): Promise<{ timestamp: string; legacy: string } | undefined> {
  const stat = await fs.stat(file).catch(() => undefined);
  return stat?.isFile() ? { timestamp: stat.mtime.toISOString(), legacy: 'the image file\'s modification time' } : undefined;
}

function textField(record: JsonObject, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

function objectField(record: JsonObject, ...names: string[]): JsonObject | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  }
  return undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
async function collectTracker(collected: Collected, file: string): Promise<void> {
  const read = await readJson(collected, file, trackerSchema);
  const where = rel(collected, file);
  if (read.state === 'missing') return;
  if (read.state === 'invalid') {
    collected.report.notImported.push({ item: read.where, reason: `${read.reason}; nothing of it was imported into the log and the file was left as it is` });
    return;
  }
  const tracker = read.value;
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
    collected.report.notImported.push({ item: `${where} prompt_usage`, reason: 'counts only, with no times or results; usage is counted from the log and prompt_metadata.json instead' });
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
function rate(collected: Collected, item: string, success: GenerationSuccess, rating: { stars: number; feedback?: string; at?: unknown }, counts: TrackerCounts): void {
  const file = success.result_path?.split('/').pop();
  const feedback = rating.feedback ? { feedback: rating.feedback } : {};
  if (success.actor_id && file) {
    const timestamp = timestampOf(rating.at)?.timestamp ?? success.timestamp;
    const entry = { id: legacyId('rating', success.id, rating.stars, rating.feedback ?? null, timestamp), timestamp, actor_id: success.actor_id, filename: file, stars: rating.stars, ...feedback };
    if (collect(collected, 'ratings', entry)) counts['rating(s)']++;
    return;
  }
  if (collected.entries.successes.includes(success)) {
    (success as JsonObject).rating = { stars: rating.stars, ...feedback };
    counts['rating(s)']++;
    collected.report.imported.push(`${item}: its rating (${rating.stars} stars) names no image of an actor here, so it is kept on the log entry rather than on an image`);
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
  const name = given?.trim().toLowerCase().replace(/[\s-]+/g, '_') ?? '';
  if ((FAILURE_REASONS as readonly string[]).includes(name)) return { reason: name as FailureReason, recognised: true };
  if (REASON_ALIASES[name]) return { reason: REASON_ALIASES[name], recognised: true };
  return { reason: isContentFilterText(message) ? 'content_filter' : 'model_error', recognised: false };
}

/** The fields every old tracker record has: prompt, time, model, parameters. Reports and skips a record without them. */
function trackerBase(collected: Collected, item: string, raw: unknown): { record: JsonObject; fields: JsonObject & { timestamp: string; prompt: string; model: string; legacy_timestamp?: string } } | undefined {
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
