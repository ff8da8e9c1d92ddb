import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';

/** True when the path names an entry (a dangling symlink too): the check before creating a file there. */
export async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}

/**
 * sha256 of files, computed only when asked and remembered while the file's size, mtime and inode
 * stay the same, so checking many plans for staleness hashes each unchanged file once.
 */
export class FileHasher {
  private readonly cache = new Map<string, { stamp: string; sha256: string }>();
  /** How many files were actually read (for tests and diagnostics). */
  hashed = 0;

  async hash(file: string): Promise<string> {
    const stamp = await stampOf(file);
    const cached = this.cache.get(file);
    if (cached && cached.stamp === stamp) {
      return cached.sha256;
    }
    const sha256 = await sha256File(file);
    this.hashed++;
    this.cache.set(file, { stamp, sha256 });
    return sha256;
  }

  /** The hash when it is known and the file did not change since (one stat, no read); else undefined. */
  async known(file: string): Promise<string | undefined> {
    const cached = this.cache.get(file);
    if (!cached) {
      return undefined;
    }
    const stamp = await stampOf(file).catch(() => undefined);
    return stamp === cached.stamp ? cached.sha256 : undefined;
  }
}

async function stampOf(file: string): Promise<string> {
  const stat = await fs.stat(file);
  return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
}

export async function sha256File(file: string): Promise<string> {
  // Training images are a few hundred KB: one read is faster than a stream of 64 KB chunks.
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}
