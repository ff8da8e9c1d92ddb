import { StudioError } from '../errors';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { isProcessAlive } from './processes';
import { isoTime } from '../util/time';
import { writeFailure } from './atomicWrite';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock its holder has not refreshed for this long is abandoned, whoever it names. */
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
      `${lockPath} is locked${describeHolder(holder)}; another Actor Studio process is writing here. ` +
        `Try again when it has finished; if none is running, delete ${lockPath}.`,
      'input',
      { file: lockPath },
    );
  }
}

function describeHolder(holder: Partial<LockRecord> | undefined): string {
  if (!holder) {
    return '';
  }
  const who = typeof holder.pid === 'number' ? ` by process ${holder.pid}` : '';
  const where = typeof holder.host === 'string' ? ` on ${holder.host === os.hostname() ? 'this machine' : `host ${holder.host}`}` : '';
  const since = typeof holder.acquired_at === 'string' ? ` since ${holder.acquired_at}` : '';
  return `${who}${where}${since}`;
}

/** Its holder touches a lock this often; one untouched for DEFAULT_STALE_MS is abandoned. */
const REFRESH_MS = 5_000;
const DEFAULT_STALE_MS = 20_000;

/** Begins the token of every lock this process takes: a lock naming our PID without it was left by a former process. */
const PROCESS_TAG = randomBytes(4).toString('hex');

/**
 * Runs `work` while holding an exclusive lock file, across processes (the CLI and the editor may
 * write the same actor at once). The holder refreshes the file's time while it works, so a lock
 * is broken when its process died, when it names this process but was not taken by it (a reused
 * PID), or when nobody refreshed it for `staleMs` (a frozen or foreign holder, a planted file).
 * Not re-entrant: nested calls for the same path wait for themselves until the timeout.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const token = await acquire(lockPath, options.timeoutMs ?? 30_000, staleMs, options.signal);
  const refresh = setInterval(() => void touch(lockPath, token), Math.min(REFRESH_MS, staleMs / 4));
  refresh.unref();
  try {
    return await work();
  } finally {
    clearInterval(refresh);
    await release(lockPath, token);
  }
}

async function touch(lockPath: string, token: string): Promise<void> {
  if ((await readHolder(lockPath))?.token === token) {
    const now = new Date();
    await fs.utimes(lockPath, now, now).catch(() => undefined);
  }
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number, signal?: AbortSignal): Promise<string> {
  const record: LockRecord = {
    pid: process.pid,
    host: os.hostname(),
    token: PROCESS_TAG + randomBytes(4).toString('hex'),
    acquired_at: isoTime(),
  };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, record)) {
      return record.token;
    }
    await breakOrWait(lockPath, attempt, deadline, staleMs, signal);
  }
}

/**
 * Waits until nobody holds the lock, without taking it or writing anything when it is free: the
 * check before a paid request (the save takes the lock afterwards). An abandoned lock is broken
 * here; a live holder is waited for until the timeout, then named.
 */
export async function waitUntilUnlocked(lockPath: string, options: LockOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (
    let attempt = 0;
    await fs.lstat(lockPath).then(
      () => true,
      () => false,
    );
    attempt++
  ) {
    await breakOrWait(lockPath, attempt, deadline, options.staleMs ?? DEFAULT_STALE_MS, options.signal);
  }
}

/** One turn of waiting for a lock that exists: break it when abandoned, else wait a little (or time out). */
async function breakOrWait(lockPath: string, attempt: number, deadline: number, staleMs: number, signal?: AbortSignal): Promise<void> {
  const stat = await fs.lstat(lockPath).catch(() => undefined);
  if (stat && !stat.isFile()) {
    // Never read through, judge or move what a planted link or folder points at.
    throw new StudioError(`${lockPath} is not a lock file (a folder or a link stands there); remove it and try again`, 'input', { file: lockPath });
  }
  const holder = stat && (await readHolder(lockPath));
  if (holder ? await isAbandoned(lockPath, holder, staleMs) : await isUnreadableForLong(lockPath, staleMs)) {
    await breakLock(lockPath, holder?.token);
    return;
  }
  if (Date.now() >= deadline) {
    throw new LockTimeoutError(lockPath, holder);
  }
  signal?.throwIfAborted();
  await delay(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) + Math.random() * 10);
}

/**
 * Creates the lock file with its whole content at once: the record goes to a file of our own,
 * which is then hard-linked to the lock's name (fails if it exists). A process killed at any
 * moment leaves either no lock or a complete one, never an empty file nobody can judge.
 */
async function tryCreate(lockPath: string, record: LockRecord): Promise<boolean> {
  // Named like writeFileAtomic's temporary files, so removeAbandonedTempFiles clears one a kill left.
  const own = `${lockPath}.${process.pid}.${record.token.slice(-8)}.tmp`;
  await fs.writeFile(own, JSON.stringify(record)).catch((error: unknown) => {
    // A read-only or full disk: the message names the lock, not our temporary file.
    throw writeFailure(error, lockPath) ?? error;
  });
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
async function isUnreadableForLong(lockPath: string, staleMs: number): Promise<boolean> {
  const stat = await fs.lstat(lockPath).catch(() => undefined);
  return stat !== undefined && ageOf(stat.mtimeMs) > Math.min(UNREADABLE_LOCK_MS, staleMs);
}

const UNREADABLE_LOCK_MS = 5_000;

/** How long ago, either way: a time in the future (a planted file, a skewed clock) counts as old too. */
const ageOf = (mtimeMs: number) => Math.abs(Date.now() - mtimeMs);

async function readHolder(lockPath: string): Promise<Partial<LockRecord> | undefined> {
  try {
    return JSON.parse(await fs.readFile(lockPath, 'utf8')) as Partial<LockRecord>;
  } catch {
    // Missing (just released) or half-written (being created right now): check again shortly.
    return undefined;
  }
}

async function isAbandoned(lockPath: string, holder: Partial<LockRecord>, staleMs: number): Promise<boolean> {
  if (holder.host === os.hostname() && holder.pid === process.pid) {
    // Ours (held, or being released) however long ago it was refreshed; a former process's otherwise.
    return !String(holder.token).startsWith(PROCESS_TAG);
  }
  if (holder.host === os.hostname() && typeof holder.pid === 'number' && !isProcessAlive(holder.pid)) {
    return true;
  }
  try {
    return ageOf((await fs.lstat(lockPath)).mtimeMs) > staleMs;
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
