import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import type { TrainingCategory } from '../manifest/categories';
import { loadManifest, rewriteManifest, withActorLock } from '../manifest/manifestStore';
import type { ImageEntry } from '../manifest/manifestSchema';
import { addResponseUrl } from '../manifest/legacyResponse';
import { recordPromptMetadata } from '../manifest/promptMetadata';
import { imageSize } from '../image/imageFiles';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths } from '../workspace/layout';
import { nextImageNumber } from '../actors/numbering';
import type { GenerationResult } from './types';
import { isoTime } from '../util/time';

export interface SaveRequest {
  dataRoot: string;
  actorId: string;
  /** The library prompt's id; null for a text of the user's own. */
  promptId: string | null;
  prompt: string;
  category: TrainingCategory;
  /** The base image it was made from, when not the actor's own (a file of base_image/). */
  baseImage?: string;
  result: GenerationResult;
  /** A number reserved earlier (reserveImageNumber, e.g. by a journaled execution); default: the next one. */
  index?: number;
  now?: () => Date;
}

export interface SavedImage {
  filename: string;
  path: string;
  index: number;
  entry: ImageEntry;
  /** The image is saved and in the manifest, but prompt_metadata.json could not be updated. */
  warning?: string;
}

/**
 * Saves a generated image: under the actor's lock, the number is one more than the highest ever
 * seen (never reused), the file `<actorId>_<n>.<ext>` is written atomically, and the manifest and
 * prompt_metadata.json get their entries. A crash between the file and the manifest leaves an
 * untracked file, which is listed, never lost.
 */
export async function saveGeneratedImage(request: SaveRequest): Promise<SavedImage> {
  const { dataRoot, actorId, result } = request;
  const { trainingDir, manifest: manifestFile } = actorPaths(dataRoot, actorId);
  await assertWritableInside(dataRoot, trainingDir);
  const { width, height } = await imageSize(result.bytes);
  return withActorLock(dataRoot, actorId, async () => {
    const index = request.index ?? nextImageNumber(dataRoot, actorId, await loadManifest(manifestFile));
    const filename = `${actorId}_${index}.${result.extension}`;
    const file = path.join(trainingDir, filename);
    // A new actor has only its base image: its first image makes the training folder.
    await fs.mkdir(trainingDir, { recursive: true });
    await writeFileAtomic(file, result.bytes);
    const entry = imageEntry(request, { filename, index, bytes: result.bytes, width, height, model: result.model });
    Object.assign(entry, {
      parameters: result.parameters,
      seed: result.seed ?? null,
      ...(result.predictionId ? { prediction_id: result.predictionId } : {}),
      duration_ms: result.durationMs,
    });
    let warning: string | undefined;
    try {
      warning = await recordNewImage(request, entry);
    } catch (error) {
      // Not in the manifest: the caller keeps the bytes in data/recovered (saveOrKeep); an
      // untracked copy left here as well would be adopted twice.
      await fs.rm(file, { force: true }).catch(() => undefined);
      throw error;
    }
    return { filename, path: file, index, entry, ...(warning ? { warning } : {}) };
  });
}

/**
 * Reserves the next `count` image numbers for generations about to run: recorded as the
 * manifest's `highest_index` under the actor's lock, so no other writer (in any process) gets
 * them, even if a generation never finishes.
 */
export async function reserveImageNumbers(dataRoot: string, actorId: string, count = 1): Promise<number[]> {
  await assertWritableInside(dataRoot, actorPaths(dataRoot, actorId).trainingDir);
  return withActorLock(dataRoot, actorId, async () => {
    let first = 0;
    await rewriteManifest(dataRoot, actorId, (manifest) => {
      first = nextImageNumber(dataRoot, actorId, manifest);
      manifest.highest_index = first + count - 1;
    });
    return Array.from({ length: count }, (_, offset) => first + offset);
  });
}

/**
 * Puts an image file that was written but never recorded (a crash between the file and the
 * manifest) into the manifest and prompt_metadata.json, with what is known of its generation.
 */
