import { StudioError } from '../errors';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomicWrite';
import { withFileLock } from '../fs/fileLock';
import type { FailureReason } from '../manifest/failureReasons';
import { redactSecrets } from '../util/redact';
import type { TrainingCategory } from '../manifest/categories';
import { generationFailureSchema, generationLogSchema, generationSuccessSchema, ratingLogEntrySchema } from '../manifest/dataFileSchemas';
import { describeJsonProblems, formatJson, JsonProblem, readJsonFile } from '../manifest/jsonFile';
import { assertWritableInside } from '../workspace/guards';
import { generationArchivePath, generationLogPath, trackingDir, trackingLockPath } from '../workspace/layout';
import { isoTime } from '../util/time';

/*
 * `<dataRoot>/tracking/generation_log.json`: every generation attempt (panel, CLI, plan execution)
 * and every rating given to an image. The live log holds the newest `cap` successes, failures and
 * ratings (each kind on its own); older entries move
 * to numbered archives `generation_log.archive-<n>.json` (same schema), each holding at most `cap`
 * of each kind. Numbered files rather than one archive per kind: each archive stays bounded (a
 * rewrite costs no more than the log's own), is valid JSON of the same schema (one reader), and is
 * written atomically like the log; append-only JSONL could be torn by a crash mid-append.
 */

export type GenerationLog = z.output<typeof generationLogSchema>;
export type GenerationSuccess = z.output<typeof generationSuccessSchema>;
export type GenerationFailure = z.output<typeof generationFailureSchema>;
export type RatingLogEntry = z.output<typeof ratingLogEntrySchema>;

/** The kinds of entries the log holds; each is capped and archived on its own. */
const LOG_KINDS = ['successes', 'failures', 'ratings'] as const;
type LogKind = (typeof LOG_KINDS)[number];
type LogEntries = Pick<GenerationLog, LogKind>;

/** The original tool's limit, per kind (ratings too). */
export const GENERATION_LOG_CAP = 2000;
const ARCHIVE_FILE = /^generation_log\.archive-(\d+)\.json$/;

const lockPath = (dataRoot: string) => trackingLockPath(dataRoot, 'generation_log');

export class GenerationLogFileError extends StudioError {
  constructor(
    override readonly file: string,
    readonly problems: JsonProblem[],
    readonly movedTo?: string,
  ) {
    super(
      `${file} is not a valid generation log` +
        (movedTo ? `; it was set aside as ${path.basename(movedTo)} and a new log started: ` : ': ') +
        describeJsonProblems(file, problems),
      'input',
    );
    this.name = 'GenerationLogFileError';
  }
}

interface AttemptInput {
  actorId?: string;
  promptId?: string | null;
  prompt: string;
  model: string;
  parameters?: Record<string, unknown>;
  durationMs?: number;
  category?: TrainingCategory;
  /** auto: plan execution; manual: the generator panel or the CLI. */
  saveMethod: 'auto' | 'manual' | 'user_save';
}

export interface SuccessInput extends AttemptInput {
  /** The saved image: absolute, or relative to the data folder. */
  resultPath: string;
  resultUrl?: string | null;
}

export interface FailureInput extends AttemptInput {
  error: unknown;
  failureReason: FailureReason;
}

export interface RatingInput {
  actorId: string;
  filename: string;
  /** null records that the rating was cleared. */
  stars: number | null;
  feedback?: string;
}

export interface LogOptions {
  /** Entries of each kind kept in the live log; the rest go to archives. Tests use a small one. */
  cap?: number;
  now?: () => Date;
  lockTimeoutMs?: number;
}

export interface RecordOutcome<T> {
  entry: T;
  /** Archive files written by this call (entries rolled out of the live log). */
  archived: string[];
  /** Set when the log was invalid: it was renamed aside (error.movedTo) and a new one started. */
  corrupt?: GenerationLogFileError;
}

export interface PromptAnalysis {
  length: number;
  word_count: number;
  special_characters: number;
}

