import * as path from 'node:path';
import { ActorIndex } from '../actors/dataIndex';
import { actionName } from '../util/actionNames';
import { imageHeader } from '../image/imageFiles';
import type { CaptionSource } from '../manifest/categories';
import { AI_TOOLKIT_BUCKET_TOLERANCE, aiToolkitFit, type BucketFit, kohyaBucketSettings, kohyaBuckets, kohyaFit, type Size, sizeLabel } from './buckets';
import {
  type ActorPlan,
  checkChoices,
  type DatasetChoices,
  type DatasetFormat,
  loadExportActor,
  NO_IMAGE_WARNING,
  type PlannedImage,
  planActor,
} from './datasetPlan';
import { kontextPairProblems } from './kontextPairs';
import { aiToolkitCaption, KOHYA_CAPTIONS, kohyaCaption } from './trainerCaptions';

/** How the image warnings that each actor also sums up begin (a text report can leave them out). */
export const UPSCALED = 'upscaled';
export const NOT_EVALUATED = 'not evaluated';
export const ALONE = 'alone in bucket';

export interface PreviewImage {
  actor: string;
  /** Its path in the actor's export folder, e.g. `images/x.jpg`. */
  file: string;
  /** Its file in the data folder. */
  source: string;
  /** The caption the trainer trains on. */
  caption: string;
  captionSource: CaptionSource;
  /** kohya: the first keep_tokens tokens, which stay first when shuffle_caption is on, and the rest. */
  tokens?: { fixed: string[]; shuffled: string[] };
  /** ai-toolkit: the caption lacked the trigger, so ai-toolkit put it in front. */
  triggerAdded?: boolean;
  /** ai-toolkit: its Kontext control image, e.g. `control/x.jpg`. */
  control?: string;
  /** As the trainer reads it; absent when the file's header could not be read. */
  size?: Size;
  bucket?: string;
  resized?: Size;
  /** Pixels cut from each side of the resized image. */
  crop?: BucketFit['crop'];
  upscaled?: boolean;
  scale?: number;
  warnings: string[];
}

export interface PreviewBucket {
  actor: string;
  bucket: string;
  width: number;
  height: number;
  count: number;
  images: string[];
}

export interface ActorPreview {
  actorId: string;
  trigger: string;
  className: string;
  exported: number;
  skipped: { filename: string; reason: string }[];
  notEvaluated: string[];
  /** What the trainer is told (dataset.toml for kohya; what to set in the ai-toolkit config). */
  settings: Record<string, string | number | boolean>;
  warnings: string[];
}

export interface DatasetPreview {
  format: DatasetFormat;
  resolution: number;
  images: PreviewImage[];
  buckets: PreviewBucket[];
  /** Every actor's warnings, each starting with the actor id. */
  warnings: string[];
  actors: ActorPreview[];
  failed: { actorId: string; file: string; reason: string }[];
}

/**
 * What an export would write and what each trainer makes of it, writing nothing: the same plan
 * as exportDataset (which images, names, captions), the captions as the trainer reads them, the
 * buckets it forms at the resolution, and what deserves a look before training.
 */
export async function previewDataset(request: DatasetChoices): Promise<DatasetPreview> {
  const options = checkChoices(request);
  const index = new ActorIndex(request.dataRoot);
  const preview: DatasetPreview = { format: request.format, resolution: options.resolution, images: [], buckets: [], warnings: [], actors: [], failed: [] };
  for (const actorId of request.actorIds) {
    request.signal?.throwIfAborted();
    const loaded = loadExportActor(index, request.dataRoot, actorId);
    if (!loaded.ok) {
      preview.failed.push(loaded.failure);
      continue;
    }
    const plan = planActor(loaded.actor, request.format, options);
    const actor = await previewActor(plan, request.format, options.resolution, request.signal);
    preview.images.push(...actor.images);
    preview.buckets.push(...actor.buckets);
    preview.actors.push(actor.summary);
    preview.warnings.push(...actor.summary.warnings.map((warning) => `${actorId}: ${warning}`));
  }
  return preview;
}

