import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StudioError } from '../errors';
import { isProcessAlive } from './processes';

/**
 * Writes a file so readers see either the old or the new content, never half of it: the bytes go
 * to a temporary file in the same folder, are flushed, and the temporary file is renamed over the
 * target (rename is atomic within one file system).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    // A full disk must not also leave half a copy behind: the target itself is untouched.
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw writeFailure(error, target) ?? error;
  }
  await syncDirectory(dir);
}

/** Why a write can fail that the user fixes, and what to do; Node's own message names the temporary file. */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'the disk is full: free some space and try again',
  EDQUOT: 'the disk quota is used up: free some space and try again',
  EROFS: 'the file system is read-only: make it writable (or copy the data folder to one that is) and try again',
  EACCES: 'permission denied: let your user write to the folder and try again',
  EPERM: 'the operation is not permitted: let your user write to the folder and try again',
};

/** A write that failed for a reason the user fixes, as one message naming the target (left as it was). */
export function writeFailure(error: unknown, target: string): StudioError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = code !== undefined ? WRITE_FAILURES[code] : undefined;
  if (!reason) {
    return undefined;
  }
  const [what, todo] = reason.split(': ');
  return new StudioError(`${what}: could not write ${target} (it was left as it was); ${todo}`, 'input', { file: target, cause: error });
}

/** Makes the rename itself durable; not every platform can open a folder, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: Windows cannot fsync a directory.
  } finally {
    await handle?.close();
  }
}

/** `.<name>.<pid>.<8 hex>.tmp`, as writeFileAtomic names its temporary files, and `<name>.lock.<pid>.<8 hex>.tmp` (withFileLock's). */
const TEMP_FILE = /^(?:\..+|.+\.lock)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** A write takes seconds; a temporary file this old is abandoned even if its PID runs again (reused). */
const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Removes temporary files that writeFileAtomic left in `dir` when its process was killed between
 * writing and renaming (the target file itself is intact): those of processes that are gone on
 * this machine, and any older than an hour.
 */
export async function removeAbandonedTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const pid = Number(TEMP_FILE.exec(name)?.[1]);
    if (!pid) {
      continue;
    }
    const file = path.join(dir, name);
    const stat = await fs.lstat(file).catch(() => undefined);
    if (stat?.isFile() && (Date.now() - stat.mtimeMs > ABANDONED_AFTER_MS || !isProcessAlive(pid))) {
      await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
