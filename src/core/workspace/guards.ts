import { StudioError } from '../errors';
import { lstatSync, promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { exists } from '../fs/files';
import { actorPaths } from './layout';

/** True when `candidate` is `root` itself or lies below it (purely lexical). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export class OutsideDataFolderError extends StudioError {
  constructor(
    readonly target: string,
    readonly dataRoot: string,
  ) {
    super(`${target} is outside the data folder ${dataRoot}; Actor Studio never reads or writes there.`, 'input');
  }
}

/**
 * Resolves symlinks and checks the real location is still inside the (real) data folder, so a
 * link planted in the data folder cannot make us read or write elsewhere. Synchronous: it runs
 * inside the time-sliced index, where a thread-pool round trip per file costs more than the call.
 */
export function realPathInside(realDataRoot: string, candidate: string): boolean {
  try {
    return isInside(realDataRoot, realpathSync(candidate));
  } catch {
    return false;
  }
}

/**
 * The one guard of every read and write below the data folder: throws unless `target` really is
 * inside it, lexically and after resolving links of its nearest existing ancestor (the part of
 * the path that exists can be a planted link, the target itself included).
 */
export async function assertWritableInside(dataRoot: string, target: string): Promise<void> {
  const realRoot = await fs.realpath(dataRoot);
  if (!isInside(dataRoot, target)) {
    throw new OutsideDataFolderError(target, dataRoot);
  }
  let existing = path.resolve(target);
  while (!(await exists(existing)) && existing !== path.dirname(existing)) {
    existing = path.dirname(existing);
  }
  if (!realPathInside(realRoot, existing)) {
    throw new OutsideDataFolderError(target, dataRoot);
  }
}

/**
 * The first of an actor's folders (the actor folder, training_data/, base_image/) that a link
 * leads out of the data folder (or to nothing), or undefined. Every command skips such an actor
 * and says why; the index ignores what is behind the link. Synchronous, like realPathInside.
 */
export function actorFolderOutside(dataRoot: string, actorId: string): string | undefined {
  let realRoot: string;
  try {
    realRoot = realpathSync(dataRoot);
  } catch {
    return undefined;
  }
  const linkedOut = (dir: string): boolean => {
    try {
      lstatSync(dir);
    } catch {
      return false; // absent: nothing to follow
    }
    return !realPathInside(realRoot, dir);
  };
  const paths = actorPaths(dataRoot, actorId);
  return [paths.dir, paths.trainingDir, paths.baseImageDir].find(linkedOut);
}

/** Why a command skips the actor, when one of its folders links outside: one wording for every command. */
export function linkedOutsideReason(dataRoot: string, actorId: string): string | undefined {
  const outside = actorFolderOutside(dataRoot, actorId);
  return outside && `${outside} links outside the data folder; the actor is skipped`;
}

/** Throws the guard's error when the actor's folder, training_data/ or base_image/ links outside. */
export function assertActorInside(dataRoot: string, actorId: string): void {
  const outside = actorFolderOutside(dataRoot, actorId);
  if (outside) {
    throw new OutsideDataFolderError(outside, dataRoot);
  }
}
