import { InputError } from '../errors';
import { inspectImage } from '../image/imageFiles';
import type { TrainingCategory } from '../manifest/categories';
import { MAX_PROMPT_TEXT_LENGTH, type LibraryPrompt } from '../prompts/types';
import { fillPrompt } from '../prompts/library';
import { categoryFromPromptText } from '../prompts/promptCategory';
import { customPromptId, normalisePromptText, tidyPromptText } from '../prompts/promptText';
import { listBaseImages } from '../actors/baseImageChoices';
import type { ActorRecord } from '../actors/types';
import { logQuietly, recordFailure, recordSuccess } from '../tracking/generationLog';
import { ActorIndex } from '../actors/dataIndex';
import { recordUpload, SavedImage } from './saveResult';
import type { Uploader } from './uploader';
import { failureReasonOf } from './failureReasonOf';
import { checkCanSave } from './preflight';
import { saveOrKeep } from './recovered';
import { attemptParameters, GenerationError, type GenerationResult, type Generator } from './types';

export interface GenerateImageRequest {
  dataRoot: string;
  actorId: string;
  /** A library prompt; or, instead, `promptText`. */
  promptId?: string;
  /** A prompt of the user's own (free text, or a custom prompt of the actor), recorded with no library id. */
  promptText?: string;
  /** The category of `promptText`; default: taken from its words (categoryFromPromptText). */
  category?: TrainingCategory;
  /** A file of the actor's base_image/ folder (listBaseImages); default: the actor's base image. */
  baseImage?: string;
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

/** The prompt a generation used: a library prompt, or a text of the user's own (`id` null). */
export interface ChosenPrompt {
  id: string | null;
  label: string;
  category: TrainingCategory;
  /** The text sent to the model, descriptor filled in. */
  text: string;
}

export interface GeneratedImage extends SavedImage {
  prompt: ChosenPrompt;
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
 * Generates one image for an actor from a library prompt or a text of the user's own, and saves
 * it (see saveGeneratedImage). Everything that can be checked first is checked first (actor,
 * base image, prompt and category), so bad input costs nothing and writes nothing.
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
  const baseImages = listBaseImages(dataRoot, actor);
  const baseImage = baseImages.find((choice) => (request.baseImage === undefined ? choice.canonical : choice.filename === request.baseImage));
  if (!baseImage) {
    throw new GenerateInputError(
      request.baseImage === undefined
        ? `${actorId} has no base image: add ${actorId}_base.png (or .jpg) to ${actor.dir}/base_image/`
        : `${actorId} has no base image "${request.baseImage}" in base_image/ (it has: ${baseImages.map((choice) => choice.filename).join(', ') || 'none'})`,
    );
  }
  await inspectImage(baseImage.path).catch((error: Error) => {
    throw new GenerateInputError(`the base image of ${actorId} cannot be used: ${error.message}`);
  });
  const prompt = choosePrompt(request, actor);
  const text = prompt.text;
  // Before paying: whatever would make the save fail afterwards is found now, at no cost.
  await checkCanSave(dataRoot, actorId);
  // Logged as the generator panel's and CLI's attempts; bad input above is no attempt and writes nothing.
  const attempt = { actorId, promptId: prompt.id, prompt: text, model: generator.model, category: prompt.category, saveMethod: 'manual' as const };
  const started = Date.now();
  let result: GenerationResult | undefined;
  let saved: SavedImage;
  try {
    request.onProgress?.(`generating with ${generator.model}`);
    result = await generator.generate({
      actorId,
      baseImagePath: baseImage.path,
      // The offline generator seeds its framing from the id: a custom text gets its stable one.
      promptId: prompt.id ?? customPromptId(text),
      prompt: text,
      category: prompt.category,
      seed: request.seed,
      signal: request.signal,
      onProgress: request.onProgress,
    });
    // A result that arrived is paid for: it is saved even if Cancel was pressed meanwhile.
    request.onProgress?.('saving');
    saved = await saveOrKeep({
      dataRoot,
      actorId,
      promptId: prompt.id,
      prompt: text,
      category: prompt.category,
      ...(baseImage.canonical ? {} : { baseImage: baseImage.filename }),
      result,
    });
  } catch (error) {
    // Cancel is the user's choice, not an outcome of the prompt or the model: not logged.
    if (!request.signal?.aborted && !(error instanceof GenerationError && error.reason === 'cancelled')) {
      // A generator throws GenerationErrors; anything else failed while saving the image.
      const failureReason = failureReasonOf(error, 'store');
      const parameters = attemptParameters(generator, request.seed, result);
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

/** The library prompt asked for, filled for the actor; or the user's text with its category. */
function choosePrompt(request: GenerateImageRequest, actor: ActorRecord): ChosenPrompt {
  if (request.promptText !== undefined) {
    if (request.promptId !== undefined) {
      throw new GenerateInputError('give a library prompt id or a prompt text, not both');
    }
    const text = tidyPromptText(request.promptText);
    if (normalisePromptText(text) === '') {
      throw new GenerateInputError('the prompt text is empty');
    }
    if (text.length > MAX_PROMPT_TEXT_LENGTH) {
      throw new GenerateInputError(`the prompt text is ${text.length} characters long; at most ${MAX_PROMPT_TEXT_LENGTH} are sent`);
    }
    const category = request.category ?? categoryFromPromptText(text);
    if (!category) {
      throw new GenerateInputError(
        'the prompt text does not say which category it is (photo, black-and-white or colour illustration): choose one (--category photorealistic|bw_stylized|color_stylized)',
      );
    }
    return { id: null, label: 'Custom prompt', category, text };
  }
  const prompt = request.prompts.find((candidate) => candidate.id === request.promptId);
  if (!prompt) {
    throw new GenerateInputError(`unknown prompt id "${request.promptId}"; \`actor-studio prompts\` lists the ${request.prompts.length} available`);
  }
  return { id: prompt.id, label: prompt.label, category: prompt.category, text: fillPrompt(prompt.template, String(actor.info.descriptor)) };
}
