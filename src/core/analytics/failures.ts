import { FAILURE_REASONS } from '../manifest/failureReasons';
import type { GenerationLog } from '../tracking/generationLog';
import { countBy, roundHundredths } from './numbers';
import type { DayCount, FailureStats } from './types';

type Attempt = GenerationLog['successes'][number];

const MS_PER_DAY = 86_400_000;

/** Failure reasons, failure rate per model and attempts per day, from the log's entries in scope. */
export function failureStats(log: GenerationLog, actorId?: string): FailureStats {
  const inScope = <T extends Attempt>(entries: readonly T[]) => entries.filter((entry) => actorId === undefined || entry.actor_id === actorId);
  const successes = inScope(log.successes);
  const failures = inScope(log.failures);
  const models = [...new Set([...successes, ...failures].map((entry) => entry.model))].sort();
  const byModel = models.map((model) => {
    const succeeded = successes.filter((entry) => entry.model === model).length;
    const failed = failures.filter((entry) => entry.model === model);
    const cancelled = failed.filter((entry) => entry.failure_reason === 'cancelled').length;
    const faults = failed.length - cancelled;
    return {
      model,
      successes: succeeded,
      failures: faults,
      cancelled,
      failure_rate: succeeded + faults === 0 ? null : roundHundredths((faults / (succeeded + faults)) * 100),
    };
  });
  return {
    attempts: successes.length + failures.length,
    successes: successes.length,
    failures: failures.length,
    by_reason: countBy(
      FAILURE_REASONS,
      failures.map((entry) => entry.failure_reason),
    ),
    by_model: byModel,
    by_day: perDay(successes, failures),
  };
}

/** Days between the first and the last attempt are filled in only up to this span (a chart's width). */
const MAX_FILLED_DAYS = 366;

function perDay(successes: readonly Attempt[], failures: readonly Attempt[]): DayCount[] {
  const days = new Map<string, DayCount>();
  const bucket = (day: string) => days.get(day) ?? days.set(day, { day, successes: 0, failures: 0 }).get(day)!;
  // A hand-edited timestamp that is not a date counts in the totals but on no day.
  const dayOf = (entry: Attempt) => (Number.isNaN(Date.parse(entry.timestamp)) ? undefined : new Date(entry.timestamp).toISOString().slice(0, 10));
  for (const [entries, kind] of [
    [successes, 'successes'],
    [failures, 'failures'],
  ] as const) {
    for (const day of entries.map(dayOf)) {
      if (day) {
        bucket(day)[kind]++;
      }
    }
  }
  const sorted = [...days.keys()].sort();
  if (sorted.length > 0) {
    const first = Date.parse(sorted[0]);
    const last = Date.parse(sorted[sorted.length - 1]);
    if ((last - first) / MS_PER_DAY < MAX_FILLED_DAYS) {
      for (let time = first; time <= last; time += MS_PER_DAY) {
        bucket(new Date(time).toISOString().slice(0, 10));
      }
    }
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}
