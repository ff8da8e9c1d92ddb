import { Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { validateJsonText } from '../manifest/jsonFile';
import { countedCategory, type Category } from '../manifest/categories';
import { currentEvaluation, ImageEntry, Manifest, manifestSchema } from '../manifest/manifestSchema';
import { toDataProblem } from '../manifest/optionalJsonFile';
import { emptyCounts } from './targets';
import { descriptorForSex, parseActorId } from '../workspace/actorId';
import { resolveBaseImage } from './baseImage';
import { realPathInside } from '../workspace/guards';
import { actorPaths, imageNumber, isImageFile, KNOWN_DATA_FILES, MANIFEST_FILE } from '../workspace/layout';
import type { ActorImage, ActorInfo, ActorRecord } from './types';
import type { DataProblem } from '../workspace/problems';

/**
 * Reads one actor: its manifest (validated, located problems), the images on disk (untracked ones
 * included, never dropped) and its base image. Never follows a link out of the data folder.
 * `realDataRoot` is the data folder with symlinks resolved.
 *
 * Synchronous on purpose: one actor is a few small reads (well under a millisecond), and the
 * thread-pool round trips of async fs made indexing twice as slow. Callers reading many actors
 * yield between them (see ActorIndex), so the extension host stays responsive.
 */
export function loadActor(dataRoot: string, realDataRoot: string, actorId: string): ActorRecord {
  const paths = actorPaths(dataRoot, actorId);
  const problems: DataProblem[] = [];
  const actorEntries = listFolder(paths.dir, problems);
  const trainingEntries = listSubfolder(realDataRoot, paths.trainingDir, actorEntries, problems);
  const baseEntries = listSubfolder(realDataRoot, paths.baseImageDir, actorEntries, problems);
  const manifestDirent = trainingEntries.find((entry) => entry.name === MANIFEST_FILE);
  const { manifest, state } = readManifest(realDataRoot, paths.manifest, manifestDirent, problems);

  const onDisk = new Set<string>();
  for (const entry of trainingEntries) {
    const file = path.join(paths.trainingDir, entry.name);
    if (entry.name.startsWith('.') || KNOWN_DATA_FILES.has(entry.name) || entry.isDirectory()) {
      continue;
    }
    if (!isImageFile(entry.name)) {
      problems.push({ file, severity: 'info', message: `${entry.name} is not an image (jpg, jpeg, png, webp) and is ignored.` });
    } else if (isUsableFile(realDataRoot, entry, file, problems)) {
      onDisk.add(entry.name);
    }
  }

  const images = state === 'invalid' ? [] : collectImages(actorId, paths.trainingDir, paths.manifest, manifest, onDisk, problems);
  const counts = emptyCounts();
  for (const image of images) {
    if (!image.missing) {
      counts[image.category]++;
    }
  }
  const baseImage = findBaseImage(dataRoot, realDataRoot, actorId, baseEntries, manifest, problems);
  return {
    id: actorId,
    dir: paths.dir,
    manifestPath: paths.manifest,
    manifestState: state,
    manifest,
    info: actorInfo(actorId, manifest),
    baseImage,
    images,
    counts,
    total: state === 'invalid' ? 0 : counts.photorealistic + counts.bw_stylized + counts.color_stylized + counts.unknown,
    problems,
  };
}

/**
 * The id's fields, with the manifest's actor metadata winning where it has a value, then the old
 * tool's top-level `sex` and `type` (a manifest it wrote has no `actor` object).
 */
export function actorInfo(actorId: string, manifest: Manifest | undefined): ActorInfo {
  const parts = parseActorId(actorId);
  const meta = manifest?.actor ?? {};
  const legacy = legacyActorFields(manifest);
  const sex = meta.sex ?? legacy.sex ?? parts?.sex;
  const type = meta.type ?? legacy.type;
  return {
    index: parts?.index,
    ethnicity: meta.ethnicity ?? parts?.ethnicity,
    age: meta.age ?? parts?.age,
    sex,
    ...(type !== undefined ? { type } : {}),
    displayName: meta.display_name,
    descriptor: meta.descriptor ?? descriptorForSex(sex),
  };
}

/** The old tool's top-level `sex` and `type` of a manifest, when they are non-empty strings. */
export function legacyActorFields(manifest: Record<string, unknown> | undefined): { sex?: string; type?: string } {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const sex = text(manifest?.sex);
  const type = text(manifest?.type);
  return { ...(sex ? { sex } : {}), ...(type ? { type } : {}) };
}

function collectImages(
  actorId: string,
  trainingDir: string,
  manifestPath: string,
  manifest: Manifest | undefined,
  onDisk: Set<string>,
  problems: DataProblem[],
): ActorImage[] {
  const images: ActorImage[] = [];
  const seen = new Set<string>();
  for (const entry of manifest?.images ?? []) {
    if (seen.has(entry.filename)) {
      problems.push({ file: manifestPath, severity: 'warning', message: `${entry.filename} is listed more than once; the first entry is used.` });
      continue;
    }
    seen.add(entry.filename);
    const missing = !onDisk.has(entry.filename);
    if (missing) {
      problems.push({ file: manifestPath, severity: 'warning', message: `${entry.filename} is in the manifest but not on disk.` });
    }
    images.push({
      filename: entry.filename,
      path: path.join(trainingDir, entry.filename),
      category: effectiveCategory(entry),
      number: entry.index ?? imageNumber(actorId, entry.filename),
      tracked: true,
      missing,
      entry,
    });
  }
  for (const filename of onDisk) {
    if (!seen.has(filename)) {
      const file = path.join(trainingDir, filename);
      images.push({ filename, path: file, category: 'unknown', number: imageNumber(actorId, filename), tracked: false, missing: false });
    }
  }
  return images.sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity) || a.filename.localeCompare(b.filename));
}

