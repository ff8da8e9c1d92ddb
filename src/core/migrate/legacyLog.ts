import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CATEGORIES } from '../manifest/categories';
import { generationSuccessSchema, promptMetadataSchema } from '../manifest/dataFileSchemas';
import { manifestSchema } from '../manifest/manifestSchema';
import { TRACKING_DIR } from '../workspace/layout';
import { analyzePrompt, entryIds, GenerationLogFileError, importEntries, readGenerationLog } from '../tracking/generationLog';
import { ACTORS_DIR, actorPaths, TRAINING_DIR } from '../workspace/layout';
import { readJson, rel } from './legacyFiles';
import { collect, type Collected, countsLine, type JsonObject, legacyId, readRecordFile, textField, timestampOf } from './legacyRecords';
import { collectTracker, LEGACY_TRACKER_FILES } from './legacyTracker';
import { isUrl } from '../util/legacyUrls';
import type { LegacyLogReport } from './types';
import { isoTime } from '../util/time';

/*
 * The old tool's prompt records into the generation log (seed 000's prompt_metadata.json per actor,
 * seed 001's enhanced tracker with successful_prompts, failed_prompts and 5-star ratings). Every
 * imported entry gets an id derived from where it came from and what it says, so a second import
 * finds them all present and adds nothing. The old files are only read.
 */

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
      loggedRatings: new Set(log.ratings.map(ratingKey)),
      actorIds: request.actorIds,
      dataRoot: request.dataRoot,
      realRoot: request.realRoot,
    };
  } catch (error) {
    if (!(error instanceof GenerationLogFileError)) throw error;
    report.notImported.push({
      item: rel(request, error.file),
      reason: `${error.message}; nothing was imported into the log, fix or move the file and migrate again`,
    });
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
    await collectManifestRatings(collected, actorId);
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
  const counts =
    total === 0
      ? 'nothing to add'
      : `${added.successes} success(es), ${added.failures} failure(s), ${added.ratings} rating(s) ${dryRun ? 'would be added' : 'added'}`;
  return `${counts}${alreadyInLog > 0 ? `; ${alreadyInLog} old record(s) already there` : ''}`;
}

/** Seed 000's prompt_metadata.json: one success per image the old tool generated. */
async function collectPromptMetadata(collected: Collected, actorId: string): Promise<void> {
  const file = actorPaths(collected.dataRoot, actorId).promptMetadata;
  const metadata = await readRecordFile(collected, file, promptMetadataSchema);
  if (!metadata) return;
  const where = rel(collected, file);
  let count = 0;
  for (const [filename, record] of Object.entries(metadata.images)) {
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
  return stat?.isFile() ? { timestamp: isoTime(stat.mtime), legacy: "the image file's modification time" } : undefined;
}

/** The same rating of the same image, however it came into the log. */
function ratingKey(rating: { actor_id: string; filename: string; stars: number | null }): string {
  return `${rating.actor_id}/${rating.filename}/${rating.stars}`;
}

/**
 * Ratings kept only in a manifest (made before the log had ratings) into the log's ratings. An
 * invalid manifest is left to the manifest migration, which reports it.
 */
async function collectManifestRatings(collected: Collected, actorId: string): Promise<void> {
  const read = await readJson(collected, actorPaths(collected.dataRoot, actorId).manifest, manifestSchema);
  if (read.state !== 'ok') return;
  let count = 0;
  for (const image of read.value.images) {
    const rating = image.rating;
    if (!rating) continue;
    if (collected.loggedRatings.has(ratingKey({ actor_id: actorId, filename: image.filename, stars: rating.stars }))) {
      collected.report.alreadyInLog++;
      continue;
    }
    const time = timestampOf(rating.rated_at) ?? timestampOf(image.created_at);
    const timestamp = time?.timestamp ?? (await fileTime(path.join(actorPaths(collected.dataRoot, actorId).trainingDir, image.filename)))?.timestamp;
    if (!timestamp) {
      collected.report.notImported.push({
        item: `${rel(collected, actorPaths(collected.dataRoot, actorId).manifest)} ${image.filename} rating`,
        reason: 'has no time (rated_at), and the image file is gone',
      });
      continue;
    }
    const entry = {
      id: legacyId('manifest_rating', actorId, image.filename, rating.stars, rating.feedback ?? null),
      timestamp,
      actor_id: actorId,
      filename: image.filename,
      stars: rating.stars,
      ...(rating.feedback ? { feedback: rating.feedback } : {}),
    };
    if (collect(collected, 'ratings', entry)) count++;
  }
  const line = countsLine(rel(collected, actorPaths(collected.dataRoot, actorId).manifest), { 'rating(s)': count });
  if (line) collected.report.imported.push(line);
}
