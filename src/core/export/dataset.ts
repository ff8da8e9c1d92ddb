import { InputError } from '../errors';
import { actionName } from '../util/actionNames';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { loadSharp } from '../image/sharp';
import { ActorIndex } from '../actors/dataIndex';
import { isInside, linkedOutsideReason } from '../workspace/guards';
import { actorPaths } from '../workspace/layout';
import type { ActorRecord } from '../actors/types';
import { judgeImage } from './selection';
import { imageCaption, withTrigger } from '../captions/imageCaption';

export type DatasetFormat = 'kohya' | 'ai-toolkit';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['kohya', 'ai-toolkit'];
export const DEFAULT_REPEATS = 10;

export interface ExportDatasetRequest {
  dataRoot: string;
  actorIds: string[];
  format: DatasetFormat;
  outDir: string;
  /** The word that stands for the actor in captions; default: the actor id. One actor only. */
  trigger?: string;
  /** kohya's class word; default: the actor's descriptor (man, woman, person). */
  className?: string;
  repeats?: number;
  minRating?: number;
  /** Write into a non-empty outDir (the exported actors' folders are replaced, nothing else). */
  force?: boolean;
  signal?: AbortSignal;
  /** Called after each actor's folder is in place. */
  onActorExported?: (report: ActorExportReport, done: number, total: number) => void;
}

export interface ActorExportReport {
  actorId: string;
  trigger: string;
  className: string;
  /** The actor's folder in the export. */
  dir: string;
  exported: number;
  /** Exported, but nobody evaluated them (or their evaluation was for other bytes). */
  notEvaluated: string[];
  skipped: { filename: string; reason: string }[];
  warnings: string[];
}

export interface DatasetExportReport {
  format: DatasetFormat;
  outDir: string;
  exported: number;
  actors: ActorExportReport[];
  /** Actors not exported because their data is invalid: the others are exported all the same. */
  failed: { actorId: string; file: string; reason: string }[];
}

/** A request the caller can fix (bad option, occupied or forbidden folder): the CLI exits 2. */
export class ExportInputError extends InputError {}

interface Layout {
  /** Folder (relative to the actor's export folder) for the images and captions. */
  imageDir: string;
  controlDir?: string;
}

interface MetadataRow {
  file_name: string;
  caption: string;
  category: string;
  prompt_id: string | null;
  rating: number | null;
  identity_distance: number | null;
}

/**
 * Writes a training set a trainer reads as-is: kohya sd-scripts (`<repeats>_<trigger> <class>/`
 * with captions and a dataset.toml) or ai-toolkit (`images/` with captions and, for Kontext, a
 * `control/` folder with the base image under each target's name). Every actor is built in a
 * staging folder inside outDir and renamed into place, so an interrupted export leaves no half
 * folder. Reads the data folder only.
 */
