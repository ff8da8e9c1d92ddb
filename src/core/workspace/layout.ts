import * as path from 'node:path';
import { InputError } from '../errors';
import { PLAIN_NAME } from './plainName';

/** Where things live in the data folder (see DESIGN.md, "The data folder"). */
export const ACTORS_DIR = 'actors';
export const BASE_IMAGE_DIR = 'base_image';
export const TRAINING_DIR = 'training_data';
export const MANIFEST_FILE = 'manifest.json';
export const PROMPT_METADATA_FILE = 'prompt_metadata.json';
export const LEGACY_RESPONSE_FILE = 'response.json';

/** Files in training_data/ that are ours and not images. */
/** Where migration keeps an old-format manifest's bytes before rewriting it. */
export const LEGACY_MANIFEST_COPY_FILE = 'manifest.legacy.json';
export const KNOWN_DATA_FILES = new Set([MANIFEST_FILE, PROMPT_METADATA_FILE, LEGACY_RESPONSE_FILE, LEGACY_MANIFEST_COPY_FILE]);

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;

export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase());
}

export interface ActorPaths {
  dir: string;
  baseImageDir: string;
  trainingDir: string;
  manifest: string;
  promptMetadata: string;
  /** The old tool's URL list, kept in step only where it exists. */
  legacyResponse: string;
}

export function actorPaths(dataRoot: string, actorId: string): ActorPaths {
  const dir = path.join(dataRoot, ACTORS_DIR, plainName(actorId, 'actor id'));
  const trainingDir = path.join(dir, TRAINING_DIR);
  return {
    dir,
    baseImageDir: path.join(dir, BASE_IMAGE_DIR),
    trainingDir,
    manifest: path.join(trainingDir, MANIFEST_FILE),
    promptMetadata: path.join(trainingDir, PROMPT_METADATA_FILE),
    legacyResponse: path.join(trainingDir, LEGACY_RESPONSE_FILE),
  };
}

/** The number in `<actorId>_<n>.<ext>`, or undefined for files named otherwise. */
export function imageNumber(actorId: string, filename: string): number | undefined {
  const stem = filename.slice(0, filename.length - path.extname(filename).length);
  const prefix = `${actorId}_`;
  if (!stem.startsWith(prefix)) {
    return undefined;
  }
  const digits = stem.slice(prefix.length);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

// Folders and files directly under the data folder. Every path of the data folder is built here.
export const PLANS_DIR = 'action_plans';
export const RUNS_DIR = 'runs';
export const TRACKING_DIR = 'tracking';
export const TRASH_DIR = '.trash';
export const SUMMARY_FILE = 'summary.json';
export const PROGRESS_FILE = 'progress.json';
export const PENDING_UPLOADS_FILE = 'pending_uploads.json';
export const GENERATION_LOG_FILE = 'generation_log.json';
export const TRASH_RECORD_FILE = 'trash.json';

export { PLAIN_NAME };

/**
 * An id read from a data file (actor id, run id) used as one path segment: refused when it could
 * name another folder (empty, `.`, `..`, a separator or NUL), so a hand-edited file cannot lead
 * outside the data folder. Every path of an actor or run is built through it.
 */
export function plainName(value: string, what: string): string {
  if (typeof value !== 'string' || !PLAIN_NAME.test(value)) {
    throw new InputError(`${JSON.stringify(value)} is not a valid ${what}: it must be a plain name, not a path.`);
  }
  return value;
}

export function plansDir(dataRoot: string): string {
  return path.join(dataRoot, PLANS_DIR);
}

export function actorPlanPath(dataRoot: string, actorId: string): string {
  return path.join(plansDir(dataRoot), `${plainName(actorId, 'actor id')}_action_plan.json`);
}

export function summaryPath(dataRoot: string): string {
  return path.join(plansDir(dataRoot), SUMMARY_FILE);
}

export function progressPath(dataRoot: string): string {
  return path.join(plansDir(dataRoot), PROGRESS_FILE);
}

/** One journal per execution run: `action_plans/runs/<runId>.json`. */
export function runsDir(dataRoot: string): string {
  return path.join(plansDir(dataRoot), RUNS_DIR);
}

export function journalPath(dataRoot: string, runId: string): string {
  return path.join(runsDir(dataRoot), `${plainName(runId, 'run id')}.json`);
}

export function trackingDir(dataRoot: string): string {
  return path.join(dataRoot, TRACKING_DIR);
}

export function pendingUploadsPath(dataRoot: string): string {
  return path.join(trackingDir(dataRoot), PENDING_UPLOADS_FILE);
}

export function generationLogPath(dataRoot: string): string {
  return path.join(trackingDir(dataRoot), GENERATION_LOG_FILE);
}

export function generationArchivePath(dataRoot: string, number: number): string {
  return path.join(trackingDir(dataRoot), `generation_log.archive-${number}.json`);
}

/** Cross-process lock files of the tracking folder, next to the file they guard. */
export function trackingLockPath(dataRoot: string, guarded: 'pending_uploads' | 'generation_log'): string {
  return path.join(trackingDir(dataRoot), `.${guarded}.lock`);
}

/** Deleted files wait here per run, restorable by undo: `.trash/<runId>/actors/<actorId>/training_data/`. */
export function trashDir(dataRoot: string): string {
  return path.join(dataRoot, TRASH_DIR);
}

export function trashRunDir(dataRoot: string, runId: string): string {
  return path.join(trashDir(dataRoot), plainName(runId, 'run id'));
}

export function trashTrainingDir(dataRoot: string, runId: string, actorId: string): string {
  return path.join(trashRunDir(dataRoot, runId), ACTORS_DIR, plainName(actorId, 'actor id'), TRAINING_DIR);
}

export function trashRecordPath(dataRoot: string, runId: string, actorId: string): string {
  return path.join(trashRunDir(dataRoot, runId), ACTORS_DIR, plainName(actorId, 'actor id'), TRASH_RECORD_FILE);
}

/** The state of a Balance run (the closed loop over plan and execute): `action_plans/balance/<runId>.json`. */
export function balanceStatePath(dataRoot: string, runId: string): string {
  return path.join(plansDir(dataRoot), 'balance', `${plainName(runId, 'balance run id')}.json`);
}

/** Vision evaluations submitted through OpenAI's Batch API and not merged yet. */
export function visionBatchPath(dataRoot: string): string {
  return path.join(plansDir(dataRoot), 'vision_batch.json');
}

/** The caption edits that can be undone (newest last). */
export function captionUndoPath(dataRoot: string): string {
  return path.join(plansDir(dataRoot), 'caption_undo.json');
}

export const RECOVERED_DIR = 'recovered';

/** Paid images whose save failed wait here (`recovered/<actorId>/`) for `reconcile --fix` to adopt them. */
export function recoveredDir(dataRoot: string, actorId: string): string {
  return path.join(dataRoot, RECOVERED_DIR, plainName(actorId, 'actor id'));
}
