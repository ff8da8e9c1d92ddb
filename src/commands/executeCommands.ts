import * as vscode from 'vscode';
import type { DryRunResult, ExecutionMode, ExecutionSummary, RunInfo, UndoSummary } from '../core/execute/types';
import { formatCost } from '../core/plan/cost';
import type { StudioNode } from '../providers/actorsTree/nodes';
import { CommandContext, requireTrust, resolveActors } from './commandContext';
import type { DryRunReports } from './dryRunReport';
import { withCancellableProgress } from './progress';

/** What Execute Plan can do: a dry run (changes nothing) or one of the executor's modes. */
export type ExecutionChoice = 'dry_run' | ExecutionMode;

/**
 * The programmatic API of Execute Plan and Execute All Plans (scripts, other extensions, tests):
 * `executeCommand('actorStudio.executePlan', actorIdOrNode, undefined, { mode: 'everything', confirm: false })`.
 */
export interface ExecuteCommandOptions {
  /** Skips the mode quick pick. */
  mode?: ExecutionChoice;
  /** `false` skips the modal confirmation of destructive or paid runs (default: ask). */
  confirm?: boolean;
}

/** What the commands resolve to: the dry run always (it gives the counts), the summary when it ran. */
export interface ExecutePlanResult {
  dryRun: DryRunResult;
  summary?: ExecutionSummary;
}

/** Undo Last Execution's programmatic API: `{ runId, confirm: false }`. */
export interface UndoCommandOptions {
  /** Default: the latest run that deleted something not put back yet. */
  runId?: string;
  confirm?: boolean;
}

const MODE_LABELS: Record<ExecutionChoice, string> = {
  dry_run: 'Dry Run',
  delete_only: 'Delete Only',
  generate_only: 'Generate Only',
  everything: 'Everything',
};

interface ModeItem extends vscode.QuickPickItem {
  mode: ExecutionChoice;
}

const MODE_ITEMS: ModeItem[] = [
  {
    mode: 'dry_run',
    label: '$(debug-alt) Dry Run',
    description: 'changes nothing',
    detail: 'Lists the files that would go to the trash, the files that would be created and the estimated cost.',
  },
  {
    mode: 'delete_only',
    label: '$(trash) Delete Only',
    description: 'no generation',
    detail: 'Moves the planned deletions to data/.trash (Undo Last Execution puts them back).',
  },
  { mode: 'generate_only', label: '$(sparkle) Generate Only', description: 'no deletion', detail: 'Generates the planned images with the current generator.' },
  {
    mode: 'everything',
    label: '$(play) Everything',
    description: 'the whole plan',
    detail: 'Moves the planned deletions to the trash, then generates the planned images.',
  },
];

const SHOW_LOG = 'Show Log';

/** Execute Plan: the clicked actor(s), an actor id (Plan Review, scripts), or one from a quick pick. */
export function executePlan(context: CommandContext, reports: DryRunReports) {
  return async (target?: StudioNode | string, nodes?: StudioNode[], options: ExecuteCommandOptions = {}): Promise<ExecutePlanResult | undefined> => {
    if (!requireTrust('executing a plan')) {
      return undefined;
    }
    const actorIds = typeof target === 'string' ? [target] : (await resolveActors(context, target, nodes))?.map((actor) => actor.id);
    if (!actorIds || actorIds.length === 0) {
      return undefined;
    }
    return runExecution(context, reports, actorIds, options, actorIds.length === 1 ? actorIds[0]! : `${actorIds.length} actors`);
  };
}

/** Execute All Plans: every actor whose plan can run (the others are named in the confirmation). */
export function executeAllPlans(context: CommandContext, reports: DryRunReports) {
  return async (options: ExecuteCommandOptions = {}): Promise<ExecutePlanResult | undefined> => {
    if (!requireTrust('executing plans')) {
      return undefined;
    }
    const index = await context.workspace.index();
    const actorIds = (index?.actors ?? []).filter((actor) => actor.manifestState !== 'invalid').map((actor) => actor.id);
    if (actorIds.length === 0) {
      void vscode.window.showInformationMessage('Actor Studio: there are no actors to execute.');
      return undefined;
    }
    return runExecution(context, reports, actorIds, options, 'all actors');
  };
}

