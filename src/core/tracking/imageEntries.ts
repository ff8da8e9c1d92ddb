import { promises as fs } from 'node:fs';
import { InputError } from '../errors';
import { fileName } from '../manifest/common';
import { updateManifest } from '../manifest/manifestStore';
import type { ImageEntry } from '../manifest/manifestSchema';
import { actorPaths } from '../workspace/layout';
import { actionName } from '../util/actionNames';

export interface EntryChangeOptions {
  /** For the actor's lock, like every manifest writer. */
  lockTimeoutMs?: number;
}

/**
 * Applies `change` to one image entry of the actor's manifest, under the actor's lock (the
 * manifest store's locked update: read, change, write atomically; unknown fields kept). An
 * unknown actor or image is an input error (by default an InputError naming the file at fault),
 * thrown before anything is written.
 */
export async function changeImageEntry(
  dataRoot: string,
  actorId: string,
  filename: string,
  change: (image: ImageEntry) => void,
  options: EntryChangeOptions & { error?: (message: string, file: string) => Error } = {},
): Promise<ImageEntry> {
  const error = options.error ?? ((message: string, file: string) => new InputError(message, { file }));
  if (!fileName.safeParse(actorId).success) {
    throw error(`unknown actor "${actorId}": an actor id is a folder name, not a path`, dataRoot);
  }
  const paths = actorPaths(dataRoot, actorId);
  if (!(await isFolder(paths.dir))) {
    throw error(`unknown actor "${actorId}": there is no folder ${paths.dir}`, paths.dir);
  }
  if (!fileName.safeParse(filename).success) {
    throw error(`"${filename}" is not an image file name (a plain name in ${paths.trainingDir})`, paths.trainingDir);
  }
  let changed: ImageEntry | undefined;
  await updateManifest(
    dataRoot,
    actorId,
    (manifest) => {
      const image = manifest.images.find((candidate) => candidate.filename === filename);
      if (!image) {
        // Thrown before anything is written: the manifest stays as it was.
        throw error(
          `${paths.manifest}: no image "${filename}" in this manifest (an untracked image is added by ${actionName('reconcile')} first)`,
          paths.manifest,
        );
      }
      change(image);
      changed = image;
    },
    { timeoutMs: options.lockTimeoutMs },
  );
  return changed!;
}

async function isFolder(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    (stat) => stat.isDirectory(),
    () => false,
  );
}
