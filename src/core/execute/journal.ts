import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomicWrite';
import { executionJournalSchema } from '../manifest/dataFileSchemas';
import { formatJson } from '../manifest/jsonFile';
import { readOptionalJson } from '../manifest/optionalJsonFile';
import type { ExecutionMode, OperationView, RunInfo } from './types';
import { runsDir } from '../workspace/layout';
import type { DataProblem } from '../workspace/problems';
import { isoTime } from '../util/time';

export type JournalFile = z.infer<typeof executionJournalSchema>;
export type JournalOperation = JournalFile['operations'][number];

/** Sortable and unique: `20261122T081500123Z-3f9a1c`. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * The journal of a run, kept on disk before and after every operation. Writes are atomic and
 * serialised; changes made while a write is under way go out together in the next one, and every
 * caller's promise resolves only once a write holding its change is on disk.
 */
/** A run is executed by one process at a time (another process asking for it starts its own); emptying its trash waits for none. */
export const runLockPath = (journalFile: string) => `${journalFile}.lock`;

export class RunJournal {
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    readonly file: string,
    readonly data: JournalFile,
    private readonly now: () => Date,
  ) {}

  get runId(): string {
    return this.data.run_id;
  }

  /** Applies `changes` to an operation and persists the journal. */
  update(operation: JournalOperation, changes: Partial<JournalOperation>): Promise<void> {
    Object.assign(operation, changes);
    return this.persist();
  }

  persist(): Promise<void> {
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      if (!this.dirty) {
        return;
      }
      this.dirty = false;
      this.data.updated_at = isoTime(this.now());
      await writeFileAtomic(this.file, formatJson(this.data));
    });
    return this.writing;
  }
}

/**
 * Every readable journal, newest first. Unreadable ones (not JSON, an id that is a path, a link
 * out of the data folder) are passed over, never acted on; their problems go to `problems` when given.
 */
export async function readJournals(dataRoot: string, problems?: DataProblem[]): Promise<{ file: string; journal: JournalFile }[]> {
  let names: string[];
  try {
    names = await fs.readdir(runsDir(dataRoot));
  } catch {
    return [];
  }
  const journals: { file: string; journal: JournalFile }[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    const file = path.join(runsDir(dataRoot), name);
    const read = await readOptionalJson(dataRoot, file, executionJournalSchema);
    if (read.state === 'ok') {
      journals.push({ file, journal: read.value });
    } else if (read.state === 'invalid') {
      problems?.push(...read.problems);
    }
  }
  return journals.sort((a, b) => b.journal.run_id.localeCompare(a.journal.run_id));
}

/** The newest unfinished run over exactly these actors in this mode (what `resume: 'auto'` continues). */
export async function findUnfinishedRun(
  dataRoot: string,
  mode: ExecutionMode,
  actorIds: readonly string[],
): Promise<{ file: string; journal: JournalFile } | undefined> {
  const wanted = [...actorIds].sort().join('\n');
  return (await readJournals(dataRoot)).find(
    ({ journal }) => journal.status !== 'completed' && journal.mode === mode && [...journal.actor_ids].sort().join('\n') === wanted,
  );
}

/** Runs, newest first; the problems of journals that cannot be read go to `problems` when given. */
export async function listRuns(dataRoot: string, problems?: DataProblem[]): Promise<RunInfo[]> {
  return (await readJournals(dataRoot, problems)).map(({ journal }) => ({
    runId: journal.run_id,
    mode: journal.mode,
    actorIds: [...journal.actor_ids],
    status: journal.status,
    startedAt: journal.started_at,
    ...(journal.finished_at ? { finishedAt: journal.finished_at } : {}),
    deleted: journal.operations.filter((operation) => operation.kind === 'delete' && operation.state === 'done').length,
    generated: journal.operations.filter((operation) => operation.kind === 'generate' && operation.state === 'done').length,
    failed: journal.operations.filter((operation) => operation.state === 'failed').length,
    ...(journal.undone_at ? { undoneAt: journal.undone_at } : {}),
    ...(journal.trash_emptied_at ? { trashEmptiedAt: journal.trash_emptied_at } : {}),
  }));
}

export function operationView(operation: JournalOperation): OperationView {
  return {
    id: operation.id,
    actorId: operation.actor_id,
    kind: operation.kind,
    state: operation.state,
    ...(operation.filename ? { filename: operation.filename } : {}),
    ...(operation.reason ? { reason: operation.reason } : {}),
    ...(operation.category ? { category: operation.category } : {}),
    ...(operation.prompt_id ? { promptId: operation.prompt_id } : {}),
    ...(operation.prompt ? { prompt: operation.prompt } : {}),
    ...(operation.number !== undefined ? { number: operation.number } : {}),
    ...(operation.failure_reason ? { failureReason: operation.failure_reason as OperationView['failureReason'] } : {}),
    ...(operation.error ? { error: operation.error } : {}),
    ...(operation.skip_reason ? { skipReason: operation.skip_reason } : {}),
    ...(operation.warning ? { warning: operation.warning } : {}),
  };
}
