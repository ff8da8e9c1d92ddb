import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Manifest } from '../manifest/manifestSchema';
import { ACTORS_DIR, actorPaths, imageNumber, TRAINING_DIR, TRASH_DIR } from '../workspace/layout';

/**
 * The next image number for an actor: one more than the highest ever seen in the manifest (its
 * `highest_index` remembers numbers of deleted images), on disk, or in the trash. Call it under
 * the actor's lock and record the result as `highest_index` in the same locked update.
 */
export function nextImageNumber(dataRoot: string, actorId: string, manifest: Manifest): number {
  let highest = manifest.highest_index ?? -1;
  for (const entry of manifest.images) {
    highest = Math.max(highest, entry.index ?? -1, imageNumber(actorId, entry.filename) ?? -1);
  }
  for (const name of namesIn(actorPaths(dataRoot, actorId).trainingDir)) {
    highest = Math.max(highest, imageNumber(actorId, name) ?? -1);
  }
  for (const run of namesIn(path.join(dataRoot, TRASH_DIR))) {
    for (const name of namesIn(path.join(dataRoot, TRASH_DIR, run, ACTORS_DIR, actorId, TRAINING_DIR))) {
      highest = Math.max(highest, imageNumber(actorId, name) ?? -1);
    }
  }
  return highest + 1;
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
