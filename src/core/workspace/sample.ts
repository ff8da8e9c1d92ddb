import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ACTORS_DIR } from './layout';

export interface SampleCopyResult {
  copied: string[];
  /** Actors already in the data folder: left exactly as they are. */
  skipped: string[];
}

/**
 * Copies the sample actors into a data folder, adding only actors that are not there yet:
 * nothing that exists is ever overwritten.
 */
export async function copySampleActors(sampleDataDir: string, dataRoot: string): Promise<SampleCopyResult> {
  const source = path.join(sampleDataDir, ACTORS_DIR);
  const target = path.join(dataRoot, ACTORS_DIR);
  await fs.mkdir(target, { recursive: true });
  const result: SampleCopyResult = { copied: [], skipped: [] };
  for (const entry of await fs.readdir(source, { withFileTypes: true })) {
    if (!entry.isDirectory()) {
      continue;
    }
    const destination = path.join(target, entry.name);
    const exists = await fs.lstat(destination).then(
      () => true,
      () => false,
    );
    if (exists) {
      result.skipped.push(entry.name);
      continue;
    }
    await fs.cp(path.join(source, entry.name), destination, { recursive: true, errorOnExist: true, force: false });
    result.copied.push(entry.name);
  }
  return result;
}
