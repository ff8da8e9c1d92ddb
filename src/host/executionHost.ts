import * as vscode from 'vscode';
import type { DryRunResult, ExecutionEvent, ExecutionMode, ExecutionSummary, OperationView, RunInfo, UndoSummary } from '../core/execute/types';
import type { Logger } from '../core/logger';
import type { ObjectStore } from '../core/storage/types';
import { createStudioGenerator, createStudioObjectStore } from './generationServices';
import type { Secrets } from './secrets';
import type { StudioWorkspace } from './studioWorkspace';

/** Progress for a notification: a message and an increment in percent of the whole run. */
export type ExecutionProgress = (message: string, increment: number) => void;

export interface ExecuteOptions {
  signal?: AbortSignal;
  onProgress?: ExecutionProgress;
}

/** One line per operation, as the log and the progress notification show it. */
export function describeOperation(operation: OperationView): string {
  const what = operation.kind === 'delete' ? `trash ${operation.filename ?? '?'}` : `generate ${operation.filename ?? operation.promptId ?? '?'}`;
  switch (operation.state) {
    case 'failed':
      return `${operation.actorId}: ${what} failed (${operation.failureReason ?? 'error'}: ${operation.error ?? 'no message'})`;
    case 'skipped':
      return `${operation.actorId}: ${what} skipped (${operation.skipReason ?? 'no reason given'})`;
    default:
      return `${operation.actorId}: ${what}${operation.warning ? ` (warning: ${operation.warning})` : ''}`;
  }
}

/**
 * Execution in the editor, over the core executor: the generator and object store built from
 * settings and secrets (as generation does), the concurrency setting, a status bar item while a
 * run goes, tree refreshes as operations finish (images appear while it runs), and a summary in
 * the log. One run at a time per window: the core's per-actor lock would serialise a second one
 * anyway, and one status bar item stays truthful. The executor loads on first use.
 */
export class ExecutionHost implements vscode.Disposable {
  private readonly statusItem: vscode.StatusBarItem;
  private running: string | undefined;
  /** Actors whose tree nodes wait for a refresh; one refresh runs at a time and takes them all. */
  private readonly pendingRefresh = new Set<string>();
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly secrets: Secrets,
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

  /** The exact operations the actors' plans would run now; changes nothing. */
  async dryRun(actorIds: readonly string[], mode: ExecutionMode): Promise<DryRunResult> {
    const dataRoot = this.requireDataRoot();
    const settings = this.workspace.settings;
    const [generator, store, { dryRunPlans }] = await Promise.all([
      createStudioGenerator(settings, this.secrets),
      createStudioObjectStore(settings, this.secrets),
      import('../core/execute/index'),
    ]);
    const result = await dryRunPlans({ dataRoot, actorIds, mode, model: generator.model, store: usableStore(store) });
    this.logger.info(`dry run (${mode}) of ${actorIds.join(', ')}: ${result.deletions} to trash, ${result.generations} to generate with ${generator.model}`);
    return result;
  }

  /** Runs the plans (or resumes the unfinished run over the same actors and mode). */
  async execute(actorIds: readonly string[], mode: ExecutionMode, options: ExecuteOptions = {}): Promise<ExecutionSummary> {
    if (this.running) {
      throw new Error(`an execution is already running (${this.running}); wait for it or cancel it first`);
    }
    const dataRoot = this.requireDataRoot();
    const label = `${actorIds.length === 1 ? actorIds[0] : `${actorIds.length} actors`} (${mode})`;
    this.running = `executing ${label}`;
    this.showStatus(0, 0, label);
    try {
      const settings = this.workspace.settings;
      const [generator, store, { executePlans }] = await Promise.all([
        createStudioGenerator(settings, this.secrets),
        createStudioObjectStore(settings, this.secrets),
        import('../core/execute/index'),
      ]);
      const concurrency = settings.execution.concurrency;
      this.logger.info(`executing ${label} with ${generator.model}, ${concurrency} request(s) at once${store.kind === 's3' ? ', mirrored to S3' : ''}`);
      const summary = await executePlans({
        dataRoot,
        actorIds,
        mode,
        generator,
        store: usableStore(store),
        concurrency,
        signal: options.signal,
        onEvent: (event) => this.onEvent(event, label, options.onProgress),
      });
      this.logSummary(summary);
      return summary;
    } finally {
      this.running = undefined;
      this.statusItem.hide();
      await this.settleRefreshes(actorIds);
    }
  }