/** Length in characters, words, and characters that are neither letters, digits nor white space. */
export function analyzePrompt(text: string): PromptAnalysis {
  return {
    length: [...text].length,
    word_count: text.trim() === '' ? 0 : text.trim().split(/\s+/u).length,
    special_characters: (text.match(/[^\p{L}\p{N}\s]/gu) ?? []).length,
  };
}

/** An error message safe to keep: API tokens and inline image data removed, bounded length. */
export function safeErrorMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const text = redactSecrets(raw, []);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/** Logged parameters never carry image data, whatever a generator put there. */
function withoutImageData(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return '[binary data]';
  }
  if (typeof value === 'string') {
    return value.startsWith('data:') ? '[image data]' : value;
  }
  if (Array.isArray(value)) {
    return value.map(withoutImageData);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutImageData(inner)]));
  }
  return value;
}

function baseEntry(input: AttemptInput, now: Date) {
  return {
    id: randomUUID(),
    timestamp: isoTime(now),
    ...(input.actorId ? { actor_id: input.actorId } : {}),
    prompt_id: input.promptId ?? null,
    prompt: input.prompt,
    model: input.model,
    ...(input.parameters ? { parameters: withoutImageData(input.parameters) as Record<string, unknown> } : {}),
    ...(input.durationMs !== undefined ? { duration_ms: Math.max(0, Math.round(input.durationMs)) } : {}),
    ...(input.category ? { category: input.category } : {}),
    save_method: input.saveMethod,
    prompt_analysis: analyzePrompt(input.prompt),
  };
}

export async function recordSuccess(dataRoot: string, input: SuccessInput, options: LogOptions = {}): Promise<RecordOutcome<GenerationSuccess>> {
  const now = (options.now ?? (() => new Date()))();
  const relative = path.isAbsolute(input.resultPath) ? path.relative(dataRoot, input.resultPath) : input.resultPath;
  const entry = generationSuccessSchema.parse({
    ...baseEntry(input, now),
    result_path: relative.split(path.sep).join('/'),
    result_url: input.resultUrl ?? null,
  });
  return record(dataRoot, 'successes', entry, options);
}

export async function recordFailure(dataRoot: string, input: FailureInput, options: LogOptions = {}): Promise<RecordOutcome<GenerationFailure>> {
  const now = (options.now ?? (() => new Date()))();
  const entry = generationFailureSchema.parse({
    ...baseEntry(input, now),
    error_message: safeErrorMessage(input.error),
    failure_reason: input.failureReason,
  });
  return record(dataRoot, 'failures', entry, options);
}

/** Appends a rating to the log's history (the image's manifest entry holds the current rating). */
export async function recordRating(dataRoot: string, input: RatingInput, options: LogOptions = {}): Promise<RecordOutcome<RatingLogEntry>> {
  const now = (options.now ?? (() => new Date()))();
  const entry = ratingLogEntrySchema.parse({
    id: randomUUID(),
    timestamp: isoTime(now),
    actor_id: input.actorId,
    filename: input.filename,
    stars: input.stars,
    ...(input.feedback !== undefined ? { feedback: input.feedback } : {}),
  });
  return record(dataRoot, 'ratings', entry, options);
}

/**
 * For callers whose own work matters more than the log (a generation that succeeded stays a
 * success): runs a record and returns what went wrong with the log as a warning, never throws.
 */
