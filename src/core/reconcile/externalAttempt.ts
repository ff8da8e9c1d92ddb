import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import type { TrainingCategory } from '../manifest/categories';
import { FAILURE_REASONS, type FailureReason } from '../manifest/failureReasons';
import { loadManifest, withActorLock } from '../manifest/manifestStore';
import { recordPromptMetadata } from '../manifest/promptMetadata';
import { changeImageEntry } from '../tracking/imageEntries';
import { readGenerationLog, recordFailure, recordSuccess, type GenerationFailure, type GenerationSuccess } from '../tracking/generationLog';
import { PLAIN_NAME } from '../workspace/plainName';
import { assertActorInside, assertWritableInside } from '../workspace/guards';
import { actorPaths, isImageFile } from '../workspace/layout';
import { adoptUntrackedFile } from './fix';

/*
 * Other tools log into the tracker (seed 001's quick_integrate_tracking): a success names an image
 * the tool wrote into the actor's training folder, which is adopted into the manifest as Reconcile
 * Data's Fix adopts an untracked file, then logged; a failure is logged with its reason. Both land
 * in the same generation log as Actor Studio's own attempts.
 */

/** What a tool may say about its attempt. */
interface ExternalAttempt {
  dataRoot: string;
  actorId: string;
  prompt: string;
  /** Default 'unknown'. */
  model?: string;
  parameters?: Record<string, unknown>;
  /** Default auto, as the seed's after_processing logs. */
  saveMethod?: 'auto' | 'manual' | 'user_save';
  now?: () => Date;
}

export interface ExternalSuccess extends ExternalAttempt {
  /** The image, absolute: it must be a file right inside the actor's training folder. */
  imagePath: string;
  category?: TrainingCategory;
}

export interface ExternalFailure extends ExternalAttempt {
  reason: string;
  message: string;
}

export interface LoggedSuccess {
  /** The image's name now (renumbered when its number belonged to another image). */
  filename: string;
  /** What adopting it did; null when the manifest already listed it (its entry is left as it is). */
  adopted: string | null;
  /** The log's new entry; null when a success with this image was logged already. */
  entry: GenerationSuccess | null;
  /** The log was invalid: it was set aside and a new one started. */
  logWarning?: string;
}

/** The reasons a tool may log: every documented one but `cancelled` (the user's choice is no failure). */
export const LOGGABLE_FAILURE_REASONS = FAILURE_REASONS.filter((reason) => reason !== 'cancelled');

const UNKNOWN_MODEL = 'unknown';

async function checkActor(dataRoot: string, actorId: string): Promise<void> {
  if (!PLAIN_NAME.test(actorId)) {
    throw new InputError(`unknown actor "${actorId}": an actor id is a folder name, not a path`);
  }
  const dir = actorPaths(dataRoot, actorId).dir;
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new InputError(`unknown actor "${actorId}": there is no folder ${dir}`);
  }
  assertActorInside(dataRoot, actorId);
}

function checkPrompt(prompt: string): void {
  if (prompt.trim() === '') {
    throw new InputError('the prompt is empty: give the text the image was made from');
  }
}

/** The image must be an image file right inside the actor's training folder, and really there (no link out). */
async function checkImage(dataRoot: string, actorId: string, imagePath: string): Promise<string> {
  const { trainingDir } = actorPaths(dataRoot, actorId);
  const file = path.resolve(imagePath);
  if (path.dirname(file) !== path.resolve(trainingDir)) {
    throw new InputError(`${imagePath} is not in ${trainingDir}: write the image into the actor's training folder first`, { file: imagePath });
  }
  const name = path.basename(file);
  if (!isImageFile(name)) {
    throw new InputError(`${imagePath} is not an image file (.jpg, .jpeg, .png or .webp)`, { file: imagePath });
  }
  await assertWritableInside(dataRoot, file);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) {
    throw new InputError(`${imagePath} does not exist`, { file: imagePath });
  }
  return name;
}

/** Adopts the image (unless the manifest lists it) with what the tool said, and logs the success once. */
export async function logExternalSuccess(request: ExternalSuccess): Promise<LoggedSuccess> {
  const { dataRoot, actorId } = request;
  const now = request.now ?? (() => new Date());
  await checkActor(dataRoot, actorId);
  checkPrompt(request.prompt);
  const original = await checkImage(dataRoot, actorId, request.imagePath);
  const manifest = await loadManifest(actorPaths(dataRoot, actorId).manifest);
  let filename = original;
  let adopted: string | null = null;
  if (!manifest.images.some((image) => image.filename === original)) {
    ({ filename, done: adopted } = await adoptUntrackedFile(dataRoot, actorId, original, now));
    // Fix adopts what it finds as imported; this image comes with its generation's story.
    await changeImageEntry(dataRoot, actorId, filename, (image) => {
      Object.assign(image, {
        source: 'generated',
        prompt_id: null,
        prompt: request.prompt,
        model: request.model ?? null,
        ...(request.parameters ? { parameters: request.parameters } : {}),
        ...(request.category ? { category: request.category, category_source: 'prompt' } : {}),
      });
    });
    await withActorLock(dataRoot, actorId, () => recordPromptMetadata(dataRoot, actorId, filename, { prompt: request.prompt }));
  }
  const resultPath = path.posix.join('actors', actorId, 'training_data', filename);
  const log = await readGenerationLog(dataRoot, { withArchives: true });
  if (log.successes.some((success) => success.actor_id === actorId && success.result_path === resultPath)) {
    return { filename, adopted, entry: null };
  }
  const outcome = await recordSuccess(dataRoot, { ...attemptOf(request), ...(request.category ? { category: request.category } : {}), resultPath }, { now });
  return { filename, adopted, entry: outcome.entry, ...(outcome.corrupt ? { logWarning: outcome.corrupt.message } : {}) };
}

/** Logs a failed attempt with its reason and message (redacted like every logged error). */
export async function logExternalFailure(request: ExternalFailure): Promise<{ entry: GenerationFailure; logWarning?: string }> {
  await checkActor(request.dataRoot, request.actorId);
  checkPrompt(request.prompt);
  if (!(LOGGABLE_FAILURE_REASONS as readonly string[]).includes(request.reason)) {
    throw new InputError(`unknown failure reason "${request.reason}"; use one of ${LOGGABLE_FAILURE_REASONS.join(', ')}`);
  }
  if (request.message.trim() === '') {
    throw new InputError('the failure message is empty: give the error the tool got');
  }
  const outcome = await recordFailure(
    request.dataRoot,
    { ...attemptOf(request), error: request.message, failureReason: request.reason as FailureReason },
    { now: request.now },
  );
  return { entry: outcome.entry, ...(outcome.corrupt ? { logWarning: outcome.corrupt.message } : {}) };
}

function attemptOf(request: ExternalAttempt) {
  return {
    actorId: request.actorId,
    promptId: null,
    prompt: request.prompt,
    model: request.model ?? UNKNOWN_MODEL,
    ...(request.parameters ? { parameters: request.parameters } : {}),
    saveMethod: request.saveMethod ?? ('auto' as const),
  };
}
