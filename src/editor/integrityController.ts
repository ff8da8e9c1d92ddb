import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { MigrationReport } from '../core/migrate/types';
import type { FixSummary, ReconcileReport } from '../core/reconcile/types';
import { fixDrift, reconcile } from '../core/app/integrity';
import type { StudioWorkspace } from './studioWorkspace';

/**
 * Reconcile, fix and migrate in the editor, over the core's use cases (core/app/integrity), with
 * an event after each reconcile so the tree can badge actors with drift. The core modules load on first use (reconciling hashes every file, so
 * it never runs at activation).
 */
export class IntegrityController implements vscode.Disposable {
  private readonly reconciled = new vscode.EventEmitter<ReconcileReport>();
  /** Fires with each reconcile's report (only the actors it covered). */
  readonly onDidReconcile = this.reconciled.event;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly logger: Logger,
  ) {}

  async reconcile(actorIds: readonly string[], signal?: AbortSignal): Promise<ReconcileReport> {
    const report = await reconcile(await this.workspace.context(), actorIds, signal);
    this.reconciled.fire(report);
    return report;
  }

  /** Repairs what the report found (nothing is deleted outright); logs each change. */
  async fix(report: ReconcileReport): Promise<FixSummary> {
    return fixDrift(await this.workspace.context(), report);
  }

  /** Imports the old tool's files into the manifests (or, with dryRun, says what it would import). */
  async migrate(actorIds: readonly string[], dryRun: boolean, signal?: AbortSignal): Promise<MigrationReport> {
    const { dataRoot } = await this.workspace.context();
    const { migrateActors } = await import('../core/migrate/index');
    const report = await migrateActors({ dataRoot, actorIds, dryRun, signal });
    const changed = report.actors.filter((actor) => actor.changed).length;
    this.logger.info(`${dryRun ? 'migration dry run' : 'migrated'} ${describeActors(actorIds)}: ${changed} manifest(s) ${dryRun ? 'would change' : 'changed'}`);
    return report;
  }

  dispose(): void {
    this.reconciled.dispose();
  }
}

function describeActors(actorIds: readonly string[]): string {
  return actorIds.length === 1 ? actorIds[0]! : `${actorIds.length} actors`;
}