export async function logQuietly(write: () => Promise<RecordOutcome<unknown>>): Promise<string | undefined> {
  try {
    const outcome = await write();
    return outcome.corrupt?.message;
  } catch (error) {
    return `the generation log was not updated: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function record<K extends LogKind>(
  dataRoot: string,
  kind: K,
  entry: GenerationLog[K][number],
  options: LogOptions,
): Promise<RecordOutcome<GenerationLog[K][number]>> {
  const { archived, corrupt } = await updateLog(dataRoot, options, true, (log) => {
    (log[kind] as GenerationLog[K][number][]).push(entry);
  });
  return { entry, archived, ...(corrupt ? { corrupt } : {}) };
}

export interface ImportedEntries {
  successes: GenerationSuccess[];
  failures: GenerationFailure[];
  ratings: GenerationLog['ratings'];
}

/**
 * Adds entries made elsewhere (older logs) that carry their own ids: an id already in the log or
 * an archive is skipped, so importing twice adds nothing. Entries are merged in time order, so
 * the cap rolls the oldest into archives. An invalid log is not set aside here: the import is
 * refused with GenerationLogFileError, the caller reports it.
 */
export async function importEntries(
  dataRoot: string,
  entries: ImportedEntries,
  options: LogOptions = {},
): Promise<{ added: ImportedEntries; archived: string[] }> {
  const added: ImportedEntries = { successes: [], failures: [], ratings: [] };
  const { archived } = await updateLog(dataRoot, options, false, async (log) => {
    const known = entryIds(await readGenerationLog(dataRoot, { withArchives: true }));
    for (const kind of ['successes', 'failures', 'ratings'] as const) {
      const fresh = (entries[kind] as Array<{ id?: unknown }>).filter((entry) => typeof entry.id === 'string' && !known.has(entry.id));
      (added[kind] as unknown[]).push(...fresh);
      const merged = [...log[kind], ...fresh] as Array<{ timestamp: string }>;
      // A stable sort: entries already in order stay so.
      merged.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      (log[kind] as unknown[]) = merged;
    }
  });
  return { added, archived };
}

/** Ids of every entry of a log, ratings included. */
export function entryIds(log: GenerationLog): Set<string> {
  const ids = [...log.successes, ...log.failures, ...log.ratings].map((entry) => (entry as { id?: unknown }).id);
  return new Set(ids.filter((id): id is string => typeof id === 'string'));
}

/**
 * Changes the log under its lock, rolls what exceeds the cap into archives and writes it. With
 * `setAsideCorrupt`, an invalid log is renamed aside and a new one started (an attempt must be
 * logged); without, GenerationLogFileError is thrown and nothing is written.
 */
async function updateLog(
  dataRoot: string,
  options: LogOptions,
  setAsideCorrupt: boolean,
  change: (log: GenerationLog) => void | Promise<void>,
): Promise<{ archived: string[]; corrupt?: GenerationLogFileError }> {
  const cap = options.cap ?? GENERATION_LOG_CAP;
  const now = options.now ?? (() => new Date());
  const file = generationLogPath(dataRoot);
  await assertWritableInside(dataRoot, file);
  await fs.mkdir(path.dirname(file), { recursive: true });
  return withFileLock(
    lockPath(dataRoot),
    async () => {
      let log: GenerationLog;
      let corrupt: GenerationLogFileError | undefined;
      try {
        log = await readLogFile(file);
      } catch (error) {
        if (!(error instanceof GenerationLogFileError) || !setAsideCorrupt) {
          throw error;
        }
        // Never overwrite a log we cannot read: it moves aside whole, and a new log starts.
        const movedTo = await setAside(file, now());
        corrupt = new GenerationLogFileError(file, error.problems, movedTo);
        log = generationLogSchema.parse({});
      }
      await change(log);
      const rolled = Object.fromEntries(LOG_KINDS.map((each) => [each, log[each].splice(0, Math.max(0, log[each].length - cap))])) as LogEntries;
      // The archive is written first: a crash in between leaves entries twice (ids tell), never none.
      const archived = await archive(dataRoot, rolled, cap);
      await writeFileAtomic(file, formatJson(log));
      return { archived, ...(corrupt ? { corrupt } : {}) };
    },
    { timeoutMs: options.lockTimeoutMs ?? 30_000 },
  );
}

/** The log; empty when missing. Throws GenerationLogFileError (naming the file) when invalid. */
async function readLogFile(file: string): Promise<GenerationLog> {
  try {
    const result = await readJsonFile(file, generationLogSchema);
    if (!result.ok) {
      throw new GenerationLogFileError(file, result.problems);
    }
    return result.value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return generationLogSchema.parse({});
    }
    throw error;
  }
}

/** Renames `file` to `generation_log.corrupt-<timestamp>.json`, never over an earlier one. */
async function setAside(file: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let attempt = 0; ; attempt++) {
    const target = path.join(path.dirname(file), `generation_log.corrupt-${stamp}${attempt ? `-${attempt}` : ''}.json`);
    try {
      // link fails when the target exists, where rename would silently replace it.
      await fs.link(file, target);
      await fs.rm(file);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
  }
}

/** The archive numbers present, ascending. */
export async function listGenerationArchives(dataRoot: string): Promise<number[]> {
  const names = await fs.readdir(trackingDir(dataRoot)).catch(() => [] as string[]);
  return names
    .map((name) => Number(ARCHIVE_FILE.exec(name)?.[1]))
    .filter((number) => Number.isInteger(number) && number > 0)
    .sort((a, b) => a - b);
}

/** Appends rolled entries to the newest archive until it holds `cap` of a kind, then starts the next. */
async function archive(dataRoot: string, rolled: LogEntries, cap: number): Promise<string[]> {
  const left = (entries: LogEntries) => LOG_KINDS.some((kind) => entries[kind].length > 0);
  if (!left(rolled)) {
    return [];
  }
  const written: string[] = [];
  let number = (await listGenerationArchives(dataRoot)).at(-1) ?? 1;
  let current = await readArchive(generationArchivePath(dataRoot, number));
  if (!current) {
    number++; // an unreadable archive is left as it is
    current = generationLogSchema.parse({});
  }
  const pending = Object.fromEntries(LOG_KINDS.map((kind) => [kind, [...rolled[kind]]])) as LogEntries;
  while (left(pending)) {
    let moved = 0;
    for (const kind of LOG_KINDS) {
      const target = current[kind] as Array<{ id?: string }>;
      const known = new Set(target.map((entry) => entry.id).filter(Boolean));
      const room = Math.max(0, cap - target.length);
      const batch = pending[kind].splice(0, room);
      target.push(...batch.filter((entry) => !entry.id || !known.has(entry.id)));
      moved += batch.length;
    }
    if (moved > 0) {
      const file = generationArchivePath(dataRoot, number);
      await writeFileAtomic(file, formatJson(current));
      written.push(file);
    }
    if (left(pending)) {
      number++;
      current = generationLogSchema.parse({});
    }
  }
  return written;
}

async function readArchive(file: string): Promise<GenerationLog | undefined> {
  try {
    return await readLogFile(file);
  } catch (error) {
    if (error instanceof GenerationLogFileError) {
      return undefined;
    }
    throw error;
  }
}

/**
 * The live log (empty when there is none). With `withArchives`, archived entries come first,
 * oldest archive first, without the duplicates a crash between archive and log may leave.
 * Throws GenerationLogFileError naming the file when the log is invalid; reading moves nothing.
 */
export async function readGenerationLog(dataRoot: string, options: { withArchives?: boolean } = {}): Promise<GenerationLog> {
  const log = await readLogFile(generationLogPath(dataRoot));
  if (!options.withArchives) {
    return log;
  }
  const merged = generationLogSchema.parse({});
  const seen = new Set<string>();
  const add = (from: GenerationLog) => {
    for (const kind of LOG_KINDS) {
      for (const entry of from[kind]) {
        if (entry.id && seen.has(entry.id)) {
          continue;
        }
        if (entry.id) {
          seen.add(entry.id);
        }
        (merged[kind] as unknown[]).push(entry);
      }
    }
  };
  for (const number of await listGenerationArchives(dataRoot)) {
    add(await readLogFile(generationArchivePath(dataRoot, number)));
  }
  add(log);
  return merged;
}
