import { StudioError } from '../errors';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { LockOptions, withFileLock } from '../fs/fileLock';
import { assertActorInside, assertWritableInside } from '../workspace/guards';
import { actorPaths } from '../workspace/layout';
import { formatJson, readJsonForUpdate } from './jsonFile';
import { Manifest, manifestSchema } from './manifestSchema';

export class InvalidManifestError extends StudioError {
  constructor(
    override readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid manifest: ${problems.join('; ')}`, 'input');
  }
}

/** The lock file that serialises writers of one actor, across processes. */
export function actorLockPath(dataRoot: string, actorId: string): string {
  return path.join(actorPaths(dataRoot, actorId).dir, '.actor-studio.lock');
}

/** Loads and validates a manifest; a missing file is an empty manifest, an invalid one throws. */
export async function loadManifest(file: string): Promise<Manifest> {
  return readJsonForUpdate(
    file,
    manifestSchema,
    (problems) =>
      new InvalidManifestError(
        file,
        problems.map((problem) => `line ${problem.line + 1}: ${problem.message}`),
      ),
  );
}

/**
 * Runs `work` holding the actor's lock: every writer of one actor's files goes through it. An
 * actor whose folders link out of the data folder is refused before the lock file is made there.
 */
export async function withActorLock<T>(dataRoot: string, actorId: string, work: () => Promise<T>, lock: LockOptions = {}): Promise<T> {
  assertActorInside(dataRoot, actorId);
  return withFileLock(actorLockPath(dataRoot, actorId), work, lock);
}

/**
 * Reads the manifest fresh, applies `change` and writes it back atomically. The caller must hold
 * the actor's lock (withActorLock); updateManifest does both. Unknown fields survive (the schemas
 * are loose); known keys keep the schema's order.
 */
export async function rewriteManifest(
  dataRoot: string,
  actorId: string,
  change: (manifest: Manifest) => Manifest | void | Promise<Manifest | void>,
): Promise<Manifest> {
  const { manifest: file, trainingDir } = actorPaths(dataRoot, actorId);
  await assertWritableInside(dataRoot, file);
  await fs.mkdir(trainingDir, { recursive: true });
  const current = await loadManifest(file);
  const next = manifestSchema.parse((await change(current)) ?? current);
  await writeFileAtomic(file, formatJson(next));
  return next;
}

/** Takes the actor's lock and rewrites its manifest (see rewriteManifest). */
export function updateManifest(
  dataRoot: string,
  actorId: string,
  change: (manifest: Manifest) => Manifest | void | Promise<Manifest | void>,
  lock: LockOptions = {},
): Promise<Manifest> {
  return withActorLock(dataRoot, actorId, () => rewriteManifest(dataRoot, actorId, change), lock);
}
