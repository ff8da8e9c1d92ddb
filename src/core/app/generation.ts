import type { GeneratedImage } from '../generate/generateImage';
import type { TrainingCategory } from '../manifest/categories';
import type { DrainSummary } from '../storage/pendingUploads';
import type { DataProblem } from '../workspace/problems';
import type { StudioContext } from './context';

export interface GenerateOptions {
  actorId: string;
  /** A library prompt; or, instead, `promptText` (a free text or a custom prompt, recorded with no library id). */
  promptId?: string;
  promptText?: string;
  /** The category of `promptText`; default: taken from its words. */
  category?: TrainingCategory;
  /** A file of the actor's base_image/ folder; default: the actor's base image. */
  baseImage?: string;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Told what does not stop the generation: a broken prompts.json, a log that could not be written. */
  onWarning?: (message: string) => void;
  /** Told of each problem of data/prompts.json (the built-in prompts stand). */
  onPromptProblem?: (problem: DataProblem) => void;
}

/** One image for an actor from a library prompt or a text of the user's own, saved, recorded and mirrored to the object store. */
export async function generate(context: StudioContext, options: GenerateOptions): Promise<GeneratedImage> {
  const { services, dataRoot } = context;
  const [{ loadPromptLibrary }, { generateImage }, { uploaderFor }] = await Promise.all([
    import('../prompts/library'),
    import('../generate/generateImage'),
    import('../generate/uploader'),
  ]);
  const library = await loadPromptLibrary(dataRoot);
  library.problems.forEach((problem) => options.onPromptProblem?.(problem));
  const [generator, store] = await Promise.all([services.generator(), services.objectStore()]);
  services.logger?.info(`generating ${options.actorId} / ${options.promptId ?? 'custom prompt'} with ${generator.model}`);
  const image = await generateImage({
    dataRoot,
    actorId: options.actorId,
    promptId: options.promptId,
    promptText: options.promptText,
    category: options.category,
    baseImage: options.baseImage,
    seed: options.seed,
    prompts: library.prompts,
    generator,
    upload: store && uploaderFor(store, dataRoot),
    signal: options.signal,
    onProgress: options.onProgress,
    onWarning: options.onWarning,
  });
  if (image.logWarning) {
    options.onWarning?.(image.logWarning);
  }
  services.logger?.info(`saved ${image.filename}${image.url ? ` (${image.url})` : image.uploadQueued ? ` (upload queued: ${image.uploadQueued})` : ''}`);
  return image;
}

/** Uploads what waited while the object store was unreachable; undefined when no store is set. */
export async function retryPendingUploads(context: StudioContext, signal?: AbortSignal): Promise<DrainSummary | undefined> {
  const store = await context.services.objectStore();
  if (!store) {
    return undefined;
  }
  const { drainPendingUploads } = await import('../generate/uploader');
  const summary = await drainPendingUploads(store, context.dataRoot, signal);
  summary.uploaded.forEach((upload) => upload.warning && context.services.logger?.warn(`${upload.actorId}/${upload.filename}: ${upload.warning}`));
  context.services.logger?.info(`pending uploads: ${summary.uploaded.length} uploaded, ${summary.failed.length} failed, ${summary.remaining} waiting`);
  return summary;
}
