import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LockTimeoutError, withFileLock } from '../fs/fileLock';
import { exists } from '../fs/files';
import { executionJournalSchema } from '../manifest/dataFileSchemas';
import { updateManifest } from '../manifest/manifestStore';
import { readOptionalJson } from '../manifest/optionalJsonFile';
import { assertWritableInside } from '../workspace/guards';
import { ACTORS_DIR, actorPaths, imageNumber, journalPath, TRAINING_DIR, TRASH_RECORD_FILE, trashDir, trashRunDir } from '../workspace/layout';
import { PLAIN_NAME } from '../workspace/plainName';
import { RunJournal, runLockPath } from './journal';
import { isoTime } from '../util/time';

/** One run's part of the trash (data/.trash/<runId>/): what `trash list` shows and `trash empty` removes. */
export interface TrashRun {
  runId: string;
  /** When its newest file went to the trash (the trash record's time, else the folder's). */
  trashedAt: string;
  actorIds: string[];
  /** Image files still in the trash (restored ones are back in training_data/). */
  files: number;
  bytes: number;
}

export interface EmptyTrashOutcome {
  emptied: TrashRun[];
  /** Runs left in the trash: newer than the cut-off, being executed, or an actor whose manifest cannot be updated. */
  kept: { run: TrashRun; reason: string }[];
  files: number;
  bytes: number;
}

interface TrashedFile {
  actorId: string;
  filename: string;
  bytes: number;
}

async function entriesOf(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => []);
}

/** The actor folders of a run's trash: plain names of real folders (a link is never followed out). */
async function trashedActorIds(runDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of (await entriesOf(path.join(runDir, ACTORS_DIR))).filter((entry) => PLAIN_NAME.test(entry))) {
    const [actorDir, trainingDir] = [path.join(runDir, ACTORS_DIR, name), path.join(runDir, ACTORS_DIR, name, TRAINING_DIR)];
    const stats = await Promise.all([actorDir, trainingDir].map((dir) => fs.lstat(dir).catch(() => undefined)));
    if (stats[0]?.isDirectory() && !stats[1]?.isSymbolicLink()) {
      ids.push(name);
    }
  }
  return ids.sort();
}

/** The image files of a run's trash, per actor. */
async function trashedFiles(runDir: string): Promise<TrashedFile[]> {
  const files: TrashedFile[] = [];
  for (const actorId of await trashedActorIds(runDir)) {
    const folder = path.join(runDir, ACTORS_DIR, actorId, TRAINING_DIR);
    for (const filename of await entriesOf(folder)) {
      const stat = await fs.lstat(path.join(folder, filename)).catch(() => undefined);
      if (stat?.isFile()) {
        files.push({ actorId, filename, bytes: stat.size });
      }
    }
  }
  return files;
}

/** The newest `trashed_at` of the run's trash records, else the run folder's modification time. */
async function trashedAt(runDir: string): Promise<string> {
  let newest: string | undefined;
  for (const actorId of await trashedActorIds(runDir)) {
    const text = await fs.readFile(path.join(runDir, ACTORS_DIR, actorId, TRASH_RECORD_FILE), 'utf8').catch(() => undefined);
    try {
      for (const entry of (JSON.parse(text ?? '{}') as { entries?: { trashed_at?: unknown }[] }).entries ?? []) {
        if (typeof entry?.trashed_at === 'string' && !Number.isNaN(Date.parse(entry.trashed_at)) && (!newest || entry.trashed_at > newest)) {
          newest = entry.trashed_at;
        }
      }
    } catch {
      // A hand-broken record says nothing about the time; the folder's time stands in.
    }
  }
  return newest ?? (await fs.stat(runDir)).mtime.toISOString();
}

