import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { adoptImageFile, recordUpload, reserveImageNumbers, type SavedImage } from '../generate/saveResult';
import { saveOrKeep } from '../generate/recovered';
import { failureReasonOf } from '../generate/failureReasonOf';
import { uploaderFor } from '../generate/uploader';
import { attemptParameters, GenerationError, type GenerationResult, type Generator } from '../generate/types';
import { exists, sha256File } from '../fs/files';
import { logQuietly, recordFailure, recordSuccess } from '../tracking/generationLog';
import type { ObjectStore } from '../storage/types';
import type { RequestSlots } from './adaptiveConcurrency';
import type { SpendGuard } from './types';
import { actorPaths, IMAGE_EXTENSIONS, trashTrainingDir } from '../workspace/layout';
import { realPathInside } from '../workspace/guards';
import type { JournalOperation, RunJournal } from './journal';
import { moveToTrash } from './trash';
import { actionName } from '../util/actionNames';
import { isoTime } from '../util/time';

export interface OperationContext {
  dataRoot: string;
  journal: RunJournal;
  generator: Generator;
  store?: ObjectStore;
  /** Limits model requests in flight across all actors. */
  requests: RequestSlots;
  budget?: SpendGuard;
  signal?: AbortSignal;
  now: () => Date;
  onStatus?: (message: string) => void;
}

/** How an operation ended here: finished (done, failed or skipped), or interrupted by Cancel (resumable). */
export type OperationOutcome = 'finished' | 'interrupted';

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Moves a planned deletion to the run's trash and deletes its object. A file whose contents
 * changed since planning is left alone (skipped): the plan judged other bytes.
 */
export async function runDelete(context: OperationContext, operation: JournalOperation): Promise<OperationOutcome> {
  const { dataRoot, journal } = context;
  const actorId = operation.actor_id;
  const filename = operation.filename!;
  await journal.update(operation, { state: 'started', started_at: isoTime(context.now()) });
  const file = path.join(actorPaths(dataRoot, actorId).trainingDir, filename);
  try {
    // A planned file that is a link out of the data folder is neither hashed (read) nor moved.
    if (!realPathInside(await fs.realpath(dataRoot), file) && (await exists(file))) {
      await journal.update(operation, {
        state: 'skipped',
        skip_reason: `${filename} links outside the data folder; it is left as it is`,
        finished_at: isoTime(context.now()),
      });
      return 'finished';
    }
    if (
      operation.sha256 &&
      (await fs.access(file).then(
        () => true,
        () => false,
      )) &&
      (await sha256File(file)) !== operation.sha256
    ) {
      await journal.update(operation, {
        state: 'skipped',
        skip_reason: `${filename} changed since planning; re-plan to judge it again`,
        finished_at: isoTime(context.now()),
      });
      return 'finished';
    }
    const outcome = await moveToTrash(dataRoot, journal.runId, actorId, filename, context.now());
    if (!outcome.moved) {
      await journal.update(operation, { state: 'skipped', skip_reason: `${filename} was already gone`, finished_at: isoTime(context.now()) });
      return 'finished';
    }
    const objectWarning = await deleteMirroredObject(context.store, actorId, filename, outcome.entry?.s3_key);
    const warning = [outcome.warning, objectWarning].filter(Boolean).join('; ');
    await journal.update(operation, { state: 'done', ...(warning ? { warning } : {}), finished_at: isoTime(context.now()) });
  } catch (error) {
    // The journal says what really happened: a file already in the trash was deleted (undo puts it back).
    const trashed = !(await exists(file)) && (await exists(path.join(trashTrainingDir(dataRoot, journal.runId, actorId), filename)));
    await journal.update(
      operation,
      trashed
        ? { state: 'done', warning: `moved to the trash, but then: ${messageOf(error)}`, finished_at: isoTime(context.now()) }
        : { state: 'failed', failure_reason: 'io', error: messageOf(error), finished_at: isoTime(context.now()) },
    );
  }
  return 'finished';
}

/** Deletes a trashed image's S3 object; a failure is a warning (the object stays, Reconcile Data finds it). */
export async function deleteMirroredObject(
  store: ObjectStore | undefined,
  actorId: string,
  filename: string,
  s3Key?: string | null,
): Promise<string | undefined> {
  if (!store || store.kind === 'none') {
    return undefined;
  }
  const key = s3Key || store.keyFor(actorId, filename);
  try {
    await store.delete(key);
    return undefined;
  } catch (error) {
    return `the S3 object ${key} could not be deleted: ${messageOf(error)} (${actionName('reconcile')} finds it later)`;
  }
}

/** The file written for a reserved number, if any (a crash may have left it unrecorded). */
async function fileForNumber(dataRoot: string, actorId: string, number: number): Promise<string | undefined> {
  const names = await fs.readdir(actorPaths(dataRoot, actorId).trainingDir).catch(() => [] as string[]);
  return names.find((name) => IMAGE_EXTENSIONS.some((extension) => name.toLowerCase() === `${actorId}_${number}${extension}`.toLowerCase()));
}

/**
 * Generates one planned image. Its number is reserved (and journaled) before the model is asked,
 * so a resumed run writes the same file name, and a file already written for that number is
 * adopted instead of paid for again.
 */
