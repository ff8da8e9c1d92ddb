import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const SAMPLE_DATA = path.join(REPO_ROOT, 'sample', 'data');

/** A fresh temporary folder; removed by the returned cleanup. */
export async function makeTempDir(prefix = 'actor-studio-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** A copy of the sample data folder in a temporary workspace: `<dir>/data`. */
export async function copySampleData(): Promise<{ dir: string; dataRoot: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir();
  const dataRoot = path.join(temp.dir, 'data');
  await fs.cp(SAMPLE_DATA, dataRoot, { recursive: true });
  return { ...temp, dataRoot };
}

/** Writes a minimal actor: base image bytes, training images, and an optional manifest text. */
export async function writeActor(
  dataRoot: string,
  actorId: string,
  options: { images?: string[]; manifest?: string | object; base?: boolean; extraFiles?: Record<string, string> } = {},
): Promise<string> {
  const dir = path.join(dataRoot, 'actors', actorId);
  await fs.mkdir(path.join(dir, 'training_data'), { recursive: true });
  await fs.mkdir(path.join(dir, 'base_image'), { recursive: true });
  if (options.base !== false) {
    await fs.writeFile(path.join(dir, 'base_image', `${actorId}_base.png`), 'png');
  }
  for (const image of options.images ?? []) {
    await fs.writeFile(path.join(dir, 'training_data', image), 'jpg');
  }
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) {
    await fs.writeFile(path.join(dir, 'training_data', name), content);
  }
  if (options.manifest !== undefined) {
    const text = typeof options.manifest === 'string' ? options.manifest : `${JSON.stringify(options.manifest, null, 2)}\n`;
    await fs.writeFile(path.join(dir, 'training_data', 'manifest.json'), text);
  }
  return dir;
}

/** Every file below a folder with its size and mtime, to prove an operation wrote nothing. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const stat = await fs.lstat(file);
    result[path.relative(dir, file)] = `${stat.size}:${stat.mtimeMs}`;
  }
  return result;
}