export async function adoptImageFile(request: Omit<SaveRequest, 'result'> & { filename: string; index: number; model: string }): Promise<SavedImage> {
  const { dataRoot, actorId, filename } = request;
  const file = path.join(actorPaths(dataRoot, actorId).trainingDir, filename);
  const bytes = await fs.readFile(file);
  const { width, height } = await imageSize(bytes);
  return withActorLock(dataRoot, actorId, async () => {
    const entry = imageEntry(request, { filename, index: request.index, bytes, width, height, model: request.model });
    const warning = await recordNewImage(request, entry);
    return { filename, path: file, index: request.index, entry, ...(warning ? { warning } : {}) };
  });
}

function imageEntry(
  request: Pick<SaveRequest, 'promptId' | 'prompt' | 'category' | 'baseImage' | 'now'>,
  image: { filename: string; index: number; bytes: Buffer; width?: number; height?: number; model: string },
): ImageEntry {
  return {
    filename: image.filename,
    index: image.index,
    category: request.category,
    category_source: 'prompt',
    source: 'generated',
    prompt_id: request.promptId,
    prompt: request.prompt,
    ...(request.baseImage ? { base_image: request.baseImage } : {}),
    model: image.model,
    created_at: isoTime(request.now?.()),
    s3_key: null,
    s3_url: null,
    sha256: createHash('sha256').update(image.bytes).digest('hex'),
    size: image.bytes.length,
    width: image.width,
    height: image.height,
    rating: null,
  };
}

/**
 * Under the actor's lock: the entry into the manifest (once), and prompt_metadata.json. Once the
 * manifest holds the image it is saved: a prompt_metadata.json that cannot be written (it broke
 * meanwhile) is a warning returned, not a failure that would hide a saved image.
 */
async function recordNewImage(request: Pick<SaveRequest, 'dataRoot' | 'actorId' | 'prompt'>, entry: ImageEntry): Promise<string | undefined> {
  const { dataRoot, actorId } = request;
  const createdAt = entry.created_at ?? isoTime();
  await rewriteManifest(dataRoot, actorId, (manifest) => {
    manifest.images = manifest.images.filter((image) => image.filename !== entry.filename);
    manifest.images.push(entry);
    manifest.highest_index = Math.max(manifest.highest_index ?? -1, entry.index ?? -1);
    manifest.generations.push({ id: `${createdAt}-${entry.index}`, created_at: createdAt, model: entry.model ?? 'unknown', images: [entry.filename] });
  });
  return recordPromptMetadata(dataRoot, actorId, entry.filename, { prompt: request.prompt, generated_at: createdAt, s3_url: '', index: entry.index }).then(
    () => undefined,
    (error: Error) => `prompt_metadata.json was not updated (${error.message}); Reconcile Data brings it in step once it is fixed`,
  );
}

/**
 * After an upload: the key and the URL (a plain string) go into the manifest, the metadata and,
 * for an actor of the old tool, response.json. Returns a warning when response.json could not
 * follow (the upload and the manifest stand).
 */
export async function recordUpload(dataRoot: string, actorId: string, filename: string, key: string, url: string | undefined): Promise<string | undefined> {
  const manifestFile = actorPaths(dataRoot, actorId).manifest;
  if (
    !(await fs.access(manifestFile).then(
      () => true,
      () => false,
    ))
  ) {
    return undefined; // the actor or its manifest is gone: nothing to record into
  }
  return withActorLock(dataRoot, actorId, async () => {
    let tracked = false;
    await rewriteManifest(dataRoot, actorId, (manifest) => {
      const entry = manifest.images.find((image) => image.filename === filename);
      if (entry) {
        entry.s3_key = key;
        entry.s3_url = url ?? null;
        tracked = true;
      }
    });
    if (!url || !tracked) {
      return undefined;
    }
    await recordPromptMetadata(dataRoot, actorId, filename, { s3_url: url });
    return addResponseUrl(dataRoot, actorId, filename, url);
  });
}
