import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomicWrite';
import { LockOptions, withFileLock } from '../fs/fileLock';
import { progressSchema } from '../manifest/dataFileSchemas';
import { formatJson, validateJsonText } from '../manifest/jsonFile';
import { isoTime } from '../util/time';

export type ProgressFile = z.infer<typeof progressSchema>;

/** Marks a journal as Plan All's, so an execution journal in the same file is never resumed as one. */
export const PLAN_ALL_TASK = 'plan_all';

export interface PlanAllProgress {
  total: number;
  /** Completed or failed so far, including those done before a resume. */
  done: number;
  current?: string;
  completed: number;
  failed: number;
}

export interface PlanAllOptions {
  /** The journal, usually `data/action_plans/progress.json` (see progressPath). */
  progressFile: string;
  actorIds: readonly string[];
  planOne: (actorId: string, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onProgress?: (progress: PlanAllProgress) => void;
  /** Ignore an unfinished journal and start over. */
  fresh?: boolean;
  /** Identifies the run; by default derived from the actor ids, so the same list resumes. */
  runId?: string;
  now?: () => Date;
  lock?: LockOptions;
}

export interface PlanAllResult {
  runId: string;
  completed: string[];
  failed: { id: string; reason: string }[];
  /** Completed by an earlier, interrupted attempt of this run and not planned again. */
  skipped: string[];
  resumed: boolean;
  aborted: boolean;
  /** Why an existing journal was not resumed although it was unfinished (unreadable). */
  discarded?: string;
}

/** Same ids (in any order) give the same run id. */
export function runIdFor(actorIds: readonly string[]): string {
  return createHash('sha256')
    .update([...actorIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Plans every actor once, recording each completed or failed id in the journal (written
 * atomically) before moving on, so after Ctrl+C or a crash the same run resumes where it stopped.
 * Failed actors are tried again on resume. The journal is locked for the whole run: a second
 * Plan All on the same data folder waits, then gives up with LockTimeoutError.
 */
export async function planAll(options: PlanAllOptions): Promise<PlanAllResult> {
  const file = options.progressFile;
  await fs.mkdir(path.dirname(file), { recursive: true });
  return withFileLock(`${file}.lock`, () => runLocked(options), options.lock);
}

async function runLocked(options: PlanAllOptions): Promise<PlanAllResult> {
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? runIdFor(options.actorIds);
  const previous = options.fresh ? { state: 'missing' as const } : await readJournal(options.progressFile);
  const resumable = previous.state === 'ok' && previous.value.run_id === runId && previous.value.task === PLAN_ALL_TASK && !previous.value.finished_at;
  const wanted = new Set(options.actorIds);
  const journal: ProgressFile =
    resumable && previous.state === 'ok'
      ? { ...previous.value, completed: previous.value.completed.filter((id) => wanted.has(id)), failed: [] }
      : { run_id: runId, task: PLAN_ALL_TASK, started_at: isoTime(now()), total: options.actorIds.length, completed: [], failed: [] };
  const result: PlanAllResult = {
    runId,
    completed: [],
    failed: [],
    skipped: [...journal.completed],
    resumed: resumable,
    aborted: false,
    ...(previous.state === 'invalid' ? { discarded: previous.reason } : {}),
  };
  const done = new Set(journal.completed);
  const report = (current?: string) =>
    options.onProgress?.({
      total: options.actorIds.length,
      done: journal.completed.length + journal.failed.length,
      current,
      completed: journal.completed.length,
      failed: journal.failed.length,
    });
  const save = async () => {
    journal.updated_at = isoTime(now());
    await writeFileAtomic(options.progressFile, formatJson(progressSchema.parse(journal)));
  };

  await save();
  report();
  for (const id of options.actorIds) {
    if (done.has(id)) {
      continue;
    }
    if (options.signal?.aborted) {
      result.aborted = true;
      break;
    }
    report(id);
    try {
      await options.planOne(id, options.signal);
      journal.completed.push(id);
      result.completed.push(id);
    } catch (error) {
      if (options.signal?.aborted) {
        // Cancelled mid-actor: not a failure, and not done; the resume plans it again.
        result.aborted = true;
        break;
      }
      const reason = error instanceof Error ? error.message : String(error);
      journal.failed.push({ id, reason });
      result.failed.push({ id, reason });
    }
    done.add(id);
    await save();
    report();
  }
  if (!result.aborted) {
    journal.finished_at = isoTime(now());
  }
  await save();
  return result;
}

type Journal = { state: 'missing' } | { state: 'ok'; value: ProgressFile } | { state: 'invalid'; reason: string };

async function readJournal(file: string): Promise<Journal> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { state: 'missing' };
    }
    return { state: 'invalid', reason: (error as Error).message };
  }
  const parsed = validateJsonText(text, progressSchema);
  // A journal only says what is left to do: when it cannot be read, planning everything again is safe.
  return parsed.ok ? { state: 'ok', value: parsed.value } : { state: 'invalid', reason: parsed.problems.map((problem) => problem.message).join('; ') };
}