async function runExecution(
  context: CommandContext,
  reports: DryRunReports,
  actorIds: string[],
  options: ExecuteCommandOptions,
  label: string,
): Promise<ExecutePlanResult | undefined> {
  const choice = options.mode ?? (await pickMode(label));
  if (!choice) {
    return undefined;
  }
  if (choice !== 'dry_run' && context.execution.activeRun) {
    void vscode.window.showWarningMessage(`Actor Studio: wait for the running execution (${context.execution.activeRun}) or cancel it first.`);
    return undefined;
  }
  const mode: ExecutionMode = choice === 'dry_run' ? 'everything' : choice;
  const dryRun = await context.execution.dryRun(actorIds, mode);
  if (choice === 'dry_run') {
    await reports.show(dryRun, context.workspace.dataRoot ?? '');
    return { dryRun };
  }
  const runnable = dryRun.actors.filter((actor) => !actor.skipReason).map((actor) => actor.actorId);
  if (runnable.length === 0 || dryRun.deletions + dryRun.generations === 0) {
    const reasons = dryRun.actors.filter((actor) => actor.skipReason).map((actor) => `${actor.actorId}: ${actor.skipReason}`);
    void vscode.window.showInformationMessage(`Actor Studio: nothing to execute for ${label}.${reasons.length > 0 ? ` ${summarise(reasons)}` : ''}`);
    return { dryRun };
  }
  if (options.confirm !== false && needsConfirmation(dryRun) && !(await confirm(dryRun, choice, label))) {
    return { dryRun };
  }
  const summary = await withCancellableProgress(`Actor Studio: executing ${label} (${MODE_LABELS[choice]})`, (signal, report) =>
    context.execution.execute(runnable, mode, { signal, onProgress: report }),
  );
  showSummary(context, summary, label);
  return { dryRun, summary };
}

async function pickMode(label: string): Promise<ExecutionChoice | undefined> {
  const picked = await vscode.window.showQuickPick(MODE_ITEMS, {
    title: `Actor Studio: Execute Plan of ${label}`,
    placeHolder: 'What should run?',
    matchOnDetail: true,
  });
  return picked?.mode;
}

/** Asked when files would move to the trash or generating would cost (or cost an unknown amount). */
function needsConfirmation(dryRun: DryRunResult): boolean {
  return dryRun.deletions > 0 || (dryRun.generations > 0 && dryRun.cost.total !== 0);
}

async function confirm(dryRun: DryRunResult, choice: ExecutionChoice, label: string): Promise<boolean> {
  const { cost } = dryRun;
  const lines = [
    dryRun.deletions > 0 ? `${dryRun.deletions} file(s) go to the trash (data/.trash; Undo Last Execution puts them back).` : undefined,
    dryRun.generations > 0
      ? `${dryRun.generations} image(s) will be generated with ${cost.model}: estimated cost ${formatCost(cost.total, cost.currency)}.`
      : undefined,
    ...skippedActorLines(dryRun),
  ].filter((line): line is string => line !== undefined);
  const action = 'Execute';
  const answer = await vscode.window.showWarningMessage(
    `Execute the plan of ${label} (${MODE_LABELS[choice]})?`,
    { modal: true, detail: lines.join('\n') },
    action,
  );
  return answer === action;
}

function skippedActorLines(dryRun: DryRunResult): string[] {
  const skipped = dryRun.actors.filter((actor) => actor.skipReason);
  return skipped.length === 0 ? [] : [`Not executed: ${summarise(skipped.map((actor) => `${actor.actorId} (${actor.skipReason})`))}`];
}

/** The first few items of a list and how many more, so a message for 1,000 actors stays readable. */
function summarise(items: string[], shown = 3): string {
  return items.length <= shown ? items.join('; ') : `${items.slice(0, shown).join('; ')}; and ${items.length - shown} more`;
}