async function previewActor(
  plan: ActorPlan,
  format: DatasetFormat,
  resolution: number,
  signal?: AbortSignal,
): Promise<{ images: PreviewImage[]; buckets: PreviewBucket[]; summary: ActorPreview }> {
  const kohya = format === 'kohya';
  const kohyaSettings = kohyaBucketSettings(resolution);
  const predefined = kohya ? kohyaBuckets(kohyaSettings) : [];
  const images: PreviewImage[] = [];
  for (const planned of plan.images) {
    signal?.throwIfAborted();
    const image = kohya ? kohyaImage(planned, plan) : aiToolkitImage(planned, plan);
    const size = await trainerSize(planned, kohya).catch((error: Error) => {
      image.warnings.push(`its size could not be read (${error.message}): the trainer may fail on it`);
      return undefined;
    });
    if (size) {
      const fit = kohya ? kohyaFit(size, predefined) : aiToolkitFit(size, resolution);
      Object.assign(image, { size, bucket: sizeLabel(fit.bucket), resized: fit.resized, crop: fit.crop, upscaled: fit.scale > 1, scale: round(fit.scale) });
      if (fit.scale > 1) {
        image.warnings.push(`${UPSCALED} x${round(fit.scale)} (${sizeLabel(size)} to ${sizeLabel(fit.resized)}): it trains on blurred pixels`);
      }
    }
    if (isWebp(planned.image.filename)) {
      image.warnings.push(`WebP input: ai-toolkit says WebP "currently has issues"; the export converts it to PNG (${planned.name})`);
    }
    if (!planned.evaluated) {
      image.warnings.push(`${NOT_EVALUATED}: exported unchecked (${actionName('evaluate')} checks it)`);
    }
    images.push(image);
  }
  const buckets = bucketsOf(plan.actor.id, images);
  const warnings = [...plan.warnings];
  if (plan.images.length === 0) {
    warnings.push(NO_IMAGE_WARNING);
  }
  for (const bucket of buckets.filter((each) => each.count === 1)) {
    const [file] = bucket.images;
    images.find((image) => image.file === file)?.warnings.push(`${ALONE} ${bucket.bucket}`);
    warnings.push(`bucket ${bucket.bucket} holds a single image (${path.basename(file!)}): it trains in batches of its own; crop it to a common aspect ratio`);
  }
  const upscaled = images.filter((image) => image.upscaled);
  if (upscaled.length > 0) {
    warnings.push(
      `${upscaled.length} image(s) would be upscaled to reach their bucket at ${resolution}: ${names(upscaled.map((image) => path.basename(image.file)))}`,
    );
  }
  const webp = plan.images.filter((planned) => isWebp(planned.image.filename));
  if (webp.length > 0) {
    warnings.push(`${webp.length} WebP image(s): ai-toolkit says WebP "currently has issues"; the export converts them to PNG`);
  }
  let settings: ActorPreview['settings'];
  if (kohya) {
    settings = kohyaSettingsOf(plan, kohyaSettings);
    if (plan.images.length > 0) {
      warnings.push(
        `class_tokens "${plan.trigger} ${plan.className}" will be ignored because captions exist: kohya uses them only for images without a caption file`,
      );
    }
  } else {
    settings = {
      trigger_word: plan.trigger,
      resolution,
      bucket_tolerance: AI_TOOLKIT_BUCKET_TOLERANCE,
      folder_path: plan.layout.imageDir,
      ...(plan.control && plan.layout.controlDir ? { control_path: plan.layout.controlDir } : {}),
    };
    warnings.push(...(await pairWarnings(plan, images)));
  }
  warnings.push(...plan.skipped.map((skip) => `skipped ${skip.filename}: ${skip.reason}`));
  const notEvaluated = plan.images.filter((planned) => !planned.evaluated).map((planned) => planned.image.filename);
  if (notEvaluated.length > 0) {
    warnings.push(`${notEvaluated.length} image(s) not evaluated, exported unchecked (${actionName('evaluate')} checks them): ${names(notEvaluated)}`);
  }
  return {
    images,
    buckets,
    summary: {
      actorId: plan.actor.id,
      trigger: plan.trigger,
      className: plan.className,
      exported: plan.images.length,
      skipped: plan.skipped,
      notEvaluated,
      settings,
      warnings,
    },
  };
}

function kohyaImage(planned: PlannedImage, plan: ActorPlan): PreviewImage {
  const read = kohyaCaption(`${planned.caption}\n`);
  const warnings: string[] = [];
  if (read.droppedLines > 0) {
    warnings.push(`its caption has ${read.droppedLines} more line(s): kohya reads only the first`);
  }
  const tokens = [...read.fixedTokens, ...read.shuffledTokens];
  if (read.caption === '') {
    warnings.push('empty caption: kohya trains it with no text (class_tokens are not used when a caption file exists)');
  } else if (!containsWord(tokens, plan.trigger)) {
    warnings.push(`no "${plan.trigger}" token in the caption: kohya does not add the trigger (class_tokens are ignored)`);
  } else if (!containsWord(read.fixedTokens, plan.trigger)) {
    warnings.push(`"${plan.trigger}" is not among the first ${KOHYA_CAPTIONS.keepTokens} token(s): shuffle_caption would move it`);
  }
  return {
    actor: plan.actor.id,
    file: `${plan.layout.imageDir}/${planned.name}`,
    source: planned.image.filename,
    caption: read.caption,
    captionSource: planned.captionSource,
    tokens: { fixed: read.fixedTokens, shuffled: read.shuffledTokens },
    warnings,
  };
}