async function describeRun(dataRoot: string, runId: string): Promise<TrashRun> {
  const runDir = trashRunDir(dataRoot, runId);
  const files = await trashedFiles(runDir);
  const actorIds = await trashedActorIds(runDir);
  return { runId, trashedAt: await trashedAt(runDir), actorIds, files: files.length, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
}

/** Every run with something in data/.trash, oldest first. */
export async function listTrash(dataRoot: string): Promise<TrashRun[]> {
  const root = trashDir(dataRoot);
  if (!(await exists(root))) {
    return [];
  }
  await assertWritableInside(dataRoot, root);
  const runs: TrashRun[] = [];
  for (const runId of (await entriesOf(root)).filter((name) => PLAIN_NAME.test(name))) {
    if ((await fs.lstat(trashRunDir(dataRoot, runId))).isDirectory()) {
      runs.push(await describeRun(dataRoot, runId));
    }
  }
  return runs.sort((a, b) => a.trashedAt.localeCompare(b.trashedAt) || a.runId.localeCompare(b.runId));
}

/**
 * Deletes runs' trash for good (default: all; `olderThanMs`: only runs whose newest file was
 * trashed longer ago). Before a run's files go, each actor's manifest records the highest number
 * among them as `highest_index`, so a number is never given out twice; the run's journal records
 * `trash_emptied_at`, so undo says its files are gone instead of restoring nothing. Runs being
 * executed are left alone, and every other run's trash stays exactly as it was, so undo still
 * works for what remains.
 */
export async function emptyTrash(dataRoot: string, options: { olderThanMs?: number; now?: Date } = {}): Promise<EmptyTrashOutcome> {
  const now = options.now ?? new Date();
  const outcome: EmptyTrashOutcome = { emptied: [], kept: [], files: 0, bytes: 0 };
  for (const run of await listTrash(dataRoot)) {
    if (options.olderThanMs !== undefined && now.getTime() - Date.parse(run.trashedAt) < options.olderThanMs) {
      outcome.kept.push({ run, reason: `trashed ${run.trashedAt}, newer than the cut-off` });
      continue;
    }
    const journalFile = journalPath(dataRoot, run.runId);
    try {
      // Runs of Reconcile have no journal, and a data folder may have no runs/ yet: the lock needs its folder.
      await assertWritableInside(dataRoot, journalFile);
      await fs.mkdir(path.dirname(journalFile), { recursive: true });
      await withFileLock(runLockPath(journalFile), () => emptyRun(dataRoot, run, journalFile, now), { timeoutMs: 0 });
    } catch (error) {
      const reason = error instanceof LockTimeoutError ? 'the run is being executed' : (error as Error).message;
      outcome.kept.push({ run, reason });
      continue;
    }
    outcome.emptied.push(run);
    outcome.files += run.files;
    outcome.bytes += run.bytes;
  }
  return outcome;
}

async function emptyRun(dataRoot: string, run: TrashRun, journalFile: string, now: Date): Promise<void> {
  const runDir = trashRunDir(dataRoot, run.runId);
  await assertWritableInside(dataRoot, runDir);
  const highest = new Map<string, number>();
  for (const file of await trashedFiles(runDir)) {
    const number = imageNumber(file.actorId, file.filename);
    if (number !== undefined) {
      highest.set(file.actorId, Math.max(highest.get(file.actorId) ?? -1, number));
    }
  }
  for (const [actorId, number] of highest) {
    // An actor that is gone needs no number kept; an invalid manifest throws and keeps the run.
    if (await exists(actorPaths(dataRoot, actorId).dir)) {
      await updateManifest(dataRoot, actorId, (manifest) => {
        manifest.highest_index = Math.max(manifest.highest_index ?? -1, number);
      });
    }
  }
  const journal = await readOptionalJson(dataRoot, journalFile, executionJournalSchema);
  if (journal.state === 'ok') {
    await new RunJournal(journalFile, { ...journal.value, trash_emptied_at: isoTime(now) }, () => now).persist();
  }
  await fs.rm(runDir, { recursive: true, force: true });
}

/** `30d`, `12h` or `2w` as milliseconds; undefined when the text is none of these. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+)([hdw])$/.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const hours = { h: 1, d: 24, w: 24 * 7 }[match[2] as 'h' | 'd' | 'w'];
  return Number(match[1]) * hours * 3_600_000;
}
