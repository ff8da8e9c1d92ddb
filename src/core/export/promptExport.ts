import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { FAILURE_REASONS, type FailureReason } from '../manifest/failureReasons';
import { formatJson } from '../manifest/jsonFile';
import { analyzePrompt, readGenerationLog, type GenerationFailure, type GenerationLog, type GenerationSuccess } from '../tracking/generationLog';
import { indexDataFolder } from '../actors/dataIndex';
import { assertWritableInside } from '../workspace/guards';
import type { DataIndex } from '../actors/types';
import { LOW_TIER_MAX_STARS } from '../tracking/ratings';
import { ExportInputError } from './dataset';
import { isoTime } from '../util/time';

/*
 * Curated prompt data for training a prompt filter or suggester (seed 001's
 * get_prompts_for_ai_training): good prompts (successful and rated at least `min_quality_rating`,
 * or saved by hand and not rated: the user kept them), bad prompts (successful but rated in the
 * low tier, 1-3 stars), failed prompts grouped by failure reason, and an analysis of what tells
 * them apart. Read from the generation log and its archives; the data folder is never changed
 * except for the output.
 */

export const DEFAULT_MIN_QUALITY_RATING = 4;
export const DEFAULT_MAX_EXAMPLES = 200;
export const PROMPT_EXPORTS_DIR = 'exports';

export interface PromptExportOptions {
  /** 1 to 5; 0 takes every success, rated or not. */
  minQualityRating?: number;
  maxFailedExamples?: number;
  maxSuccessfulExamples?: number;
  maxBadExamples?: number;
}

/** Save methods where the user chose to keep the image: positive engagement without a rating. */
const MANUAL_SAVES: ReadonlySet<string> = new Set(['manual', 'user_save']);

export interface RatedPrompt {
  prompt: string;
  /** Successes with this prompt text that qualify; the fields below are from the first of them in the list's order. */
  occurrences: number;
  rating: number | null;
  feedback?: string;
  model: string;
  prompt_id: string | null;
  actor_id?: string;
  category?: string;
  save_method?: string;
  parameters?: Record<string, unknown>;
  result_path?: string;
  timestamp: string;
  prompt_analysis: ReturnType<typeof analyzePrompt>;
}

export interface GoodPrompt extends RatedPrompt {
  /** rating: rated at least the minimum; manual_save: not rated, but saved by hand; any: the minimum is 0. */
  qualified_by: 'rating' | 'manual_save' | 'any';
}

/** Rated 1 to 3 stars (the low tier): what a prompt that works but gives poor images looks like. */
export interface BadPrompt extends RatedPrompt {
  rating: number;
}

export interface FailedPrompt {
  prompt: string;
  /** Failures with this prompt text and reason among the exported ones; the fields below are from the newest. */
  occurrences: number;
  error_message: string;
  model: string;
  prompt_id: string | null;
  actor_id?: string;
  parameters?: Record<string, unknown>;
  timestamp: string;
  prompt_analysis: ReturnType<typeof analyzePrompt>;
}

export interface TextStats {
  count: number;
  mean_length: number;
  median_length: number;
  mean_word_count: number;
  median_word_count: number;
  mean_special_characters: number;
}