  /** Moves images to the trash by hand, as one undoable run; their S3 objects go too. */
  async deleteImages(images: ReadonlyArray<{ actorId: string; filename: string }>, reason: string) {
    const dataRoot = this.requireDataRoot();
    const [store, { deleteImagesToTrash }] = await Promise.all([createStudioObjectStore(this.workspace.settings, this.secrets), import('../core/execute/deleteImage')]);
    const outcome = await deleteImagesToTrash({ dataRoot, images, reason, store: usableStore(store) });
    this.logger.info(`moved ${outcome.moved.length} image(s) to the trash (run ${outcome.runId})`);
    outcome.warnings.forEach((warning) => this.logger.warn(warning));
    return outcome;
  }

  /** Puts back what a run deleted (default: the latest run with deletions not undone yet). */
  async undo(runId?: string, signal?: AbortSignal): Promise<UndoSummary> {
    if (this.running) {
      throw new Error(`an execution is running (${this.running}); undo after it ends`);
    }
    const dataRoot = this.requireDataRoot();
    const [store, { undoRun }] = await Promise.all([createStudioObjectStore(this.workspace.settings, this.secrets), import('../core/execute/index')]);
    const summary = await undoRun({ dataRoot, runId, store: usableStore(store), signal });
    this.logger.info(`undo of ${summary.runId}: ${summary.restored.length} restored, ${summary.failed.length} not restored, ${summary.reuploaded} re-uploaded, ${summary.queued} upload(s) queued`);
    summary.failed.forEach((failure) => this.logger.warn(`undo of ${summary.runId}: ${failure.actorId}/${failure.filename} not restored: ${failure.reason}`));
    await this.settleRefreshes([...new Set([...summary.restored, ...summary.failed].map((file) => file.actorId))]);
    return summary;
  }

  /** The runs of the data folder, as the journal lists them. */
  async runs(): Promise<RunInfo[]> {
    const { listRuns } = await import('../core/execute/index');
    return listRuns(this.requireDataRoot());
  }

  dispose(): void {
    this.statusItem.dispose();
  }

  private onEvent(event: ExecutionEvent, label: string, onProgress: ExecutionProgress | undefined): void {
    switch (event.type) {
      case 'run-started':
        this.logger.info(`run ${event.runId}${event.resumed ? ` resumed at ${event.done}/${event.total}` : ` started: ${event.total} operation(s)`} (journal ${event.journal})`);
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

  private logSummary(summary: ExecutionSummary): void {
    const spend = summary.spend.total === undefined ? 'spend unknown' : `spend about ${summary.spend.total.toFixed(2)} ${summary.spend.currency}`;
    this.logger.info(
      `run ${summary.runId} ${summary.status}: ${summary.done.length} done, ${summary.failed.length} failed, ${summary.skipped.length} skipped, ${summary.remaining} not started; ${spend}; journal ${summary.journal}`,
    );
    summary.failed.forEach((operation) => this.logger.warn(`failed: ${describeOperation(operation)}`));
    summary.skippedActors.forEach((actor) => this.logger.warn(`${actor.actorId} not executed: ${actor.reason}`));
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

  private requireDataRoot(): string {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      throw new Error('open a folder with a data folder first');
    }
    return dataRoot;
  }
}

/** The executor takes no store for "no object store" rather than the offline stand-in. */
function usableStore(store: ObjectStore): ObjectStore | undefined {
  return store.kind === 'none' ? undefined : store;
}