export async function runGenerate(context: OperationContext, operation: JournalOperation, baseImagePath: string): Promise<OperationOutcome> {
  const { dataRoot, journal, generator } = context;
  const actorId = operation.actor_id;
  await journal.update(operation, { state: 'started', started_at: operation.started_at ?? isoTime(context.now()) });
  const request = { dataRoot, actorId, promptId: operation.prompt_id!, prompt: operation.prompt ?? '', category: operation.category!, now: context.now };
  const logged = { actorId, promptId: request.promptId, prompt: request.prompt, category: request.category, saveMethod: 'auto' as const };
  let saved: SavedImage;
  let result: GenerationResult | undefined;
  const started = Date.now();
  try {
    if (operation.number === undefined) {
      const [number] = await reserveImageNumbers(dataRoot, actorId);
      await journal.update(operation, { number });
    }
    const index = operation.number!;
    const existing = await fileForNumber(dataRoot, actorId, index);
    if (existing) {
      saved = await adoptImageFile({ ...request, filename: existing, index, model: generator.model });
    } else {
      context.signal?.throwIfAborted();
      let overBudget = false;
      result = await context.requests.run(async (release, feedback) => {
        context.signal?.throwIfAborted();
        // Checked here, inside the request slot, so concurrent requests can never overrun it together.
        if (context.budget && !(await context.budget.reserve())) {
          overBudget = true;
          return undefined;
        }
        return settleSpend(
          context.budget,
          generator.generate({
            onModelDone: () => {
              feedback.succeeded();
              release(); // downloading the output is not a model request
            },
            onThrottled: (retryAfterMs) => feedback.throttled(retryAfterMs),
            actorId,
            baseImagePath,
            promptId: request.promptId,
            prompt: request.prompt,
            category: request.category,
            number: index,
            signal: context.signal,
            onProgress: (message) => context.onStatus?.(`${actorId}: ${message}`),
          }),
        );
      });
      if (overBudget || !result) {
        await journal.update(operation, {
          state: 'skipped',
          skip_reason: 'the budget is spent: no paid request was made',
          finished_at: isoTime(context.now()),
        });
        return 'finished';
      }
      // A result that arrived is paid for: it is saved even if Cancel was pressed meanwhile.
      saved = await saveOrKeep({ ...request, result, index });
    }
  } catch (error) {
    if (context.signal?.aborted || (error instanceof GenerationError && error.reason === 'cancelled')) {
      return 'interrupted'; // stays "started" with its number: a resume finishes it
    }
    const reason = error instanceof GenerationError ? error.reason : 'io';
    // The log knows the documented reasons only: a local read or write failing is 'storage'.
    const logWarning = await logQuietly(() =>
      recordFailure(
        dataRoot,
        {
          ...logged,
          model: generator.model,
          parameters: attemptParameters(generator, undefined, result),
          durationMs: Date.now() - started,
          error,
          failureReason: failureReasonOf(error, 'store'),
        },
        { now: context.now },
      ),
    );
    await journal.update(operation, {
      state: 'failed',
      failure_reason: reason,
      error: messageOf(error),
      ...(logWarning ? { warning: logWarning } : {}),
      finished_at: isoTime(context.now()),
    });
    return 'finished';
  }
  const uploaded = await upload(context, actorId, saved);
  // An adopted file (written before a crash) is logged from its manifest entry: its attempt was never logged.
  const logWarning = await logQuietly(() =>
    recordSuccess(
      dataRoot,
      {
        ...logged,
        model: result?.model ?? saved.entry.model ?? generator.model,
        parameters: result?.parameters ?? saved.entry.parameters,
        durationMs: result?.durationMs ?? saved.entry.duration_ms,
        resultPath: saved.path,
        resultUrl: uploaded.url,
      },
      { now: context.now },
    ),
  );
  const warning = [saved.warning, uploaded.warning, logWarning].filter(Boolean).join('; ');
  await journal.update(operation, { state: 'done', filename: saved.filename, ...(warning ? { warning } : {}), finished_at: isoTime(context.now()) });
  return 'finished';
}

/** Mirrors a new image to the object store; a failed upload waits in the pending queue (a warning, not a failure). */
async function upload(context: OperationContext, actorId: string, saved: SavedImage): Promise<{ url?: string; warning?: string }> {
  const uploader = context.store ? uploaderFor(context.store, context.dataRoot) : undefined;
  if (!uploader) {
    return {};
  }
  try {
    const outcome = await uploader(actorId, saved.filename, saved.path);
    const recordWarning = await recordUpload(context.dataRoot, actorId, saved.filename, outcome.key, outcome.url);
    return outcome.queued
      ? { warning: `upload queued (${outcome.error ?? 'object store unreachable'}); it retries with the next upload or Retry Pending Uploads` }
      : { url: outcome.url, ...(recordWarning ? { warning: recordWarning } : {}) };
  } catch (error) {
    return { warning: `not uploaded: ${messageOf(error)}` };
  }
}

/** Keeps a budget reservation when the request returned a result (paid), releases it when it failed. */
async function settleSpend<T>(budget: SpendGuard | undefined, request: Promise<T>): Promise<T> {
  try {
    const result = await request;
    await budget?.settle(true);
    return result;
  } catch (error) {
    await budget?.settle(false);
    throw error;
  }
}