/** A comma token may hold several words ("ohwx woman", as seeds begin): the trigger is one of them. */
function containsWord(tokens: readonly string[], word: string): boolean {
  return tokens.some((token) => token === word || token.split(/\s+/).includes(word));
}

function aiToolkitImage(planned: PlannedImage, plan: ActorPlan): PreviewImage {
  // ai-toolkit reads the whole file, newline included.
  const read = aiToolkitCaption(`${planned.caption}\n`, plan.trigger);
  return {
    actor: plan.actor.id,
    file: `${plan.layout.imageDir}/${planned.name}`,
    source: planned.image.filename,
    caption: read.caption,
    captionSource: planned.captionSource,
    triggerAdded: read.triggerAdded,
    control: plan.control && plan.layout.controlDir ? `${plan.layout.controlDir}/${planned.name}` : undefined,
    warnings: read.triggerAdded ? [`the caption lacks "${plan.trigger}": ai-toolkit puts it in front`] : [],
  };
}

/**
 * The size the trainer reads: the manifest's when it has one, else the file's header. kohya
 * reads the stored pixel size (imagesize.get, no EXIF rotation) of a copied file; a converted
 * webp is written upright. ai-toolkit applies the EXIF orientation (exif_transpose).
 */
async function trainerSize(planned: PlannedImage, kohya: boolean): Promise<Size> {
  const entry = planned.image.entry;
  const header = entry?.width && entry.height ? { width: entry.width, height: entry.height, orientation: 1 } : await imageHeader(planned.image.path);
  const upright = !kohya || planned.name !== planned.image.filename;
  return upright && header.orientation >= 5 ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
}

function bucketsOf(actor: string, images: readonly PreviewImage[]): PreviewBucket[] {
  const buckets = new Map<string, PreviewBucket>();
  for (const image of images) {
    if (!image.bucket) {
      continue;
    }
    const [width, height] = image.bucket.split('x').map(Number) as [number, number];
    const bucket = buckets.get(image.bucket) ?? { actor, bucket: image.bucket, width, height, count: 0, images: [] };
    bucket.count++;
    bucket.images.push(image.file);
    buckets.set(image.bucket, bucket);
  }
  return [...buckets.values()].sort((a, b) => b.count - a.count || a.bucket.localeCompare(b.bucket));
}

function kohyaSettingsOf(plan: ActorPlan, buckets: ReturnType<typeof kohyaBucketSettings>): ActorPreview['settings'] {
  return {
    class_tokens: `${plan.trigger} ${plan.className}`,
    keep_tokens: KOHYA_CAPTIONS.keepTokens,
    shuffle_caption: KOHYA_CAPTIONS.shuffleCaption,
    resolution: buckets.resolution,
    min_bucket_reso: buckets.minBucketReso,
    max_bucket_reso: buckets.maxBucketReso,
    bucket_reso_steps: buckets.bucketResoSteps,
    bucket_no_upscale: false,
  };
}

/** Kontext pairs as the export writes them, and whether the base image keeps its shape in them. */
async function pairWarnings(plan: ActorPlan, images: PreviewImage[]): Promise<string[]> {
  const targets = plan.images.map((planned) => planned.name);
  const problems = kontextPairProblems(targets, plan.control ? targets : []);
  for (const { file, problem } of problems) {
    images.find((image) => path.basename(image.file) === file)?.warnings.push(problem);
  }
  const warnings = problems.length > 0 ? [`Kontext pairs: ${problems.length} target(s) without exactly one control image of the same name`] : [];
  if (plan.control) {
    const base = await imageHeader(plan.control.path).catch(() => undefined);
    const baseSize = base && (base.orientation >= 5 ? { width: base.height, height: base.width } : base);
    const stretched = baseSize
      ? images.filter((image) => image.resized && Math.abs(baseSize.width / baseSize.height - image.resized.width / image.resized.height) > 0.01)
      : [];
    if (baseSize && stretched.length > 0) {
      warnings.push(
        `control/: the base image (${sizeLabel(baseSize)}) is stretched to the shape of ${stretched.length} target(s): ai-toolkit resizes a control image to its target's size (full_size_control_images) without keeping its aspect ratio`,
      );
    }
  }
  return warnings;
}

function isWebp(filename: string): boolean {
  return path.extname(filename).toLowerCase() === '.webp';
}

function names(files: readonly string[]): string {
  return `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
