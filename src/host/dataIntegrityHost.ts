import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { MigrationReport } from '../core/migrate/types';
import type { FixSummary, ReconcileReport } from '../core/reconcile/types';
import { createStudioObjectStore } from './generationServices';
import type { Secrets } from './secrets';
import type { StudioWorkspace } from './studioWorkspace';

/**
 * Reconcile, fix and migrate in the editor, over the core: the object store built from settings
 * and secrets (as execution does), the log, and an event after each reconcile so the tree can
 * badge actors with drift. The core modules load on first use (reconciling hashes every file, so
 * it never runs at activation).
 */
export class DataIntegrityHost implements vscode.Disposable {
  private readonly reconciled = new vscode.EventEmitter<ReconcileReport>();
  /** Fires with each reconcile's report (only the actors it covered). */
  readonly onDidReconcile = this.reconciled.event;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly secrets: Secrets,
    private readonly logger: Logger,
  ) {}

  async reconcile(actorIds: readonly string[], signal?: AbortSignal): Promise<ReconcileReport> {
    const dataRoot = this.requireDataRoot();
    const [store, { reconcileActors }] = await Promise.all([this.objectStore(), import('../core/reconcile/index')]);
    const report = await reconcileActors({ dataRoot, actorIds, store, signal });
    this.logger.info(`reconciled ${describeActors(actorIds)}${store ? ' with S3' : ''}: ${report.total} finding(s)`);
    this.reconciled.fire(report);
    return report;
  }

  /** Repairs what the report found (nothing is deleted outright); logs each change. */
  async fix(report: ReconcileReport): Promise<FixSummary> {
    const dataRoot = this.requireDataRoot();
    const [store, { fixDrift }] = await Promise.all([this.objectStore(), import('../core/reconcile/index')]);
    const summary = await fixDrift({ dataRoot, report, store });
    summary.applied.forEach((line) => this.logger.info(`fix: ${line}`));
    summary.failed.forEach(({ finding, reason }) => this.logger.warn(`fix failed: ${finding.actorId}: ${finding.message}: ${reason}`));
    return summary;
  }

  /** Imports the old tool's files into the manifests (or, with dryRun, says what it would import). */
  async migrate(actorIds: readonly string[], dryRun: boolean, signal?: AbortSignal): Promise<MigrationReport> {
    const dataRoot = this.requireDataRoot();
    const { migrateActors } = await import('../core/migrate/index');
    const report = await migrateActors({ dataRoot, actorIds, dryRun, signal });
    const changed = report.actors.filter((actor) => actor.changed).length;
    this.logger.info(`${dryRun ? 'migration dry run' : 'migrated'} ${describeActors(actorIds)}: ${changed} manifest(s) ${dryRun ? 'would change' : 'changed'}`);
    return report;
  }

  dispose(): void {
    this.reconciled.dispose();
  }

  private async objectStore() {
    const store = await createStudioObjectStore(this.workspace.settings, this.secrets);
    return store.kind === 'none' ? undefined : store;
  }

  private requireDataRoot(): string {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      throw new Error('open a folder first: there is no data folder');
    }
    return dataRoot;
  }
}

function describeActors(actorIds: readonly string[]): string {
  return actorIds.length === 1 ? actorIds[0]! : `${actorIds.length} actors`;
}
