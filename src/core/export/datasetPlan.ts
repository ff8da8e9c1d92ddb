import * as path from 'node:path';
import { InputError } from '../errors';
import { actionName } from '../util/actionNames';
import type { ActorIndex } from '../actors/dataIndex';
import type { ActorImage, ActorRecord } from '../actors/types';
import type { CaptionSource } from '../manifest/categories';
import { linkedOutsideReason } from '../workspace/guards';
import { actorPaths } from '../workspace/layout';
import { imageCaption, withTrigger } from '../captions/imageCaption';
import { judgeImage } from './selection';
import { DEFAULT_RESOLUTION, resolutionProblem } from './buckets';

export type DatasetFormat = 'kohya' | 'ai-toolkit';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['kohya', 'ai-toolkit'];
export const DEFAULT_REPEATS = 10;

/** What decides which images go and how they are named and captioned: shared by the export and its preview. */
export interface DatasetChoices {
  dataRoot: string;
  actorIds: string[];
  format: DatasetFormat;
  /** The word that stands for the actor in captions; default: the actor id. One actor only. */
  trigger?: string;
  /** kohya's class word; default: the actor's descriptor (man, woman, person). */
  className?: string;
  repeats?: number;
  minRating?: number;
  /** The training resolution (dataset.toml's, and the buckets'); default 1024. */
  resolution?: number;
  signal?: AbortSignal;
}

/** A request the caller can fix (bad option, occupied or forbidden folder): the CLI exits 2. */
export class ExportInputError extends InputError {}

export interface PlanOptions {
  trigger?: string;
  className?: string;
  repeats: number;
  minRating?: number;
  resolution: number;
}

/** Where the images go inside an actor's export folder. */
export interface DatasetLayout {
  /** Folder (relative to the actor's export folder) for the images and captions. */
  imageDir: string;
  controlDir?: string;
}

export interface MetadataRow {
  file_name: string;
  caption: string;
  category: string;
  prompt_id: string | null;
  rating: number | null;
  identity_distance: number | null;
}

export interface PlannedImage {
  image: ActorImage;
  /** The exported file name (webp becomes png). */
  name: string;
  /** Its caption file is `<stem>.txt`. */
  stem: string;
  /** The caption file's text (without its newline), trigger word in place. */
  caption: string;
  captionSource: CaptionSource;
  evaluated: boolean;
  row: MetadataRow;
}

/** One actor's export, decided before anything is written. */
export interface ActorPlan {
  actor: ActorRecord;
  trigger: string;
  className: string;
  layout: DatasetLayout;
  /** The control image of every target (ai-toolkit, when the actor has a base image). */
  control?: { filename: string; path: string };
  images: PlannedImage[];
  skipped: { filename: string; reason: string }[];
  warnings: string[];
}

export const NO_IMAGE_WARNING = 'no image passed; the folder holds no training images';

/** Triggers and class words become folder names (kohya), so nothing that could leave the folder. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a folder word must not hold
const SAFE_WORD = /^[^\s/\\:*?"<>|\x00-\x1f.][^/\\:*?"<>|\x00-\x1f]*$/;

/** Why a trigger or class word cannot name a folder, or undefined when it can. */
export function folderWordProblem(value: string): string | undefined {
  return SAFE_WORD.test(value) && value.trim() === value ? undefined : 'cannot be used in a folder name (no slashes, no leading dot or space)';
}

export function checkChoices(request: DatasetChoices): PlanOptions {
  if (!DATASET_FORMATS.includes(request.format)) {
    throw new ExportInputError(`unknown format "${request.format}" (kohya or ai-toolkit)`);
  }
  if (request.actorIds.length === 0) {
    throw new ExportInputError('no actors to export');
  }
  for (const [name, value] of [
    ['trigger', request.trigger],
    ['class', request.className],
  ] as const) {
    const problem = value === undefined ? undefined : folderWordProblem(value);
    if (problem) {
      throw new ExportInputError(`${name} "${value}" ${problem}`);
    }
  }
  // One trigger for several actors would teach every identity the same word.
  if (request.trigger !== undefined && request.actorIds.length > 1) {
    throw new ExportInputError('a trigger word names one actor; export actors one at a time to give each its own (the default is the actor id)');
  }
  const repeats = request.repeats ?? DEFAULT_REPEATS;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new ExportInputError(`repeats must be a whole number of at least 1, not ${request.repeats}`);
  }
  if (request.minRating !== undefined && (!Number.isInteger(request.minRating) || request.minRating < 1 || request.minRating > 5)) {
    throw new ExportInputError(`minimum rating must be 1 to 5 stars, not ${request.minRating}`);
  }
  const resolution = request.resolution ?? DEFAULT_RESOLUTION;
  const problem = resolutionProblem(resolution);
  if (problem) {
    throw new ExportInputError(`resolution ${problem}`);
  }
  return { trigger: request.trigger, className: request.className, repeats, minRating: request.minRating, resolution };
}

