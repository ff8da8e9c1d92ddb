import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from './processes';

/**
 * Writes a file so readers see either the old or the new content, never half of it: the bytes go
 * to a temporary file in the same folder, are flushed, and the temporary file is renamed over the
 * target (rename is atomic within one file system).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
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

/** `.<name>.<pid>.<8 hex>.tmp`, as writeFileAtomic names its temporary files. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes temporary files that writeFileAtomic left in `dir` when its process was killed between
 * writing and renaming (the target file itself is intact). Only files of processes that are gone
 * on this machine are removed.
 */
export async function removeAbandonedTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const pid = Number(TEMP_FILE.exec(name)?.[1]);
    if (pid && !isProcessAlive(pid)) {
      await fs.rm(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
