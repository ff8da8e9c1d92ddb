import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { loadSharp } from '../image/sharp';
import { ActorIndex } from '../actors/dataIndex';
import { isInside } from '../workspace/guards';
import { kohyaBucketSettings } from './buckets';
import { KOHYA_CAPTIONS } from './trainerCaptions';
import {
  type ActorPlan,
  checkChoices,
  type DatasetChoices,
  type DatasetFormat,
  ExportInputError,
  loadExportActor,
  NO_IMAGE_WARNING,
  planActor,
  type PlanOptions,
} from './datasetPlan';

export { DATASET_FORMATS, DEFAULT_REPEATS, ExportInputError, folderWordProblem, type DatasetFormat } from './datasetPlan';

export interface ExportDatasetRequest extends DatasetChoices {
  outDir: string;
  /** Write into a non-empty outDir (the exported actors' folders are replaced, nothing else). */
  force?: boolean;
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

/**
 * Writes a training set a trainer reads as-is: kohya sd-scripts (`<repeats>_<trigger> <class>/`
 * with captions and a dataset.toml) or ai-toolkit (`images/` with captions and, for Kontext, a
 * `control/` folder with the base image under each target's name). Every actor is built in a
 * staging folder inside outDir and renamed into place, so an interrupted export leaves no half
 * folder. Reads the data folder only.
 */
export async function exportDataset(request: ExportDatasetRequest): Promise<DatasetExportReport> {
  const options = checkChoices(request);
  const outDir = path.resolve(request.outDir);
  await checkOutDir(request.dataRoot, outDir, request.actorIds, Boolean(request.force));
  const index = new ActorIndex(request.dataRoot);
  const staging = path.join(outDir, `.actor-studio-export-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(staging, { recursive: true });
  const actors: ActorExportReport[] = [];
  const failed: DatasetExportReport['failed'] = [];
  try {
    for (const actorId of request.actorIds) {
      const loaded = loadExportActor(index, request.dataRoot, actorId);
      if (!loaded.ok) {
        failed.push(loaded.failure);
        continue;
      }
      const built = path.join(staging, actorId);
      const plan = planActor(loaded.actor, request.format, options);
      const report = await writeActor(plan, request.format, built, path.join(outDir, actorId), options, request.signal);
      await moveIntoPlace(built, path.join(outDir, actorId), staging);
      actors.push(report);
      request.onActorExported?.(report, actors.length, request.actorIds.length);
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return { format: request.format, outDir, exported: actors.reduce((sum, actor) => sum + actor.exported, 0), actors, failed };
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

/** Writes an actor's plan into `dir` (its staging folder); an image that cannot be read or converted is skipped. */
async function writeActor(
  plan: ActorPlan,
  format: DatasetFormat,
  dir: string,
  finalDir: string,
  options: PlanOptions,
  signal?: AbortSignal,
): Promise<ActorExportReport> {
  const { actor, layout, control } = plan;
  const report: ActorExportReport = {
    actorId: actor.id,
    trigger: plan.trigger,
    className: plan.className,
    dir: finalDir,
    exported: 0,
    notEvaluated: [],
    skipped: [...plan.skipped],
    warnings: [...plan.warnings],
  };
  await fs.mkdir(path.join(dir, layout.imageDir), { recursive: true });
  if (layout.controlDir && control) {
    await fs.mkdir(path.join(dir, layout.controlDir), { recursive: true });
  }
  const rows = [];
  for (const planned of plan.images) {
    signal?.throwIfAborted();
    const target = path.join(dir, layout.imageDir, planned.name);
    const controlTarget = layout.controlDir && control ? path.join(dir, layout.controlDir, planned.name) : undefined;
    try {
      await writeImage(planned.image.path, target);
      if (control && controlTarget) {
        await writeImage(control.path, controlTarget);
      }
    } catch (error) {
      await removeQuietly(target, controlTarget);
      report.skipped.push({ filename: planned.image.filename, reason: `could not read or convert: ${(error as Error).message}` });
      continue;
    }
    await fs.writeFile(path.join(dir, layout.imageDir, `${planned.stem}.txt`), `${planned.caption}\n`);
    rows.push(planned.row);
    if (!planned.evaluated) {
      report.notEvaluated.push(planned.image.filename);
    }
    report.exported++;
  }
  if (report.exported === 0) {
    report.warnings.push(NO_IMAGE_WARNING);
  }
  await writeFileAtomic(path.join(dir, 'metadata.jsonl'), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  if (format === 'kohya') {
    await writeFileAtomic(
      path.join(dir, 'dataset.toml'),
      kohyaConfig(path.join(finalDir, layout.imageDir), `${plan.trigger} ${plan.className}`, options.repeats, options.resolution),
    );
  }
  return report;
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
function kohyaConfig(imageDir: string, classTokens: string, repeats: number, resolution: number): string {
  const buckets = kohyaBucketSettings(resolution);
  return [
    '# kohya sd-scripts dataset config (--dataset_config), written by Actor Studio',
    '[general]',
    'caption_extension = ".txt"',
    `shuffle_caption = ${KOHYA_CAPTIONS.shuffleCaption}`,
    '# the trigger word is the first token of every caption; keep it there if shuffling is turned on',
    `keep_tokens = ${KOHYA_CAPTIONS.keepTokens}`,
    '',
    '[[datasets]]',
    `resolution = ${resolution}`,
    'batch_size = 1',
    'enable_bucket = true',
    '# the buckets Actor Studio previews (export-dataset --preview): set here so command-line defaults do not change them',
    `min_bucket_reso = ${buckets.minBucketReso}`,
    `max_bucket_reso = ${buckets.maxBucketReso}`,
    `bucket_reso_steps = ${buckets.bucketResoSteps}`,
    'bucket_no_upscale = false',
    '',
    '  [[datasets.subsets]]',
    `  image_dir = ${JSON.stringify(imageDir)}`,
    `  class_tokens = ${JSON.stringify(classTokens)}`,
    `  num_repeats = ${repeats}`,
    '  caption_extension = ".txt"',
    '',
  ].join('\n');
}