export interface PromptTrainingData {
  exported_at: string;
  settings: { min_quality_rating: number; max_failed_examples: number; max_successful_examples: number; max_bad_examples: number };
  good_prompts: GoodPrompt[];
  bad_prompts: BadPrompt[];
  failed_prompts_by_category: Partial<Record<FailureReason, FailedPrompt[]>>;
  analysis: {
    attempts: number;
    successes: number;
    failures: number;
    /** Cancelled attempts are the user's choice: counted here, in no rate and no example. */
    cancelled: number;
    success_rate: number | null;
    rated_successes: number;
    /** Successes that qualify as good (before de-duplication and the cap). */
    good_successes: number;
    /** Of those, unrated successes saved by hand (counted as positive engagement). */
    manual_unrated_successes: number;
    /** Successes rated 1 to 3 (before de-duplication and the cap). */
    bad_successes: number;
    failure_reasons: Partial<Record<FailureReason, { count: number; share_of_failures: number; rate_of_attempts: number }>>;
    prompt_stats: { good: TextStats; bad: TextStats; failed: TextStats };
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const ratio = (part: number, whole: number) => (whole === 0 ? 0 : round(part / whole, 4));

function checkLimit(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw new ExportInputError(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  }
  return chosen;
}

type Rating = { stars: number; feedback?: string };

/**
 * Each image's current rating as its manifest entry holds it (null: unrated), for the images still
 * in a manifest: the manifest is the truth there, hand edits included, as in analytics.
 */
export function manifestRatings(index: DataIndex): Map<string, Rating | null> {
  const current = new Map<string, Rating | null>();
  for (const actor of index.actors) {
    for (const image of actor.images) {
      if (image.entry) {
        const rating = image.entry.rating;
        current.set(`${actor.id}/${image.filename}`, rating ? { stars: rating.stars, ...(rating.feedback ? { feedback: rating.feedback } : {}) } : null);
      }
    }
  }
  return current;
}

/**
 * The rating of each success: the manifest's for an image still in one (`current`), else the
 * newest rating in the log of its image (actor and file name), else a rating carried by the entry
 * itself (entries imported from the old tool).
 */
function ratingsBySuccess(log: GenerationLog, current: ReadonlyMap<string, Rating | null>): (success: GenerationSuccess) => Rating | undefined {
  // null: the newest entry cleared the rating.
  const newest = new Map<string, { at: number; rating: Rating | null }>();
  for (const rating of log.ratings) {
    const key = `${rating.actor_id}/${rating.filename}`;
    const at = Date.parse(rating.timestamp);
    const previous = newest.get(key);
    if (!previous || at >= previous.at) {
      newest.set(key, { at, rating: rating.stars === null ? null : { stars: rating.stars, ...(rating.feedback ? { feedback: rating.feedback } : {}) } });
    }
  }
  return (success) => {
    const file = success.result_path?.split('/').pop();
    const key = success.actor_id && file ? `${success.actor_id}/${file}` : undefined;
    if (key && current.has(key)) {
      return current.get(key) ?? undefined;
    }
    const fromLog = key ? newest.get(key) : undefined;
    return fromLog ? (fromLog.rating ?? undefined) : carriedRating(success);
  };
}

function carriedRating(success: GenerationSuccess): Rating | undefined {
  const rating = (success as { rating?: unknown }).rating as Partial<Rating> | undefined;
  if (rating && Number.isInteger(rating.stars) && rating.stars! >= 1 && rating.stars! <= 5) {
    return { stars: rating.stars!, ...(typeof rating.feedback === 'string' && rating.feedback ? { feedback: rating.feedback } : {}) };
  }
  return undefined;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function textStats(prompts: string[]): TextStats {
  const analyses = prompts.map(analyzePrompt);
  const mean = (values: number[]) => (values.length === 0 ? 0 : round(values.reduce((sum, value) => sum + value, 0) / values.length, 1));
  const lengths = analyses.map((analysis) => analysis.length);
  const words = analyses.map((analysis) => analysis.word_count);
  return {
    count: prompts.length,
    mean_length: mean(lengths),
    median_length: median(lengths),
    mean_word_count: mean(words),
    median_word_count: median(words),
    mean_special_characters: mean(analyses.map((analysis) => analysis.special_characters)),
  };
}

/** Newest first, then by id and text, so the same log always gives the same file. */
function newestFirst(a: { timestamp: string; id?: string; prompt: string }, b: { timestamp: string; id?: string; prompt: string }): number {
  return Date.parse(b.timestamp) - Date.parse(a.timestamp) || (a.id ?? '').localeCompare(b.id ?? '') || a.prompt.localeCompare(b.prompt);
}

function optional<T>(key: string, value: T | null | undefined): Record<string, T> {
  return value === undefined || value === null ? {} : { [key]: value };
}

/**
 * The curated data from a log (with its archives merged) and the manifests' current ratings
 * (`manifestRatings`). Pure: the same inputs give the same result.
 */
export function buildPromptTrainingData(
  log: GenerationLog,
  options: PromptExportOptions,
  now: Date,
  current: ReadonlyMap<string, Rating | null> = new Map(),
): PromptTrainingData {
  const minRating = checkLimit('the minimum rating', options.minQualityRating, DEFAULT_MIN_QUALITY_RATING, 0, 5);
  const maxFailed = checkLimit('the maximum of failed examples', options.maxFailedExamples, DEFAULT_MAX_EXAMPLES, 0, 100_000);
  const maxSuccessful = checkLimit('the maximum of successful examples', options.maxSuccessfulExamples, DEFAULT_MAX_EXAMPLES, 0, 100_000);
  const maxBad = checkLimit('the maximum of bad examples', options.maxBadExamples, DEFAULT_MAX_EXAMPLES, 0, 100_000);
  const ratingOf = ratingsBySuccess(log, current);

  const rated = log.successes.map((success) => {
    const rating = ratingOf(success);
    return { success, rating, qualifiedBy: qualification(success, rating, minRating) };
  });
  const good = rated.filter(({ qualifiedBy }) => qualifiedBy !== undefined);
  // Best rating first (a hand-saved, unrated image after the rated ones), then newest.
  good.sort((a, b) => (b.rating?.stars ?? 0) - (a.rating?.stars ?? 0) || newestFirst(a.success, b.success));
  const bad = rated.filter(({ rating }) => rating !== undefined && rating.stars <= LOW_TIER_MAX_STARS);
  // Worst rating first, then newest.
  bad.sort((a, b) => a.rating!.stars - b.rating!.stars || newestFirst(a.success, b.success));

  const failures = log.failures.filter((failure) => failure.failure_reason !== 'cancelled').sort(newestFirst);
  const byReason: Partial<Record<FailureReason, FailedPrompt[]>> = {};
  const seen = new Map<string, FailedPrompt>();
  for (const failure of failures.slice(0, maxFailed)) {
    const key = `${failure.failure_reason}\u0000${failure.prompt}`;
    const known = seen.get(key);
    if (known) {
      known.occurrences++;
      continue;
    }
    const example = failedExample(failure);
    seen.set(key, example);
    (byReason[failure.failure_reason] ??= []).push(example);
  }
  const failedPromptsByCategory: Partial<Record<FailureReason, FailedPrompt[]>> = {};
  for (const reason of FAILURE_REASONS) {
    if (byReason[reason]) failedPromptsByCategory[reason] = byReason[reason];
  }

  const cancelled = log.failures.length - failures.length;
  const attempts = log.successes.length + failures.length;
  const failureReasons: PromptTrainingData['analysis']['failure_reasons'] = {};
  for (const reason of FAILURE_REASONS) {
    const count = failures.filter((failure) => failure.failure_reason === reason).length;
    if (count > 0) {
      failureReasons[reason] = { count, share_of_failures: ratio(count, failures.length), rate_of_attempts: ratio(count, attempts) };
    }
  }
  return {
    exported_at: isoTime(now),
    settings: { min_quality_rating: minRating, max_failed_examples: maxFailed, max_successful_examples: maxSuccessful, max_bad_examples: maxBad },
    good_prompts: onePerText(good, ({ success, rating, qualifiedBy }) => ({ ...ratedExample(success, rating), qualified_by: qualifiedBy! })).slice(
      0,
      maxSuccessful,
    ),
    bad_prompts: onePerText(bad, ({ success, rating }) => ({ ...ratedExample(success, rating), rating: rating!.stars })).slice(0, maxBad),
    failed_prompts_by_category: failedPromptsByCategory,
    analysis: {
      attempts,
      successes: log.successes.length,
      failures: failures.length,
      cancelled,
      success_rate: attempts === 0 ? null : ratio(log.successes.length, attempts),
      rated_successes: rated.filter(({ rating }) => rating !== undefined).length,
      good_successes: good.length,
      manual_unrated_successes: good.filter(({ qualifiedBy }) => qualifiedBy === 'manual_save').length,
      bad_successes: bad.length,
      failure_reasons: failureReasons,
      prompt_stats: {
        good: textStats(good.map(({ success }) => success.prompt)),
        bad: textStats(bad.map(({ success }) => success.prompt)),
        failed: textStats(failures.map((failure) => failure.prompt)),
      },
    },
  };
}

/** Why a success is a good example, or undefined when it is not one. */
function qualification(success: GenerationSuccess, rating: Rating | undefined, minRating: number): GoodPrompt['qualified_by'] | undefined {
  if (minRating === 0) {
    return 'any';
  }
  if (rating) {
    return rating.stars >= minRating ? 'rating' : undefined;
  }
  return success.save_method && MANUAL_SAVES.has(success.save_method) ? 'manual_save' : undefined;
}

/** One example per prompt text (library prompts repeat), the first in the given order, counting the others. */
function onePerText<T extends { success: GenerationSuccess }, E extends RatedPrompt>(entries: readonly T[], example: (entry: T) => E): E[] {
  const byText = new Map<string, E>();
  for (const entry of entries) {
    const known = byText.get(entry.success.prompt);
    if (known) {
      known.occurrences++;
    } else {
      byText.set(entry.success.prompt, example(entry));
    }
  }
  return [...byText.values()];
}

function ratedExample(success: GenerationSuccess, rating: Rating | undefined): RatedPrompt {
  return {
    prompt: success.prompt,
    occurrences: 1,
    rating: rating?.stars ?? null,
    ...optional('feedback', rating?.feedback),
    model: success.model,
    prompt_id: success.prompt_id ?? null,
    ...optional('actor_id', success.actor_id),
    ...optional('category', success.category),
    ...optional('save_method', success.save_method),
    ...optional('parameters', success.parameters),
    ...optional('result_path', success.result_path),
    timestamp: success.timestamp,
    prompt_analysis: analyzePrompt(success.prompt),
  };
}

function failedExample(failure: GenerationFailure): FailedPrompt {
  return {
    prompt: failure.prompt,
    occurrences: 1,
    error_message: failure.error_message,
    model: failure.model,
    prompt_id: failure.prompt_id ?? null,
    ...optional('actor_id', failure.actor_id),
    ...optional('parameters', failure.parameters),
    timestamp: failure.timestamp,
    prompt_analysis: analyzePrompt(failure.prompt),
  };
}

export interface ExportPromptsRequest extends PromptExportOptions {
  dataRoot: string;
  /** Default: `<dataRoot>/exports/prompt_training_data_<YYYY-MM-DD>.json`, which must stay inside the data folder. */
  outFile?: string;
  /** Replace an existing output file. */
  force?: boolean;
  now?: Date;
}

export function defaultPromptExportPath(dataRoot: string, now: Date): string {
  return path.join(dataRoot, PROMPT_EXPORTS_DIR, `prompt_training_data_${now.toISOString().slice(0, 10)}.json`);
}

/**
 * Writes the curated data as JSON, atomically. Refuses an existing file unless `force`. An
 * invalid generation log throws GenerationLogFileError (naming the file); nothing is written.
 */
export async function exportPromptData(request: ExportPromptsRequest): Promise<{ file: string; data: PromptTrainingData }> {
  const now = request.now ?? new Date();
  const [log, index] = await Promise.all([readGenerationLog(request.dataRoot, { withArchives: true }), indexDataFolder(request.dataRoot)]);
  const data = buildPromptTrainingData(log, request, now, manifestRatings(index));
  const file = path.resolve(request.outFile ?? defaultPromptExportPath(request.dataRoot, now));
  if (!request.outFile) {
    await assertWritableInside(request.dataRoot, file);
  }
  const existing = await fs.lstat(file).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new ExportInputError(`${file} is a folder; name a file to write`);
  }
  if (existing && !request.force) {
    throw new ExportInputError(`${file} already exists; pass --force to replace it`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, formatJson(data));
  return { file, data };
}
