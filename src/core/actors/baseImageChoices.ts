import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { realPathInside } from '../workspace/guards';
import { actorPaths, isImageFile, PLAIN_NAME } from '../workspace/layout';
import type { ActorRecord } from './types';

export interface BaseImageChoice {
  filename: string;
  path: string;
  /** The actor's base image (the manifest's, else `<actorId>_base.*`): the default. */
  canonical: boolean;
}

/**
 * The images a generation can start from: the actor's base image first, then every other image
 * file in its base_image/ folder (an old one kept beside a new one, a second angle), by name.
 * Links that leave the data folder are not offered.
 */
export function listBaseImages(dataRoot: string, actor: ActorRecord): BaseImageChoice[] {
  const canonical = actor.baseImage;
  const dir = actorPaths(dataRoot, actor.id).baseImageDir;
  let realRoot: string;
  let names: string[];
  try {
    realRoot = realpathSync(dataRoot);
    names = readdirSync(dir).sort();
  } catch {
    names = [];
    realRoot = dataRoot;
  }
  const others = names
    .filter((name) => isImageFile(name) && !name.startsWith('.') && PLAIN_NAME.test(name))
    .map((name) => ({ filename: name, path: path.join(dir, name), canonical: false }))
    .filter((choice) => choice.path !== canonical?.path && realPathInside(realRoot, choice.path) && isFile(choice.path));
  return canonical ? [{ ...canonical, canonical: true }, ...others] : others;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
