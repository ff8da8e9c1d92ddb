import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { executionJournalSchema } from '../manifest/dataFileSchemas';
import { journalPath, newRunId, RunJournal } from './journal';
import { moveToTrash } from './trash';

export interface DeleteImageRequest {
  dataRoot: string;
  actorId: string;
  filename: string;
  /** Why, as the journal and the trash record keep it. */
  reason: string;
  now?: () => Date;
}

export interface DeleteImageOutcome {
  runId: string;
  /** False when neither the file nor its entry was there any more. */
  moved: boolean;
}

/**
 * Deletes one image by hand (the Image Viewer): a run of one delete operation, journaled like an
 * execution, so the file, its manifest entry and its prompt metadata go to `data/.trash/<run id>/`
 * and Undo Last Execution puts them back. Nothing is deleted outright; an object in S3 stays
 * (Reconcile Data reports it).
 */
export async function deleteImageToTrash(request: DeleteImageRequest): Promise<DeleteImageOutcome> {
  const now = request.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  const operation = {
    id: `${request.actorId}/delete/${request.filename}`,
    actor_id: request.actorId,
    kind: 'delete' as const,
    state: 'started' as const,
    filename: request.filename,
    reason: request.reason,
    started_at: started.toISOString(),
  };
  const data = executionJournalSchema.parse({
    run_id: runId,
    mode: 'delete_only',
    actor_ids: [request.actorId],
    status: 'running',
    started_at: started.toISOString(),
    operations: [operation],
  });
  const file = journalPath(request.dataRoot, runId);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const journal = new RunJournal(file, data, now);
  // The journal first: a crash after it leaves a run whose trash record says where things stood.
  await journal.persist();
  const outcome = await moveToTrash(request.dataRoot, runId, request.actorId, request.filename, now());
  await journal.update(data.operations[0], {
    state: outcome.moved ? 'done' : 'skipped',
    ...(outcome.moved ? {} : { skip_reason: `${request.filename} was already gone` }),
    finished_at: now().toISOString(),
  });
  data.status = 'completed';
  data.finished_at = now().toISOString();
  await journal.persist();
  return { runId, moved: outcome.moved };
}
