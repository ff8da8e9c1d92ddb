import { InputError } from '../errors';
import { inspectImage } from '../image/imageFiles';
import type { LibraryPrompt } from '../prompts/types';
import { fillPrompt } from '../prompts/library';
import { logQuietly, recordFailure, recordSuccess } from '../tracking/generationLog';
import { ActorIndex } from '../actors/dataIndex';
import { recordUpload, SavedImage } from './saveResult';
import type { Uploader } from './uploader';
import { failureReasonOf } from './failureReasonOf';
import { checkCanSave } from './preflight';
import { saveOrKeep } from './recovered';
import { GenerationError, type GenerationResult, type Generator } from './types';

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
  /** Told when the generation log could not be written (the generation's own outcome stands). */
  onWarning?: (message: string) => void;
}

export interface GeneratedImage extends SavedImage {
  prompt: LibraryPrompt;
  result: GenerationResult;
  /** The object's URL when the upload went through. */
  url?: string;
  /** The upload failed and waits in the pending queue; the local file stands. */
  uploadQueued?: string;
  /** The generation log could not be written (or was invalid and set aside). */
  logWarning?: string;
}

/** Input problems found before anything is generated or written. */
export class GenerateInputError extends InputError {}

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
  // Before paying: whatever would make the save fail afterwards is found now, at no cost.
  await checkCanSave(dataRoot, actorId);
  // Logged as the generator panel's and CLI's attempts; bad input above is no attempt and writes nothing.
  const attempt = { actorId, promptId: prompt.id, prompt: text, model: generator.model, category: prompt.category, saveMethod: 'manual' as const };
  const started = Date.now();
  let result: GenerationResult;
  let saved: SavedImage;
  try {
    request.onProgress?.(`generating with ${generator.model}`);
    result = await generator.generate({
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
    saved = await saveOrKeep({ dataRoot, actorId, promptId: prompt.id, prompt: text, category: prompt.category, result });
  } catch (error) {
    // Cancel is the user's choice, not an outcome of the prompt or the model: not logged.
    if (!request.signal?.aborted && !(error instanceof GenerationError && error.reason === 'cancelled')) {
      // A generator throws GenerationErrors; anything else failed while saving the image.
      const failureReason = failureReasonOf(error, 'store');
      const parameters = request.seed !== undefined ? { seed: request.seed } : undefined;
      const warning = await logQuietly(() => recordFailure(dataRoot, { ...attempt, parameters, durationMs: Date.now() - started, error, failureReason }));
      if (warning) {
        request.onWarning?.(warning);
      }
    }
    throw error;
  }
  if (saved.warning) {
    request.onWarning?.(saved.warning);
  }
  const success = { ...attempt, model: result.model, parameters: result.parameters, durationMs: result.durationMs, resultPath: saved.path };
  if (!request.upload) {
    const logWarning = await logQuietly(() => recordSuccess(dataRoot, success));
    return { ...saved, prompt, result, ...(logWarning ? { logWarning } : {}) };
  }
  request.onProgress?.('uploading');
  let url: string | undefined;
  try {
    const upload = await request.upload(actorId, saved.filename, saved.path);
    const recordWarning = await recordUpload(dataRoot, actorId, saved.filename, upload.key, upload.url);
    if (recordWarning) {
      request.onWarning?.(recordWarning);
    }
    url = upload.url;
    const logWarning = await logQuietly(() => recordSuccess(dataRoot, { ...success, resultUrl: url }));
    return {
      ...saved,
      prompt,
      result,
      url,
      uploadQueued: upload.queued ? (upload.error ?? 'upload queued') : undefined,
      ...(logWarning ? { logWarning } : {}),
    };
  } catch (error) {
    // The image was made and saved: a success, even though recording its upload went wrong.
    const warning = await logQuietly(() => recordSuccess(dataRoot, { ...success, resultUrl: url }));
    if (warning) {
      request.onWarning?.(warning);
    }
    throw error;
  }
}
