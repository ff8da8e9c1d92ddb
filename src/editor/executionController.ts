import * as vscode from 'vscode';
import { balanceActors, type BalanceReport } from '../core/app/balance';
import { deleteImages, describeOperation, dryRun, emptyTrashRuns, executePlans, listTrashRuns, undoExecution, type DryRunReport } from '../core/app/execution';
import type { ExecutionEvent, ExecutionMode, ExecutionSummary, RunInfo, UndoSummary } from '../core/execute/types';
import type { Logger } from '../core/logger';
import { InputError } from '../core/errors';
import type { StudioWorkspace } from './studioWorkspace';

/** Progress for a notification: a message and an increment in percent of the whole run. */
export type ExecutionProgress = (message: string, increment: number) => void;

export interface ExecuteOptions {
  signal?: AbortSignal;
  onProgress?: ExecutionProgress;
  /** Always a new run (see core/app/execution ExecuteOptions). */
  fresh?: boolean;
}

/**
 * Execution in the editor: the core's use cases (core/app/execution) with what only the editor
 * does: a status bar item while a run goes, and tree refreshes as operations finish (images
 * appear while it runs). One run at a time per window: the core's per-actor lock would
 * serialise a second one anyway, and one status bar item stays truthful.
 */
export class ExecutionController implements vscode.Disposable {
  private readonly statusItem: vscode.StatusBarItem;
  private running: string | undefined;
  /** Actors whose tree nodes wait for a refresh; one refresh runs at a time and takes them all. */
  private readonly pendingRefresh = new Set<string>();
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly logger: Logger,
    private readonly refreshActors: (actorIds: string[]) => Promise<void>,
    /** What clicking the status bar item runs (shows the log). */
    showLogCommand: string,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('actorStudio.execution', vscode.StatusBarAlignment.Left, 0);
    this.statusItem.name = 'Actor Studio Execution';
    this.statusItem.command = showLogCommand;
  }

  /** What the running execution is doing ("executing 0000_x (everything)"), if one runs. */
  get activeRun(): string | undefined {
    return this.running;
  }

  /** The exact operations the actors' plans would run now, and the services the run would use; changes nothing. */
  async dryRun(actorIds: readonly string[], mode: ExecutionMode): Promise<DryRunReport> {
    return dryRun(await this.workspace.context(), actorIds, mode);
  }

  /** Runs the plans (or resumes the unfinished run over the same actors and mode). */
  async execute(actorIds: readonly string[], mode: ExecutionMode, options: ExecuteOptions = {}): Promise<ExecutionSummary> {
    if (this.running) {
      throw new InputError(`an execution is already running (${this.running}); wait for it or cancel it first`);
    }
    const context = await this.workspace.context();
    const label = `${actorIds.length === 1 ? actorIds[0] : `${actorIds.length} actors`} (${mode})`;
    this.running = `executing ${label}`;
    this.showStatus(0, 0, label);
    try {
      return await executePlans(context, actorIds, mode, {
        signal: options.signal,
        fresh: options.fresh,
        onEvent: (event) => this.onEvent(event, label, options.onProgress),
      });
    } finally {
      this.running = undefined;
      this.statusItem.hide();
      await this.settleRefreshes(actorIds);
    }
  }

  /**
   * Balance: rounds of execute, evaluate and re-plan until the actors are at their targets
   * (core/app/balance), with the same status bar and tree refreshes as an execution.
   */
  async balance(
    actorIds: readonly string[],
    options: { budgetUsd?: number; signal?: AbortSignal; onProgress?: ExecutionProgress } = {},
  ): Promise<BalanceReport> {
    if (this.running) {
      throw new InputError(`an execution is already running (${this.running}); wait for it or cancel it first`);
    }
    const context = await this.workspace.context();
    const label = `${actorIds.length === 1 ? actorIds[0] : `${actorIds.length} actors`} (balance)`;
    this.running = `balancing ${label}`;
    this.showStatus(0, 0, label);
    try {
      return await balanceActors(context, actorIds, {
        budgetUsd: options.budgetUsd,
        signal: options.signal,
        onEvent: (event) => {
          if (event.type === 'execution') {
            this.onEvent(event.event, label, undefined);
          } else if (event.type === 'round-started') {
            options.onProgress?.(`round ${event.round} of ${event.maxRounds} · spent $${event.spentUsd.toFixed(2)}`, 0);
          } else if (event.type === 'round-finished') {
            options.onProgress?.(
              `after round ${event.round}: ${event.accepted} accepted, ${event.rejected} rejected · spent $${event.spentUsd.toFixed(2)}`,
              100 / (this.workspace.settings.balance.maxRounds + 1),
            );
          }
        },
      });
    } finally {
      this.running = undefined;
      this.statusItem.hide();
      await this.settleRefreshes(actorIds);
    }
  }

  /** Moves images to the trash by hand, as one undoable run; their S3 objects go too. */
  async deleteImages(images: ReadonlyArray<{ actorId: string; filename: string }>, reason: string) {
    return deleteImages(await this.workspace.context(), images, reason);
  }

  /** Puts back what a run deleted (default: the latest run with deletions not undone yet). */
  async undo(runId?: string, signal?: AbortSignal): Promise<UndoSummary> {
    if (this.running) {
      throw new InputError(`an execution is running (${this.running}); undo after it ends`);
    }
    const summary = await undoExecution(await this.workspace.context(), runId, signal);
    await this.settleRefreshes([...new Set([...summary.restored, ...summary.failed].map((file) => file.actorId))]);
    return summary;
  }

  /** What is in data/.trash, per run, oldest first. */
  async trashRuns() {
    return listTrashRuns(await this.workspace.context());
  }

  /** Deletes the trash for good (all, or runs trashed longer ago than `olderThanMs`); undo still works for the rest. */
  async emptyTrash(olderThanMs?: number) {
    if (this.running) {
      throw new InputError(`an execution is running (${this.running}); empty the trash after it ends`);
    }
    return emptyTrashRuns(await this.workspace.context(), { olderThanMs });
  }

  /** The runs of the data folder, as the journal lists them. */
  async runs(): Promise<RunInfo[]> {
    const { listRuns } = await import('../core/execute/index');
    return listRuns((await this.workspace.context()).dataRoot);
  }

  dispose(): void {
    this.statusItem.dispose();
  }

  private onEvent(event: ExecutionEvent, label: string, onProgress: ExecutionProgress | undefined): void {
    switch (event.type) {
      case 'run-started':
        this.logger.info(
          `run ${event.runId}${event.resumed ? ` resumed at ${event.done}/${event.total}` : ` started: ${event.total} operation(s)`} (journal ${event.journal})`,
        );
        this.showStatus(event.done, event.total, label);
        onProgress?.(`${event.done}/${event.total}`, event.total > 0 ? (event.done * 100) / event.total : 0);
        break;
      case 'operation-started':
        this.logger.trace(`started ${describeOperation(event.operation)}`);
        break;
      case 'operation-finished': {
        const line = describeOperation(event.operation);
        if (event.operation.state === 'failed') {
          this.logger.warn(line);
        } else {
          this.logger.info(line);
        }
        this.showStatus(event.done, event.total, label);
        onProgress?.(`${event.done}/${event.total} · ${line}`, event.total > 0 ? 100 / event.total : 0);
        this.scheduleRefresh(event.operation.actorId);
        break;
      }
      case 'actor-skipped':
        this.logger.warn(`${event.actorId} not executed: ${event.reason}`);
        break;
      case 'status':
        this.logger.info(event.message);
        onProgress?.(event.message, 0);
        break;
    }
  }

  private showStatus(done: number, total: number, label: string): void {
    this.statusItem.text = total > 0 ? `$(sync~spin) Actor Studio: executing ${done}/${total}` : '$(sync~spin) Actor Studio: executing';
    this.statusItem.tooltip = `Executing the plans of ${label}. Click to show the log.`;
    this.statusItem.show();
  }

  /** Coalesces refreshes while a run goes: many images land per second, the tree redraws per batch. */
  private scheduleRefresh(actorId: string): void {
    this.pendingRefresh.add(actorId);
    this.flushRefreshes();
  }

  private flushRefreshes(): void {
    if (this.refreshing || this.pendingRefresh.size === 0) {
      return;
    }
    const actorIds = [...this.pendingRefresh];
    this.pendingRefresh.clear();
    this.refreshing = this.refreshActors(actorIds)
      .catch((error: Error) => this.logger.warn(`refreshing ${actorIds.join(', ')} failed: ${error.message}`))
      .finally(() => {
        this.refreshing = undefined;
        this.flushRefreshes();
      });
  }

  /** Waits for refreshes under way, then refreshes the given actors once more so the tree ends current. */
  private async settleRefreshes(actorIds: readonly string[]): Promise<void> {
    actorIds.forEach((actorId) => this.pendingRefresh.add(actorId));
    while (this.refreshing) {
      await this.refreshing;
    }
    this.flushRefreshes();
    while (this.refreshing) {
      await this.refreshing;
    }
  }
}
