import * as path from 'node:path';

/** Where things live in the data folder (see DESIGN.md, "The data folder"). */
export const ACTORS_DIR = 'actors';
export const BASE_IMAGE_DIR = 'base_image';
export const TRAINING_DIR = 'training_data';
export const MANIFEST_FILE = 'manifest.json';
export const PROMPT_METADATA_FILE = 'prompt_metadata.json';
export const LEGACY_RESPONSE_FILE = 'response.json';

/** Files in training_data/ that are ours and not images. */
/** Where migration keeps an old-format manifest's bytes before rewriting it. */
export const LEGACY_MANIFEST_COPY_FILE = 'manifest.legacy.json';
export const KNOWN_DATA_FILES = new Set([MANIFEST_FILE, PROMPT_METADATA_FILE, LEGACY_RESPONSE_FILE, LEGACY_MANIFEST_COPY_FILE]);

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;

export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase());
}

export interface ActorPaths {
  dir: string;
  baseImageDir: string;
  trainingDir: string;
  manifest: string;
  promptMetadata: string;
}

export function actorPaths(dataRoot: string, actorId: string): ActorPaths {
  const dir = path.join(dataRoot, ACTORS_DIR, actorId);
  const trainingDir = path.join(dir, TRAINING_DIR);
  return {
    dir,
    baseImageDir: path.join(dir, BASE_IMAGE_DIR),
    trainingDir,
    manifest: path.join(trainingDir, MANIFEST_FILE),
    promptMetadata: path.join(trainingDir, PROMPT_METADATA_FILE),
  };
}

/** The number in `<actorId>_<n>.<ext>`, or undefined for files named otherwise. */
export function imageNumber(actorId: string, filename: string): number | undefined {
  const stem = filename.slice(0, filename.length - path.extname(filename).length);
  const prefix = `${actorId}_`;
  if (!stem.startsWith(prefix)) {
    return undefined;
  }
  const digits = stem.slice(prefix.length);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}
