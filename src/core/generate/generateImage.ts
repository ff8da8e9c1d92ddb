import { inspectImage } from '../image/imageFiles';
import type { LibraryPrompt } from '../prompts/types';
import { fillPrompt } from '../prompts/library';
import { ActorIndex } from '../workspace/dataIndex';
import { recordUpload, saveGeneratedImage, SavedImage } from './saveResult';
import type { Uploader } from './uploader';
import type { GenerationResult, Generator } from './types';

export interface GenerateImageRequest {
  dataRoot: string;
  actorId: string;
  promptId: string;
  /** The merged prompt library (built-in and the user's data/prompts.json). */
  prompts: LibraryPrompt[];
  generator: Generator;
  /** Mirrors the saved image to the object store; absent when there is none. */
  upload?: Uploader;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface GeneratedImage extends SavedImage {
  prompt: LibraryPrompt;
  result: GenerationResult;
  /** The object's URL when the upload went through. */
  url?: string;
  /** The upload failed and waits in the pending queue; the local file stands. */
  uploadQueued?: string;
}

/** Input problems found before anything is generated or written. */
export class GenerateInputError extends Error {}

/**
 * Generates one image for an actor from a library prompt and saves it (see saveGeneratedImage).
 * Everything that can be checked first is checked first (actor, base image, prompt), so bad
 * input costs nothing and writes nothing.
 */
export async function generateImage(request: GenerateImageRequest): Promise<GeneratedImage> {
  const { dataRoot, actorId, generator } = request;
  const index = new ActorIndex(dataRoot);
  const listing = index.list();
  if (!listing.exists) {
    throw new GenerateInputError(`data folder not found: ${dataRoot}`);
  }
  if (!listing.ids.includes(actorId)) {
    throw new GenerateInputError(`no actor "${actorId}" in ${dataRoot}/actors`);
  }
  const actor = index.actor(actorId);
  if (!actor.baseImage) {
    throw new GenerateInputError(`${actorId} has no base image: add ${actorId}_base.png (or .jpg) to ${actor.dir}/base_image/`);
  }
  await inspectImage(actor.baseImage.path).catch((error: Error) => {
    throw new GenerateInputError(`the base image of ${actorId} cannot be used: ${error.message}`);
  });
  const prompt = request.prompts.find((candidate) => candidate.id === request.promptId);
  if (!prompt) {
    throw new GenerateInputError(`unknown prompt id "${request.promptId}"; \`actor-studio prompts\` lists the ${request.prompts.length} available`);
  }
  const text = fillPrompt(prompt.template, String(actor.info.descriptor));
  request.onProgress?.(`generating with ${generator.model}`);
  const result = await generator.generate({
    actorId,
    baseImagePath: actor.baseImage.path,
    promptId: prompt.id,
    prompt: text,
    category: prompt.category,
    seed: request.seed,
    signal: request.signal,
    onProgress: request.onProgress,
  });
  // A result that arrived is paid for: it is saved even if Cancel was pressed meanwhile.
  request.onProgress?.('saving');
  const saved = await saveGeneratedImage({ dataRoot, actorId, promptId: prompt.id, prompt: text, category: prompt.category, result });
  if (!request.upload) {
    return { ...saved, prompt, result };
  }
  request.onProgress?.('uploading');
  const upload = await request.upload(actorId, saved.filename, saved.path);
  await recordUpload(dataRoot, actorId, saved.filename, upload.key, upload.url);
  return { ...saved, prompt, result, url: upload.url, uploadQueued: upload.queued ? (upload.error ?? 'upload queued') : undefined };
}
