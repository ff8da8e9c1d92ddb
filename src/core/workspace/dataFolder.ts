import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { ACTORS_DIR } from './layout';

async function isDirectory(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (stat) => stat.isDirectory(),
    () => false,
  );
}

/**
 * A data folder is a folder with an `actors/` folder in it. Anything else (a file, a typo, the
 * folder above the data folder) is refused before a command reads or writes anything there, so a
 * wrong path never passes as "no actors" or gains an `action_plans/`. Commands that read only the
 * tracking files (export-prompts) pass `actors: false`.
 */
export async function checkDataFolder(dataRoot: string, { actors = true }: { actors?: boolean } = {}): Promise<string> {
  if (!(await isDirectory(dataRoot))) {
    const what = (await fs.stat(dataRoot).catch(() => undefined)) ? 'is not a folder' : 'not found';
    throw new InputError(`data folder ${what}: ${dataRoot} (pass --data DIR, or see \`actor-studio config\`)`, { file: dataRoot });
  }
  if (actors && !(await isDirectory(path.join(dataRoot, ACTORS_DIR)))) {
    throw new InputError(`${dataRoot} is not a data folder: it has no ${ACTORS_DIR}/ folder (pass --data DIR, or see \`actor-studio config\`)`, {
      file: dataRoot,
    });
  }
  return dataRoot;
}
