import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import type { TrainingCategory } from '../manifest/categories';
import { loadManifest, rewriteManifest, withActorLock } from '../manifest/manifestStore';
import type { ImageEntry } from '../manifest/manifestSchema';
import { recordPromptMetadata } from '../manifest/promptMetadata';
import { imageSize } from '../image/imageFiles';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths } from '../workspace/layout';
import { nextImageNumber } from '../workspace/numbering';
import type { GenerationResult } from './types';

export interface SaveRequest {
  dataRoot: string;
  actorId: string;
  promptId: string;
  prompt: string;
  category: TrainingCategory;
  result: GenerationResult;
  now?: () => Date;
}

export interface SavedImage {
  filename: string;
  path: string;
  index: number;
  entry: ImageEntry;
}

/**
 * Saves a generated image: under the actor's lock, the number is one more than the highest ever
 * seen (never reused), the file `<actorId>_<n>.<ext>` is written atomically, and the manifest and
 * prompt_metadata.json get their entries. A crash between the file and the manifest leaves an
 * untracked file, which is listed, never lost.
 */
export async function saveGeneratedImage(request: SaveRequest): Promise<SavedImage> {
  const { dataRoot, actorId, result } = request;
  const now = (request.now ?? (() => new Date()))().toISOString();
  const { trainingDir, manifest: manifestFile } = actorPaths(dataRoot, actorId);
  await assertWritableInside(dataRoot, trainingDir);
  const { width, height } = await imageSize(result.bytes);
  return withActorLock(dataRoot, actorId, async () => {
    const index = nextImageNumber(dataRoot, actorId, await loadManifest(manifestFile));
    const filename = `${actorId}_${index}.${result.extension}`;
    const file = path.join(trainingDir, filename);
    await writeFileAtomic(file, result.bytes);
    const entry: ImageEntry = {
      filename,
      index,
      category: request.category,
      source: 'generated',
      prompt_id: request.promptId,
      prompt: request.prompt,
      model: result.model,
      parameters: result.parameters,
      seed: result.seed ?? null,
      created_at: now,
      s3_key: null,
      s3_url: null,
      sha256: createHash('sha256').update(result.bytes).digest('hex'),
      size: result.bytes.length,
      width,
      height,
      rating: null,
      ...(result.predictionId ? { prediction_id: result.predictionId } : {}),
      duration_ms: result.durationMs,
    };
    await rewriteManifest(dataRoot, actorId, (manifest) => {
      manifest.images.push(entry);
      manifest.highest_index = Math.max(manifest.highest_index ?? -1, index);
      manifest.generations.push({ id: `${now}-${index}`, created_at: now, model: result.model, images: [filename] });
    });
    await recordPromptMetadata(dataRoot, actorId, filename, { prompt: request.prompt, generated_at: now, s3_url: '', index });
    return { filename, path: file, index, entry };
  });
}

/** After an upload: the key and the URL (a plain string) go into the manifest and the metadata. */
export async function recordUpload(dataRoot: string, actorId: string, filename: string, key: string, url: string | undefined): Promise<void> {
  const manifestFile = actorPaths(dataRoot, actorId).manifest;
  if (!(await fs.access(manifestFile).then(() => true, () => false))) {
    return; // the actor or its manifest is gone: nothing to record into
  }
  await withActorLock(dataRoot, actorId, async () => {
    let tracked = false;
    await rewriteManifest(dataRoot, actorId, (manifest) => {
      const entry = manifest.images.find((image) => image.filename === filename);
      if (entry) {
        entry.s3_key = key;
        entry.s3_url = url ?? null;
        tracked = true;
      }
    });
    if (url && tracked) {
      await recordPromptMetadata(dataRoot, actorId, filename, { s3_url: url });
    }
  });
}
