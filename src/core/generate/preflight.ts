import { constants, promises as fs } from 'node:fs';
import { InputError } from '../errors';
import { removeAbandonedTempFiles } from '../fs/atomicWrite';
import { exists } from '../fs/files';
import { waitUntilUnlocked } from '../fs/fileLock';
import { actorLockPath, InvalidManifestError, loadManifest } from '../manifest/manifestStore';
import { checkPromptMetadata } from '../manifest/promptMetadata';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths, trackingDir } from '../workspace/layout';

/**
 * Checks, before a paid request, everything saving its image will need: the manifest and
 * prompt_metadata.json are valid, nobody holds the actor's lock (an abandoned or planted one is
 * broken here, a live holder is named), and the training folder is writable. Nothing is written
 * when all is well; temporary files left by killed writes are swept on the way. Throws an
 * InputError naming the file. The save takes the lock itself; if it fails anyway, the paid image
 * goes to data/recovered (saveOrKeep).
 */
export async function checkCanSave(dataRoot: string, actorId: string): Promise<void> {
  const { dir, trainingDir, manifest } = actorPaths(dataRoot, actorId);
  await assertWritableInside(dataRoot, trainingDir);
  await Promise.all([dir, trainingDir, trackingDir(dataRoot)].map(removeAbandonedTempFiles));
  await loadManifest(manifest).catch((error: Error) => {
    const problem =
      error instanceof InvalidManifestError
        ? `${error.message}. If the old tool wrote it, run \`actor-studio migrate\` first (it keeps a copy of the old file).`
        : `${manifest} cannot be read: ${error.message}`;
    throw new InputError(problem, { file: manifest, cause: error });
  });
  await checkPromptMetadata(dataRoot, actorId);
  await waitUntilUnlocked(actorLockPath(dataRoot, actorId));
  const folder = (await exists(trainingDir)) ? trainingDir : dir;
  await fs.access(folder, constants.W_OK).catch((error: Error) => {
    throw new InputError(`${folder} cannot be written: ${error.message}`, { file: folder, cause: error });
  });
}
