import { lstatSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isInside, realPathInside } from '../workspace/guards';
import { actorPaths, BASE_IMAGE_DIR, isImageFile } from '../workspace/layout';
import { PLAIN_NAME } from '../workspace/plainName';

/** The fields a base_images entry may name its file by: ours, then the old tool's two paths. */
export const BASE_IMAGE_FIELDS = ['filename', 'moved_to', 'relative_path'] as const;
export type BaseImageField = (typeof BASE_IMAGE_FIELDS)[number];

export type ResolvedBaseImage =
  | { found: true; field: BaseImageField; filename: string; path: string }
  | { found: false; field: BaseImageField | undefined; outside: boolean; problem: string };

/**
 * The one resolver of a manifest's base_images entry, for every reader (index, tree, evaluate,
 * generate, plan, export, migrate). `filename` is a file of base_image/. The old tool's
 * `relative_path` and `moved_to` are paths: a relative one is read from the actor folder; one
 * inside the data folder is used as it is; one of the old machine (outside the data folder) is
 * looked up by its file name in base_image/, where the old tool kept base images. Nothing outside
 * the data folder is ever used: a path or link leading there is a problem, not a base image.
 * Synchronous, like the index that calls it. `listed`: the regular files of base_image/ when the
 * caller has listed it already (and checked the folder is inside), which spares the index a
 * look at the disk per actor.
 */
export function resolveBaseImage(
  dataRoot: string,
  realDataRoot: string,
  actorId: string,
  entry: Record<string, unknown>,
  listed?: ReadonlySet<string>,
): ResolvedBaseImage {
  const field = BASE_IMAGE_FIELDS.find((key) => typeof entry[key] === 'string' && entry[key] !== '');
  if (!field) {
    return { found: false, field, outside: false, problem: `names no file (give ${BASE_IMAGE_FIELDS.join(', ')})` };
  }
  const { dir, baseImageDir } = actorPaths(dataRoot, actorId);
  const value = entry[field] as string;
  if (field === 'filename' && listed?.has(value) && isImageFile(value)) {
    return { found: true, field, filename: value, path: path.join(baseImageDir, value) };
  }
  const name = value.split(/[\\/]/).filter(Boolean).pop() ?? value;
  const described = field === 'filename' ? JSON.stringify(value) : `${field} ${JSON.stringify(value)}`;
  if (field === 'filename' && !PLAIN_NAME.test(value)) {
    return { found: false, field, outside: false, problem: `${described} is not a plain file name in ${BASE_IMAGE_DIR}/` };
  }
  const direct = field === 'filename' ? path.join(baseImageDir, value) : path.resolve(dir, value);
  const directInside = isInside(dataRoot, direct) || isInside(realDataRoot, direct);
  const inBaseFolder = path.join(baseImageDir, name);
  const candidates = directInside ? [direct, inBaseFolder] : [inBaseFolder];
  for (const candidate of [...new Set(candidates)]) {
    if (!entryExists(candidate)) continue;
    if (!realPathInside(realDataRoot, candidate)) {
      return { found: false, field, outside: true, problem: `${described} links outside the data folder (or to nothing); it is not used` };
    }
    if (isImageFile(candidate) && statSync(candidate).isFile()) {
      return { found: true, field, filename: path.basename(candidate), path: candidate };
    }
  }
  return directInside
    ? { found: false, field, outside: false, problem: `${described}: not found${field === 'filename' ? '' : ` (nor ${name} in ${BASE_IMAGE_DIR}/)`}` }
    : { found: false, field, outside: true, problem: `${described} is outside the data folder and ${BASE_IMAGE_DIR}/ has no ${name}; it is not used` };
}

function entryExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