/**
 * The category the planner counts (countedCategory): the user's choice, else the stored
 * evaluation's when it was decided by the category rule (it has a `category_source`) for these
 * bytes, else the manifest's own. So the tree's counts and the plan agree. An evaluation made
 * before the rule (a category guessed from pixels) is not counted; the next evaluation replaces it.
 */
function effectiveCategory(entry: ImageEntry): Category {
  const evaluation = currentEvaluation(entry);
  return countedCategory(entry, evaluation?.category_source ? evaluation.category : undefined);
}

function readManifest(
  realDataRoot: string,
  manifestPath: string,
  dirent: Dirent | undefined,
  problems: DataProblem[],
): { manifest?: Manifest; state: ActorRecord['manifestState'] } {
  if (!dirent || !isUsableFile(realDataRoot, dirent, manifestPath, problems)) {
    return { state: 'missing' };
  }
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (error) {
    problems.push({ file: manifestPath, severity: 'error', message: `cannot read the manifest: ${(error as Error).message}` });
    return { state: 'invalid' };
  }
  // The index only reads: every writer reads the manifest again, keeping its numbers (manifestStore).
  const result = validateJsonText(text, manifestSchema, { keepNumbers: false });
  if (result.ok) {
    return { manifest: result.value, state: 'ok' };
  }
  problems.push(...result.problems.map((problem) => toDataProblem(manifestPath, problem, 'error')));
  return { state: 'invalid' };
}

/**
 * The manifest's base images first (resolveBaseImage: by file name, or the old tool's moved_to /
 * relative_path), then `<actorId>_base.*`, then any image of base_image/.
 */
function findBaseImage(
  dataRoot: string,
  realDataRoot: string,
  actorId: string,
  entries: Dirent[],
  manifest: Manifest | undefined,
  problems: DataProblem[],
): ActorRecord['baseImage'] {
  const { baseImageDir: baseDir, manifest: manifestPath } = actorPaths(dataRoot, actorId);
  const regularFiles = new Set(entries.filter((entry) => entry.isFile()).map((entry) => entry.name));
  for (const [position, base] of (manifest?.base_images ?? []).entries()) {
    const resolved = resolveBaseImage(dataRoot, realDataRoot, actorId, base, regularFiles);
    if (resolved.found) {
      return { filename: resolved.filename, path: resolved.path };
    }
    // A file name of base_image/ that is not there falls through to the folder's images, as it always did.
    if (resolved.field !== 'filename' || resolved.outside) {
      problems.push({ file: manifestPath, severity: 'warning', message: `base_images[${position}] ${resolved.problem}.` });
    }
  }
  const images = entries.filter((entry) => isImageFile(entry.name) && !entry.name.startsWith('.'));
  const preferred = [...images.map((entry) => entry.name).filter((name) => name.startsWith(`${actorId}_base.`)), ...images.map((entry) => entry.name).sort()];
  for (const name of preferred) {
    const entry = images.find((candidate) => candidate.name === name);
    const file = path.join(baseDir, name);
    if (entry && isUsableFile(realDataRoot, entry, file, problems)) {
      return { filename: name, path: file };
    }
  }
  problems.push({
    file: baseDir,
    severity: 'warning',
    message: `no base image in ${path.basename(baseDir)}/ (expected ${actorId}_base.png or .jpg); generation needs one.`,
  });
  return undefined;
}

/** Lists a folder, or nothing if it is missing. */
function listFolder(dir: string, problems: DataProblem[]): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      problems.push({ file: dir, severity: 'warning', message: `cannot list ${path.basename(dir)}/: ${(error as Error).message}` });
    }
    return [];
  }
}

/** Lists base_image/ or training_data/, known from the actor folder's listing; a link must stay inside. */
function listSubfolder(realDataRoot: string, dir: string, actorEntries: Dirent[], problems: DataProblem[]): Dirent[] {
  const entry = actorEntries.find((candidate) => candidate.name === path.basename(dir));
  if (!entry) {
    return [];
  }
  if (entry.isSymbolicLink() && !realPathInside(realDataRoot, dir)) {
    problems.push({ file: dir, severity: 'warning', message: `${entry.name} links outside the data folder and is ignored.` });
    return [];
  }
  return entry.isDirectory() || entry.isSymbolicLink() ? listFolder(dir, problems) : [];
}

/** Regular files are fine; a symlink only when it resolves to a file inside the data folder. */
function isUsableFile(realDataRoot: string, entry: Dirent, file: string, problems: DataProblem[]): boolean {
  if (entry.isFile()) {
    return true;
  }
  if (!entry.isSymbolicLink()) {
    return false;
  }
  if (!realPathInside(realDataRoot, file)) {
    problems.push({ file, severity: 'warning', message: `${entry.name} links outside the data folder (or to nothing) and is ignored.` });
    return false;
  }
  return statSync(file).isFile();
}
