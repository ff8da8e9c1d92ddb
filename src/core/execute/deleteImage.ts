import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { executionJournalSchema } from '../manifest/dataFileSchemas';
import type { ObjectStore } from '../storage/types';
import { newRunId, RunJournal } from './journal';
import { journalPath } from '../workspace/layout';
import { deleteMirroredObject } from './operations';
import { moveToTrash } from './trash';
import { isoTime } from '../util/time';

export interface DeleteImagesRequest {
  dataRoot: string;
  images: ReadonlyArray<{ actorId: string; filename: string }>;
  /** Why, as the journal keeps it. */
  reason: string;
  /** The S3 mirror: a trashed image's object is deleted there too (undo re-uploads it). */
  store?: ObjectStore;
  now?: () => Date;
}

export interface DeleteImagesOutcome {
  runId: string;
  /** Images moved to the trash. */
  moved: Array<{ actorId: string; filename: string }>;
  /** Images that were already gone (neither file nor manifest entry). */
  gone: Array<{ actorId: string; filename: string }>;
  /** S3 objects that could not be deleted. */
  warnings: string[];
}

/**
 * Deletes images by hand (the Image Viewer, Delete Image): one run of delete operations, journaled
 * like an execution, so each file, its manifest entry and its prompt metadata go to
 * `data/.trash/<run id>/` and Undo Last Execution puts them all back (re-uploading to S3). Nothing
 * local is deleted outright; the S3 object is deleted as an execution's deletions are.
 */
export async function deleteImagesToTrash(request: DeleteImagesRequest): Promise<DeleteImagesOutcome> {
  const now = request.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  const data = executionJournalSchema.parse({
    run_id: runId,
    mode: 'delete_only',
    actor_ids: [...new Set(request.images.map((image) => image.actorId))].sort(),
    status: 'running',
    started_at: isoTime(started),
    operations: request.images.map((image) => ({
      id: `${image.actorId}/delete/${image.filename}`,
      actor_id: image.actorId,
      kind: 'delete',
      state: 'pending',
      filename: image.filename,
      reason: request.reason,
    })),
  });
  const file = journalPath(request.dataRoot, runId);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const journal = new RunJournal(file, data, now);
  // The journal first: a crash later leaves a run whose trash record says where things stood.
  await journal.persist();
  const outcome: DeleteImagesOutcome = { runId, moved: [], gone: [], warnings: [] };
  for (const operation of data.operations) {
    const image = { actorId: operation.actor_id, filename: operation.filename! };
    await journal.update(operation, { state: 'started', started_at: isoTime(now()) });
    const trashed = await moveToTrash(request.dataRoot, runId, image.actorId, image.filename, now());
    const { moved, entry } = trashed;
    (moved ? outcome.moved : outcome.gone).push(image);
    const objectWarning = moved ? await deleteMirroredObject(request.store, image.actorId, image.filename, entry?.s3_key) : undefined;
    const warning = [trashed.warning, objectWarning].filter(Boolean).join('; ');
    if (warning) {
      outcome.warnings.push(warning);
    }
    await journal.update(operation, {
      state: moved ? 'done' : 'skipped',
      ...(moved ? {} : { skip_reason: `${image.filename} was already gone` }),
      ...(warning ? { warning } : {}),
      finished_at: isoTime(now()),
    });
  }
  data.status = 'completed';
  data.finished_at = isoTime(now());
  await journal.persist();
  return outcome;
}
