import { StudioError } from '../errors';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { isProcessAlive } from './processes';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this is taken as abandoned even if its holder cannot be checked. */
  staleMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

interface LockRecord {
  pid: number;
  host: string;
  token: string;
  acquired_at: string;
}

export class LockTimeoutError extends StudioError {
  constructor(
    readonly lockPath: string,
    readonly holder: Partial<LockRecord> | undefined,
  ) {
    super(
      `${lockPath} is locked${holder?.pid ? ` by process ${holder.pid}` : ''}; ` +
        'another Actor Studio process is writing here. Try again when it has finished.',
      'input',
    );
  }
}

/**
 * Runs `work` while holding an exclusive lock file, across processes on this machine (the CLI and
 * the editor may write the same actor at once). A lock left by a process that died is broken.
 * Not re-entrant: nested calls for the same path wait for themselves until the timeout.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const token = await acquire(lockPath, options.timeoutMs ?? 30_000, options.staleMs ?? 10 * 60_000, options.signal);
  try {
    return await work();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number, signal?: AbortSignal): Promise<string> {
  const record: LockRecord = {
    pid: process.pid,
    host: os.hostname(),
    token: randomBytes(8).toString('hex'),
    acquired_at: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, record)) {
      return record.token;
    }
    const holder = await readHolder(lockPath);
    if (holder ? await isAbandoned(lockPath, holder, staleMs) : await isUnreadableForLong(lockPath)) {
      await breakLock(lockPath, holder?.token);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(lockPath, holder);
    }
    signal?.throwIfAborted();
    await delay(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) + Math.random() * 10);
  }
}

/**
 * Creates the lock file with its whole content at once: the record goes to a file of our own,
 * which is then hard-linked to the lock's name (fails if it exists). A process killed at any
 * moment leaves either no lock or a complete one, never an empty file nobody can judge.
 */
async function tryCreate(lockPath: string, record: LockRecord): Promise<boolean> {
  // Named like writeFileAtomic's temporary files, so removeAbandonedTempFiles clears one a kill left.
  const own = `${lockPath}.${process.pid}.${record.token.slice(0, 8)}.tmp`;
  await fs.writeFile(own, JSON.stringify(record));
  try {
    await fs.link(own, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
    return false;
  } finally {
    await fs.rm(own, { force: true });
  }
}

/** A lock file that cannot be read for a few seconds was left half-written (by an older version, or a full disk). */
async function isUnreadableForLong(lockPath: string): Promise<boolean> {
  try {
    const { mtimeMs } = await fs.stat(lockPath);
    return Date.now() - mtimeMs > UNREADABLE_LOCK_MS;
  } catch {
    return false;
  }
}

const UNREADABLE_LOCK_MS = 5_000;

async function readHolder(lockPath: string): Promise<Partial<LockRecord> | undefined> {
  try {
    return JSON.parse(await fs.readFile(lockPath, 'utf8')) as Partial<LockRecord>;
  } catch {
    // Missing (just released) or half-written (being created right now): check again shortly.
    return undefined;
  }
}

async function isAbandoned(lockPath: string, holder: Partial<LockRecord>, staleMs: number): Promise<boolean> {
  if (holder.host === os.hostname() && typeof holder.pid === 'number') {
    return !isProcessAlive(holder.pid);
  }
  try {
    const { mtimeMs } = await fs.stat(lockPath);
    return Date.now() - mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/**
 * Moves the abandoned lock aside before deleting it, and only if it is still the one judged
 * abandoned: two processes breaking the same lock must not remove a fresh lock taken in between.
 */
async function breakLock(lockPath: string, staleToken: string | undefined): Promise<void> {
  const aside = `${lockPath}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  if (moved?.token === staleToken) {
    await fs.rm(aside, { force: true });
    return;
  }
  // We moved a live lock taken after our check: put it back unless someone holds the path again.
  await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
}

async function release(lockPath: string, token: string): Promise<void> {
  const holder = await readHolder(lockPath);
  if (holder?.token === token) {
    await fs.rm(lockPath, { force: true });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
