import type { GenerationLog } from '../tracking/generationLog';
import { mean, roundHundredths } from './numbers';
import type { CorrelationStats, OutcomeRow, ParameterStats, PromptPoint, RatedImage } from './types';

/*
 * What goes with success and with good ratings (seed 001's usage patterns and parameter
 * optimisation): the log's attempts grouped by save method and by model parameter, each group's
 * success rate and the mean rating of the images it made, and whether prompts that succeed more
 * often also rate better. Cancelled attempts are the user's choice: they count nowhere here.
 */

type Success = GenerationLog['successes'][number];
type Attempt = Success | GenerationLog['failures'][number];

/** A prompt needs this many attempts and rated images to be a point of the correlation. */
export const MIN_PROMPT_ATTEMPTS = 2;
export const MIN_PROMPT_RATINGS = 1;
/** Pearson's r needs at least this many points to say anything. */
export const MIN_CORRELATION_POINTS = 3;

/** The group of an entry that does not record the value (older entries, other tools). */
export const NOT_RECORDED = 'not recorded';
const SAVE_METHODS = ['manual', 'auto'];

const baseName = (file: string) => file.split(/[\\/]/).pop() ?? file;

/** The log's attempts in scope, successes and failures, cancellations left out. */
function attemptsInScope(log: GenerationLog, actorId: string | undefined): { successes: Success[]; attempts: Attempt[] } {
  const inScope = (entry: Attempt) => actorId === undefined || entry.actor_id === actorId;
  const successes = log.successes.filter(inScope);
  const failures = log.failures.filter((entry) => inScope(entry) && entry.failure_reason !== 'cancelled');
  return { successes, attempts: [...successes, ...failures] };
}

/** The stars of the image a success made, from the rated images (manifest first, then the log). */
function starsOfSuccess(rated: readonly RatedImage[]): (entry: Attempt) => number | undefined {
  const stars = new Map(rated.map((image) => [`${image.actor_id}/${image.filename}`, image.stars]));
  return (entry) => {
    const path = (entry as Success).result_path;
    return entry.actor_id && path ? stars.get(`${entry.actor_id}/${baseName(path)}`) : undefined;
  };
}

const isFailure = (entry: Attempt) => 'failure_reason' in entry;

function outcome(value: string, entries: readonly Attempt[], starsOf: (entry: Attempt) => number | undefined): OutcomeRow {
  const successes = entries.filter((entry) => !isFailure(entry));
  const ratings = successes.flatMap((entry) => starsOf(entry) ?? []);
  return {
    value,
    attempts: entries.length,
    successes: successes.length,
    failures: entries.length - successes.length,
    success_rate: entries.length === 0 ? null : roundHundredths((successes.length / entries.length) * 100),
    rated: ratings.length,
    mean_rating: mean(ratings),
  };
}

/** One row per value of `valueOf`, most attempts first; `always` values get a row even without attempts, first. */
function outcomeRows(
  attempts: readonly Attempt[],
  valueOf: (entry: Attempt) => string,
  starsOf: (entry: Attempt) => number | undefined,
  always: readonly string[] = [],
): OutcomeRow[] {
  const groups = new Map<string, Attempt[]>(always.map((value) => [value, []]));
  for (const entry of attempts) {
    const value = valueOf(entry);
    groups.set(value, [...(groups.get(value) ?? []), entry]);
  }
  const rows = [...groups].map(([value, entries]) => outcome(value, entries, starsOf));
  const rank = (row: OutcomeRow) => (always.includes(row.value) ? always.indexOf(row.value) : always.length);
  return rows.sort((a, b) => rank(a) - rank(b) || b.attempts - a.attempts || a.value.localeCompare(b.value));
}

/** A parameter as text; entries that do not record it are grouped apart. */
function parameter(name: string): (entry: Attempt) => string {
  return (entry) => {
    const value = entry.parameters?.[name];
    return value === undefined || value === null ? NOT_RECORDED : String(value);
  };
}

function seedGiven(entry: Attempt): string {
  if (!entry.parameters) {
    return NOT_RECORDED;
  }
  const seed = entry.parameters.seed;
  return seed === undefined || seed === null ? 'no seed' : 'seed given';
}

/** Manual (generator panel, CLI, `log`) against auto (plan execution): attempts, success rate, ratings. */
export function saveMethodStats(log: GenerationLog, rated: readonly RatedImage[], actorId?: string): OutcomeRow[] {
  const { attempts } = attemptsInScope(log, actorId);
  return outcomeRows(attempts, (entry) => entry.save_method ?? NOT_RECORDED, starsOfSuccess(rated), SAVE_METHODS);
}

/** Success rate and mean rating per aspect ratio, model, safety tolerance, and seed given or not. */
export function parameterStats(log: GenerationLog, rated: readonly RatedImage[], actorId?: string): ParameterStats {
  const { attempts } = attemptsInScope(log, actorId);
  const starsOf = starsOfSuccess(rated);
  return {
    aspect_ratio: outcomeRows(attempts, parameter('aspect_ratio'), starsOf),
    model: outcomeRows(attempts, (entry) => entry.model, starsOf),
    safety_tolerance: outcomeRows(attempts, parameter('safety_tolerance'), starsOf),
    seed: outcomeRows(attempts, seedGiven, starsOf),
  };
}

/** Pearson's correlation coefficient; null when a series does not vary (r is undefined then). */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const average = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [mx, my] = [average(xs), average(ys)];
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  xs.forEach((x, position) => {
    const [dx, dy] = [x - mx, ys[position] - my];
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  });
  return varianceX === 0 || varianceY === 0 ? null : covariance / Math.sqrt(varianceX * varianceY);
}

/**
 * Per prompt (its library id, else its text): success rate against the mean rating of its images,
 * over the prompts with at least MIN_PROMPT_ATTEMPTS attempts and MIN_PROMPT_RATINGS rated images.
 */
export function promptCorrelation(log: GenerationLog, rated: readonly RatedImage[], actorId?: string): CorrelationStats {
  const { attempts } = attemptsInScope(log, actorId);
  const rows = outcomeRows(attempts, (entry) => entry.prompt_id || entry.prompt, starsOfSuccess(rated));
  const points: PromptPoint[] = rows
    .filter((row) => row.attempts >= MIN_PROMPT_ATTEMPTS && row.rated >= MIN_PROMPT_RATINGS)
    .map((row) => ({ prompt: row.value, attempts: row.attempts, success_rate: row.success_rate!, rated: row.rated, mean_rating: row.mean_rating! }));
  const r =
    points.length < MIN_CORRELATION_POINTS
      ? null
      : pearson(
          points.map((point) => point.success_rate),
          points.map((point) => point.mean_rating),
        );
  return {
    min_attempts: MIN_PROMPT_ATTEMPTS,
    min_rated: MIN_PROMPT_RATINGS,
    prompts: rows.length,
    n: points.length,
    pearson_r: r === null ? null : roundHundredths(r),
    points,
  };
}