export async function exportDataset(request: ExportDatasetRequest): Promise<DatasetExportReport> {
  const options = checkOptions(request);
  const outDir = path.resolve(request.outDir);
  await checkOutDir(request.dataRoot, outDir, request.actorIds, Boolean(request.force));
  const index = new ActorIndex(request.dataRoot);
  const staging = path.join(outDir, `.actor-studio-export-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(staging, { recursive: true });
  const actors: ActorExportReport[] = [];
  const failed: DatasetExportReport['failed'] = [];
  try {
    for (const actorId of request.actorIds) {
      const outside = linkedOutsideReason(request.dataRoot, actorId);
      if (outside) {
        failed.push({ actorId, file: actorPaths(request.dataRoot, actorId).dir, reason: outside });
        continue;
      }
      const actor = index.actor(actorId);
      if (actor.manifestState === 'invalid') {
        const problem = actor.problems.find((candidate) => candidate.severity === 'error')?.message;
        failed.push({
          actorId,
          file: actor.manifestPath,
          reason: `its manifest is invalid${problem ? ` (${problem})` : ''}; fix it (see ${actionName('problems')}) and export it again`,
        });
        continue;
      }
      const built = path.join(staging, actorId);
      const report = await exportActor(actor, request.format, built, path.join(outDir, actorId), options, request.signal);
      await moveIntoPlace(built, path.join(outDir, actorId), staging);
      actors.push(report);
      request.onActorExported?.(report, actors.length, request.actorIds.length);
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return { format: request.format, outDir, exported: actors.reduce((sum, actor) => sum + actor.exported, 0), actors, failed };
}

interface Options {
  trigger?: string;
  className?: string;
  repeats: number;
  minRating?: number;
}

/** Triggers and class words become folder names (kohya), so nothing that could leave the folder. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a folder word must not hold
const SAFE_WORD = /^[^\s/\\:*?"<>|\x00-\x1f.][^/\\:*?"<>|\x00-\x1f]*$/;

/** Why a trigger or class word cannot name a folder, or undefined when it can. */
export function folderWordProblem(value: string): string | undefined {
  return SAFE_WORD.test(value) && value.trim() === value ? undefined : 'cannot be used in a folder name (no slashes, no leading dot or space)';
}

function checkOptions(request: ExportDatasetRequest): Options {
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
  return { trigger: request.trigger, className: request.className, repeats, minRating: request.minRating };
}

/** Refuses an export inside the data folder, over it, or into a non-empty folder without force. */
async function checkOutDir(dataRoot: string, outDir: string, actorIds: string[], force: boolean): Promise<void> {
  const realData = await fs.realpath(dataRoot).catch(() => path.resolve(dataRoot));
  const realOut = await nearestRealPath(outDir);
  if (isInside(realData, realOut) || isInside(path.resolve(dataRoot), outDir)) {
    throw new ExportInputError(`the export folder ${outDir} is inside the data folder ${dataRoot}; choose a folder outside it`);
  }
  for (const actorId of actorIds) {
    if (isInside(path.join(realOut, actorId), realData)) {
      throw new ExportInputError(`exporting ${actorId} to ${outDir} would replace the data folder ${dataRoot}`);
    }
  }
  const entries = await fs.readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      return [];
    }
    if (error.code === 'ENOTDIR') {
      throw new ExportInputError(`${outDir} is a file, not a folder`);
    }
    throw error;
  });
  if (entries.length > 0 && !force) {
    throw new ExportInputError(
      `the export folder ${outDir} is not empty; choose an empty folder or pass --force (replaces the exported actors' folders in it)`,
    );
  }
}

/** Real path of the deepest existing ancestor, joined with the rest: a link cannot hide the data folder. */
async function nearestRealPath(target: string): Promise<string> {
  let existing = target;
  while (existing !== path.dirname(existing)) {
    try {
      return path.join(await fs.realpath(existing), path.relative(existing, target));
    } catch {
      existing = path.dirname(existing);
    }
  }
  return target;
}

/** Swaps a built actor folder in; an earlier export of that actor (with --force) is removed after. */
async function moveIntoPlace(built: string, target: string, staging: string): Promise<void> {
  const old = path.join(staging, `.old-${path.basename(target)}`);
  const hadOld = await fs.rename(target, old).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        return false;
      }
      throw error;
    },
  );
  await fs.rename(built, target);
  if (hadOld) {
    await fs.rm(old, { recursive: true, force: true });
  }
}

