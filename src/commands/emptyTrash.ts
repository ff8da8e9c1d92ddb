import * as vscode from 'vscode';
import type { EmptyTrashOutcome, TrashRun } from '../core/execute';
import { formatBytes } from '../core/util/formatBytes';
import { CommandContext, requireTrust } from './commandContext';

/** Empty Trash's programmatic API: `executeCommand('actorStudio.emptyTrash', { olderThanDays: 30, confirm: false })`. */
export interface EmptyTrashOptions {
  /** Only runs trashed longer ago than this many days; default: the whole trash (or as chosen in the dialog). */
  olderThanDays?: number;
  /** `false` skips the modal confirmation (default: ask). */
  confirm?: boolean;
}

const DAY_MS = 86_400_000;
/** The cut-off the dialog offers besides emptying everything. */
const OFFERED_DAYS = 30;

function totals(runs: readonly TrashRun[]): string {
  const files = runs.reduce((sum, run) => sum + run.files, 0);
  return `${files} file(s), ${formatBytes(runs.reduce((sum, run) => sum + run.bytes, 0))}`;
}

const olderThan = (runs: readonly TrashRun[], days: number, now = Date.now()) => runs.filter((run) => now - Date.parse(run.trashedAt) >= days * DAY_MS);

/**
 * Empty Trash...: deletes for good what executions, Delete Image and Reconcile moved to
 * data/.trash, after a modal confirmation that says how many files and how much space (all, or
 * only runs older than 30 days). Undo Last Execution still works for every run that remains.
 */
export function emptyTrash(context: CommandContext) {
  return async (options: EmptyTrashOptions = {}): Promise<EmptyTrashOutcome | undefined> => {
    if (!requireTrust('emptying the trash')) {
      return undefined;
    }
    const runs = await context.execution.trashRuns();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('Actor Studio: the trash is empty.');
      return undefined;
    }
    let days = options.olderThanDays;
    if (options.confirm !== false) {
      const chosen = await confirmEmpty(runs, days);
      if (chosen === undefined) {
        return undefined;
      }
      days = chosen === 'all' ? undefined : chosen;
    }
    const outcome = await context.execution.emptyTrash(days === undefined ? undefined : days * DAY_MS);
    const kept = outcome.kept.length > 0 ? ` ${outcome.kept.length} run(s) stay in the trash (Undo Last Execution still puts them back).` : '';
    const message = `Actor Studio: emptied the trash of ${outcome.emptied.length} run(s): ${outcome.files} file(s), ${formatBytes(outcome.bytes)} freed.${kept}`;
    void vscode.window.showInformationMessage(message);
    return outcome;
  };
}

/** The modal: everything, or (when there is something that old) only runs older than the cut-off. Undefined: cancelled. */
async function confirmEmpty(runs: readonly TrashRun[], days: number | undefined): Promise<'all' | number | undefined> {
  const everything = 'Empty Trash';
  const cutOff = days ?? OFFERED_DAYS;
  const old = olderThan(runs, cutOff);
  const onlyOld = `Only Older Than ${cutOff} Days`;
  const detail = [
    `The whole trash: ${totals(runs)} from ${runs.length} run(s).`,
    old.length > 0 && old.length < runs.length ? `Older than ${cutOff} days: ${totals(old)} from ${old.length} run(s).` : undefined,
    'Files deleted from the trash cannot be put back by Undo Last Execution; their image numbers are never used again.',
  ]
    .filter(Boolean)
    .join('\n');
  const buttons = days !== undefined ? [onlyOld] : old.length > 0 && old.length < runs.length ? [everything, onlyOld] : [everything];
  const answer = await vscode.window.showWarningMessage('Empty the Actor Studio trash for good?', { modal: true, detail }, ...buttons);
  return answer === everything ? 'all' : answer === onlyOld ? cutOff : undefined;
}
