import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { removeAbandonedTempFiles, writeFileAtomic } from '../fs/atomicWrite';
import { InvalidManifestError, loadManifest, withActorLock } from '../manifest/manifestStore';
import { checkPromptMetadata } from '../manifest/promptMetadata';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths } from '../workspace/layout';

/**
 * Checks, before a paid request, everything saving its image will need: the manifest and
 * prompt_metadata.json are valid, the actor's lock can be had (an abandoned or planted one is
 * broken here, a live holder is named), and the training folder takes a file. Leftover
 * temporary files of killed writes are swept on the way. Throws an InputError naming the file.
 */
export async function checkCanSave(dataRoot: string, actorId: string): Promise<void> {
  const { dir, trainingDir, manifest } = actorPaths(dataRoot, actorId);
  await assertWritableInside(dataRoot, trainingDir);
  await Promise.all([dir, trainingDir].map(removeAbandonedTempFiles));
  await loadManifest(manifest).catch((error: Error) => {
    const problem =
      error instanceof InvalidManifestError
        ? `${error.message}. If the old tool wrote it, run \`actor-studio migrate\` first (it keeps a copy of the old file).`
        : `${manifest} cannot be read: ${error.message}`;
    throw new InputError(problem, { file: manifest, cause: error });
  });
  await checkPromptMetadata(dataRoot, actorId);
  await withActorLock(dataRoot, actorId, async () => {
    await fs.mkdir(trainingDir, { recursive: true });
    const probe = path.join(trainingDir, '.actor-studio-write-check');
    await writeFileAtomic(probe, 'ok\n');
    await fs.rm(probe, { force: true });
  });
}
