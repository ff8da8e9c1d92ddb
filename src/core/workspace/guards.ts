import { StudioError } from '../errors';
import { promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { exists } from '../fs/files';

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
 * Throws unless `target` really is inside the data folder: lexically, and after resolving links
 * of its nearest existing ancestor (the part of the path that exists can be a planted link).
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