function showSummary(context: CommandContext, summary: ExecutionSummary, label: string): void {
  const parts = [`${summary.done.length} done`];
  if (summary.failed.length > 0) {
    const reasons = new Map<string, number>();
    summary.failed.forEach((operation) => reasons.set(operation.failureReason ?? 'error', (reasons.get(operation.failureReason ?? 'error') ?? 0) + 1));
    parts.push(`${summary.failed.length} failed (${[...reasons].map(([reason, count]) => `${reason} ×${count}`).join(', ')})`);
  }
  if (summary.skipped.length > 0) {
    parts.push(`${summary.skipped.length} skipped`);
  }
  if (summary.remaining > 0) {
    parts.push(`${summary.remaining} not started`);
  }
  const head = summary.status === 'cancelled' ? `execution of ${label} cancelled` : `executed ${label}`;
  const resume = summary.status === 'cancelled' ? ' Execute again to resume where it stopped.' : '';
  const skippedActors =
    summary.skippedActors.length > 0 ? ` Not executed: ${summarise(summary.skippedActors.map((actor) => `${actor.actorId} (${actor.reason})`))}.` : '';
  const message = `Actor Studio: ${head} (${MODE_LABELS[summary.mode]}): ${parts.join(', ')}; spend about ${formatCost(summary.spend.total, summary.spend.currency)}.${resume}${skippedActors}`;
  const troubled = summary.failed.length > 0 || summary.status === 'cancelled' || summary.skippedActors.length > 0;
  const shown = troubled ? vscode.window.showWarningMessage(message, SHOW_LOG) : vscode.window.showInformationMessage(message, SHOW_LOG);
  void shown.then((choice) => choice === SHOW_LOG && context.showLog());
}

/** Undo Last Execution: puts back what the latest run deleted, after a confirmation with its counts. */
export function undoLastExecution(context: CommandContext) {
  return async (options: UndoCommandOptions = {}): Promise<UndoSummary | undefined> => {
    if (!requireTrust('undoing an execution')) {
      return undefined;
    }
    const runs = await context.execution.runs();
    const run = options.runId ? runs.find((each) => each.runId === options.runId) : latestUndoable(runs);
    if (!run) {
      const message = options.runId ? `there is no run ${options.runId}` : 'no execution moved files to the trash that are not back yet';
      void vscode.window.showInformationMessage(`Actor Studio: nothing to undo: ${message}.`);
      return undefined;
    }
    if (options.confirm !== false && !(await confirmUndo(run))) {
      return undefined;
    }
    const summary = await withCancellableProgress(`Actor Studio: undoing run ${run.runId}`, (signal) => context.execution.undo(run.runId, signal));
    const parts = [`${summary.restored.length} file(s) restored`];
    if (summary.failed.length > 0) {
      parts.push(`${summary.failed.length} not restored (${summarise(summary.failed.map((file) => `${file.filename}: ${file.reason}`))})`);
    }
    if (summary.queued > 0) {
      parts.push(`${summary.queued} upload(s) wait for S3 (Retry Pending Uploads)`);
    }
    // A file that came back but whose records could not all be put back (prompt_metadata.json).
    const warned = summary.restored.filter((file) => file.warning);
    warned.forEach((file) => context.logger.warn(`undo of ${run.runId}: ${file.actorId}/${file.filename}: ${file.warning}`));
    if (warned.length > 0) {
      parts.push(`${warned.length} with a warning (${summarise(warned.map((file) => `${file.filename}: ${file.warning}`))})`);
    }
    const message = `Actor Studio: undo of ${run.runId}: ${parts.join(', ')}.`;
    const worrying = summary.failed.length > 0 || warned.length > 0;
    const shown = worrying ? vscode.window.showWarningMessage(message, SHOW_LOG) : vscode.window.showInformationMessage(message, SHOW_LOG);
    void shown.then((choice) => choice === SHOW_LOG && context.showLog());
    return summary;
  };
}

function latestUndoable(runs: RunInfo[]): RunInfo | undefined {
  return runs
    .filter((run) => run.deleted > 0 && !run.undoneAt)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .at(0);
}

async function confirmUndo(run: RunInfo): Promise<boolean> {
  const when = new Date(run.startedAt);
  const actors = run.actorIds.length === 1 ? run.actorIds[0] : `${run.actorIds.length} actors`;
  const detail = [
    `${run.deleted} file(s) come back from data/.trash with their manifest entries.`,
    run.generated > 0 ? `The ${run.generated} image(s) it generated stay.` : undefined,
    run.status !== 'completed' ? `The run is ${run.status}.` : undefined,
  ]
    .filter(Boolean)
    .join('\n');
  const action = 'Undo';
  const answer = await vscode.window.showWarningMessage(
    `Undo the execution of ${actors} (${MODE_LABELS[run.mode]}) from ${Number.isNaN(when.getTime()) ? run.startedAt : when.toLocaleString()}?`,
    { modal: true, detail },
    action,
  );
  return answer === action;
}