export type ActorLoad = { ok: true; actor: ActorRecord } | { ok: false; failure: { actorId: string; file: string; reason: string } };

/** The actor's record, or why it cannot be exported (linked outside the data folder, invalid manifest). */
export function loadExportActor(index: ActorIndex, dataRoot: string, actorId: string): ActorLoad {
  const outside = linkedOutsideReason(dataRoot, actorId);
  if (outside) {
    return { ok: false, failure: { actorId, file: actorPaths(dataRoot, actorId).dir, reason: outside } };
  }
  const actor = index.actor(actorId);
  if (actor.manifestState === 'invalid') {
    const problem = actor.problems.find((candidate) => candidate.severity === 'error')?.message;
    return {
      ok: false,
      failure: {
        actorId,
        file: actor.manifestPath,
        reason: `its manifest is invalid${problem ? ` (${problem})` : ''}; fix it (see ${actionName('problems')}) and export it again`,
      },
    };
  }
  return { ok: true, actor };
}

/**
 * Which images of an actor go into the training set, under which names and captions: the
 * planner's checks and the rating minimum (see judgeImage), one caption file per name, webp as png.
 */
export function planActor(actor: ActorRecord, format: DatasetFormat, options: PlanOptions): ActorPlan {
  const trigger = options.trigger ?? actor.id;
  const className = options.className ?? String(actor.info.descriptor);
  const layout: DatasetLayout = format === 'kohya' ? { imageDir: `${options.repeats}_${trigger} ${className}` } : { imageDir: 'images', controlDir: 'control' };
  const plan: ActorPlan = { actor, trigger, className, layout, images: [], skipped: [], warnings: [] };
  if (layout.controlDir) {
    if (actor.baseImage) {
      plan.control = actor.baseImage;
    } else {
      plan.warnings.push('no base image: control/ was not written (Kontext training needs one)');
    }
  }
  const present = new Set(actor.images.filter((image) => !image.missing).map((image) => image.filename));
  // By stem: two images of one stem (a.jpg, a.webp as a.png) would share one caption file.
  const taken = new Map<string, string>();
  for (const image of actor.images) {
    const verdict = judgeImage(image, present, options.minRating);
    if (!verdict.ok) {
      plan.skipped.push({ filename: image.filename, reason: verdict.reason });
      continue;
    }
    const stem = path.basename(image.filename, path.extname(image.filename));
    const name = `${stem}${exportExtension(image.filename)}`;
    const earlier = taken.get(stem.toLowerCase());
    if (earlier) {
      plan.skipped.push({ filename: image.filename, reason: `another image is already exported as ${earlier}` });
      continue;
    }
    taken.set(stem.toLowerCase(), name);
    const { text, source } = imageCaption(image, String(actor.info.descriptor));
    const caption = withTrigger(text, trigger);
    const evaluation = image.entry?.evaluation;
    plan.images.push({
      image,
      name,
      stem,
      caption,
      captionSource: source,
      evaluated: verdict.evaluated,
      row: {
        file_name: `${layout.imageDir}/${name}`,
        caption,
        category: verdict.category,
        prompt_id: image.entry?.prompt_id ?? null,
        rating: image.entry?.rating?.stars ?? null,
        identity_distance: verdict.evaluated ? (evaluation?.identity_distance ?? null) : null,
      },
    });
  }
  return plan;
}

/** webp is not read by every trainer; png keeps it lossless. Other formats go as they are. */
export function exportExtension(filename: string): string {
  const ext = path.extname(filename).toLowerCase();
  return ext === '.webp' ? '.png' : ext;
}