async function exportActor(
  actor: ActorRecord,
  format: DatasetFormat,
  dir: string,
  finalDir: string,
  options: Options,
  signal?: AbortSignal,
): Promise<ActorExportReport> {
  const trigger = options.trigger ?? actor.id;
  const className = options.className ?? String(actor.info.descriptor);
  const layout: Layout = format === 'kohya' ? { imageDir: `${options.repeats}_${trigger} ${className}` } : { imageDir: 'images', controlDir: 'control' };
  const report: ActorExportReport = { actorId: actor.id, trigger, className, dir: finalDir, exported: 0, notEvaluated: [], skipped: [], warnings: [] };
  await fs.mkdir(path.join(dir, layout.imageDir), { recursive: true });
  const base = layout.controlDir ? actor.baseImage : undefined;
  if (layout.controlDir) {
    if (base) {
      await fs.mkdir(path.join(dir, layout.controlDir), { recursive: true });
    } else {
      report.warnings.push('no base image: control/ was not written (Kontext training needs one)');
    }
  }
  const present = new Set(actor.images.filter((image) => !image.missing).map((image) => image.filename));
  const taken = new Set<string>();
  const rows: MetadataRow[] = [];
  for (const image of actor.images) {
    signal?.throwIfAborted();
    const verdict = judgeImage(image, present, options.minRating);
    if (!verdict.ok) {
      report.skipped.push({ filename: image.filename, reason: verdict.reason });
      continue;
    }
    const stem = path.basename(image.filename, path.extname(image.filename));
    const name = `${stem}${exportExtension(image.filename)}`;
    if (taken.has(name.toLowerCase())) {
      report.skipped.push({ filename: image.filename, reason: `another image is already exported as ${name}` });
      continue;
    }
    try {
      await writeImage(image.path, path.join(dir, layout.imageDir, name));
      if (base && layout.controlDir) {
        await writeImage(base.path, path.join(dir, layout.controlDir, name));
      }
    } catch (error) {
      await removeQuietly(path.join(dir, layout.imageDir, name), layout.controlDir && path.join(dir, layout.controlDir, name));
      report.skipped.push({ filename: image.filename, reason: `could not read or convert: ${(error as Error).message}` });
      continue;
    }
    taken.add(name.toLowerCase());
    const caption = withTrigger(imageCaption(image, String(actor.info.descriptor)).text, trigger);
    await fs.writeFile(path.join(dir, layout.imageDir, `${stem}.txt`), `${caption}\n`);
    const evaluation = image.entry?.evaluation;
    rows.push({
      file_name: `${layout.imageDir}/${name}`,
      caption,
      category: verdict.category,
      prompt_id: image.entry?.prompt_id ?? null,
      rating: image.entry?.rating?.stars ?? null,
      identity_distance: verdict.evaluated ? (evaluation?.identity_distance ?? null) : null,
    });
    if (!verdict.evaluated) {
      report.notEvaluated.push(image.filename);
    }
    report.exported++;
  }
  if (report.exported === 0) {
    report.warnings.push('no image passed; the folder holds no training images');
  }
  await writeFileAtomic(path.join(dir, 'metadata.jsonl'), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  if (format === 'kohya') {
    await writeFileAtomic(path.join(dir, 'dataset.toml'), kohyaConfig(path.join(finalDir, layout.imageDir), `${trigger} ${className}`, options.repeats));
  }
  return report;
}

/** webp is not read by every trainer; png keeps it lossless. Other formats go as they are. */
function exportExtension(filename: string): string {
  const ext = path.extname(filename).toLowerCase();
  return ext === '.webp' ? '.png' : ext;
}

const FORMAT_OF: Record<string, 'png' | 'jpeg'> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg' };

/** Copies an image to `target`, converting it when the extensions name different formats. */
async function writeImage(source: string, target: string): Promise<void> {
  const wanted = FORMAT_OF[path.extname(target).toLowerCase()];
  const have = FORMAT_OF[path.extname(source).toLowerCase()];
  if (wanted === have) {
    await fs.copyFile(source, target);
    return;
  }
  const sharp = await loadSharp();
  const pipeline = sharp(source).rotate();
  await (wanted === 'png' ? pipeline.png() : pipeline.jpeg({ quality: 95 })).toFile(target);
}

async function removeQuietly(...files: (string | undefined)[]): Promise<void> {
  await Promise.all(files.filter((file): file is string => Boolean(file)).map((file) => fs.rm(file, { force: true })));
}

/** TOML basic strings take JSON's escapes, so JSON.stringify quotes paths safely (Windows too). */
function kohyaConfig(imageDir: string, classTokens: string, repeats: number): string {
  return [
    '# kohya sd-scripts dataset config (--dataset_config), written by Actor Studio',
    '[general]',
    'caption_extension = ".txt"',
    'shuffle_caption = false',
    '# the trigger word is the first token of every caption; keep it there if shuffling is turned on',
    'keep_tokens = 1',
    '',
    '[[datasets]]',
    'resolution = 1024',
    'batch_size = 1',
    'enable_bucket = true',
    '',
    '  [[datasets.subsets]]',
    `  image_dir = ${JSON.stringify(imageDir)}`,
    `  class_tokens = ${JSON.stringify(classTokens)}`,
    `  num_repeats = ${repeats}`,
    '  caption_extension = ".txt"',
    '',
  ].join('\n');
}
