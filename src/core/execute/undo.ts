import * as path from 'node:path';
import { uploaderFor } from '../generate/uploader';
import { recordUpload } from '../generate/saveResult';
import { executionJournalSchema } from '../manifest/dataFileSchemas';
import { errorKind, InputError } from '../errors';
import { actorPaths } from '../workspace/layout';
import { readJournals, RunJournal } from './journal';
import { restoreFromTrash, trashedActors } from './trash';
import type { UndoRequest, UndoSummary } from './types';
import { isoTime } from '../util/time';

/**
 * Puts back what a run deleted: files, manifest entries (at their old positions) and prompt
 * metadata, and re-uploads images that had an object (queued when the store is down). Images
 * the run generated stay. Default run: the newest that deleted something and was not undone.
 */
export async function undoRun(request: UndoRequest): Promise<UndoSummary> {
  const { dataRoot } = request;
  const journals = await readJournals(dataRoot);
  const deletedSomething = (journal: (typeof journals)[number]['journal']) =>
    journal.operations.some((operation) => operation.kind === 'delete' && operation.state === 'done');
  const chosen = request.runId
    ? journals.find(({ journal }) => journal.run_id === request.runId)
    : journals.find(({ journal }) => !journal.undone_at && !journal.trash_emptied_at && deletedSomething(journal));
  if (!chosen) {
    throw new Error(
      request.runId
        ? `no run "${request.runId}" in ${path.join(dataRoot, 'action_plans', 'runs')}`
        : 'no execution to undo: no run deleted anything that is still in the trash',
    );
  }
  if (chosen.journal.trash_emptied_at) {
    throw new InputError(`the trash of run ${chosen.journal.run_id} was emptied at ${chosen.journal.trash_emptied_at}; nothing is left to put back`);
  }
  const journal = new RunJournal(chosen.file, executionJournalSchema.parse(chosen.journal), () => new Date());
  const summary: UndoSummary = { runId: journal.runId, restored: [], failed: [], reuploaded: 0, queued: 0 };
  const uploader = request.store ? uploaderFor(request.store, dataRoot) : undefined;
  for (const actorId of await trashedActors(dataRoot, journal.runId)) {
    request.signal?.throwIfAborted();
    const outcome = await restoreFromTrash(dataRoot, journal.runId, actorId, new Date()).catch((error: unknown) => {
      // A link out of the data folder or a hand-edited trash record: this actor is left as it is, the others go on.
      if (errorKind(error) === 'input') {
        return { restored: [], failed: [{ filename: '*', reason: (error as Error).message }] };
      }
      throw error;
    });
    summary.failed.push(...outcome.failed.map((failure) => ({ actorId, ...failure })));
    for (const restored of outcome.restored) {
      const item: UndoSummary['restored'][number] = { actorId, filename: restored.filename, ...(restored.warning ? { warning: restored.warning } : {}) };
      summary.restored.push(item);
      if (uploader && restored.entry?.s3_key) {
        const file = path.join(actorPaths(dataRoot, actorId).trainingDir, restored.filename);
        const upload = await uploader(actorId, restored.filename, file);
        const warning = await recordUpload(dataRoot, actorId, restored.filename, upload.key, upload.url ?? restored.entry.s3_url ?? undefined);
        if (warning) {
          item.warning = [item.warning, warning].filter(Boolean).join('; ');
        }
        if (upload.queued) {
          summary.queued++;
        } else {
          summary.reuploaded++;
        }
      }
    }
  }
  if (summary.failed.length === 0) {
    journal.data.undone_at = isoTime();
    await journal.persist();
  }
  return summary;
}
