import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Every file under the data folder with its bytes, to put the workspace back as it was. */
export async function snapshotFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(file, await fs.readFile(file));
    }
  }
  return files;
}

export async function restoreFiles(dir: string, files: Map<string, Buffer>): Promise<void> {
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !files.has(file)) {
      await fs.rm(file, { force: true });
    }
  }
  for (const [file, bytes] of files) {
    const now = await fs.readFile(file).catch(() => undefined);
    if (!now || !now.equals(bytes)) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, bytes);
    }
  }
}

/**
 * Keeps the data folder as a suite that executes found it: its files now, and which of the
 * folders a run creates existed. `restore()` puts the files back and removes the folders the suite made.
 */
export async function preserveDataFolder(dir: string, created: readonly string[] = ['.trash', 'action_plans']): Promise<{ restore: () => Promise<void> }> {
  const original = await snapshotFiles(dir);
  const existed = await Promise.all(
    created.map((folder) =>
      fs.access(path.join(dir, folder)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return {
    restore: async () => {
      await restoreFiles(dir, original);
      await Promise.all(created.map((folder, position) => !existed[position] && fs.rm(path.join(dir, folder), { recursive: true, force: true })));
    },
  };
}
