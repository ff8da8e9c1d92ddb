import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { DriftKind, ReconcileReport } from '../../core/reconcile/types';
import type { DataIndex } from '../../core/actors/types';
import type { ActorListing } from '../../core/actors/dataIndex';
import { LatestPlanStatusPass, type PlanStatusReader } from '../../core/plan/latestPlanStatusPass';
import type { StudioWorkspace } from '../../editor/studioWorkspace';
import { ActorNode, StudioNode } from './nodes';

export const ACTORS_VIEW_ID = 'actorStudio.actors';
/** How long the first level waits for the actors' first read (at 10,000 actors it took 58 ms without the wait, 90 ms with it; the target is 150). */
const FIRST_READ_BUDGET_MS = 50;
/** Drives the view's welcome content: `noWorkspace`, `missing` or `present`. */
export const DATA_FOLDER_STATE_KEY = 'actorStudio.dataFolderState';

/**
 * The Actors tree. Nodes are kept between refreshes (stable ids, cached children); a change to one
 * actor redraws only the rows that look different: the actor's row when its counts or its groups
 * changed, else just the changed image rows (see `reconcileNodes`).
 */
export class ActorsTreeProvider implements vscode.TreeDataProvider<StudioNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StudioNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly indexed = new vscode.EventEmitter<DataIndex>();
  /** Fires after each read of the data folder, for diagnostics and decorations. */
  readonly onDidIndex = this.indexed.event;
  private readonly actorNodes = new Map<string, ActorNode>();
  /** Drift per actor from the last reconcile, kept for nodes created after it. */
  private readonly drift = new Map<string, Partial<Record<DriftKind, number>>>();
  private lastState?: string;
  private loading?: Promise<void>;
  private loadAgain = false;
  private readonly planPass = new LatestPlanStatusPass();

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly logger: Logger,
    /** Reads the actors' plan states (`-2 +5`, stale) in turn; absent: plans are not shown. */
    private readonly readPlanStates?: PlanStatusReader,
  ) {}

  getTreeItem(node: StudioNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  /**
   * The first level comes from the folder listing alone, so it shows at once however many actors
   * there are; actors not read yet say "loading…" until a background read fills them in.
   */
  async getChildren(node?: StudioNode): Promise<StudioNode[]> {
    const actors = await this.workspace.actors();
    if (node) {
      if (node instanceof ActorNode && !node.record && actors) {
        node.update(actors.actor(node.actorId), this.workspace.targets);
      }
      return node.getChildren();
    }
    await this.setState(await this.workspace.state());
    const listing = actors?.list();
    if (!actors || !listing?.exists) {
      this.actorNodes.clear();
      return [];
    }
    const targets = this.workspace.targets;
    let pending = false;
    const nodes = listing.ids.map((id) => {
      const record = actors.peek(id);
      pending ||= !record;
      let actorNode = this.actorNodes.get(id);
      if (!actorNode) {
        actorNode = new ActorNode(id, record, targets);
        actorNode.drift = this.drift.get(id);
        this.actorNodes.set(id, actorNode);
      } else if (record && (actorNode.record !== record || actorNode.targets !== targets)) {
        actorNode.update(record, targets); // an actor being re-read keeps showing its last state
      }
      return actorNode;
    });
    const listed = new Set(listing.ids);
    for (const id of this.actorNodes.keys()) {
      if (!listed.has(id)) {
        this.actorNodes.delete(id);
      }
    }
    if (pending) {
      this.loadInBackground();
      // A small folder is read within the budget and its rows go out filled. Else they fill by row
      // refreshes, which must not land while the window is still taking in this level: it then
      // turns them into a root refresh that waits on this very fetch and shows "loading…" for good.
      await Promise.race([this.loading, new Promise((resolve) => setTimeout(resolve, FIRST_READ_BUDGET_MS))]);
    }
    return nodes;
  }

  resolveTreeItem(item: vscode.TreeItem, node: StudioNode): vscode.TreeItem {
    if (node.resolveTooltip) {
      item.tooltip = node.resolveTooltip();
    }
    return item;
  }

  getParent(): undefined {
    return undefined;
  }

  /** Resolves once no background read is running (benchmarks and tests measure a settled tree). */
  async settled(): Promise<void> {
    while (this.loading) {
      await this.loading;
    }
  }

  /** The actor's node, if the tree has shown it. */
  actorNode(actorId: string): ActorNode | undefined {
    return this.actorNodes.get(actorId);
  }

  /** Notes each reconciled actor's drift per kind (for its tooltip); clears it where none was found. */
  showDrift(report: ReconcileReport): void {
    for (const { actorId, findings } of report.actors) {
      const perKind: Partial<Record<DriftKind, number>> = {};
      findings.forEach((finding) => (perKind[finding.kind] = (perKind[finding.kind] ?? 0) + 1));
      const node = this.actorNodes.get(actorId);
      const drift = findings.length > 0 ? perKind : undefined;
      if (drift) {
        this.drift.set(actorId, drift);
      } else {
        this.drift.delete(actorId);
      }
      if (node && JSON.stringify(node.drift) !== JSON.stringify(drift)) {
        node.drift = drift;
        this.changed.fire(node);
      }
    }
  }

  /**
   * Re-reads the given actors (or everything) and redraws the rows that changed. The root is
   * redrawn only when the actors themselves changed (added, removed, the folder gone): a root
   * refresh makes VS Code forget every row until the window has fetched the tree again, and a
   * context-menu command run meanwhile gets no row (see `reconcileNodes`).
   */
  async refresh(actorIds?: Iterable<string>): Promise<void> {
    const ids = actorIds ? [...actorIds] : undefined;
    const actors = await this.workspace.actors();
    if (!ids || !actors || ids.some((id) => !this.actorNodes.has(id))) {
      this.workspace.invalidate();
      if (actors && this.showsActorsOf(actors.list())) {
        this.loadInBackground(); // every row takes its new read and redraws only if it looks different
      } else {
        this.changed.fire(undefined);
      }
      return;
    }
    this.logger.trace(`refreshing ${ids.join(', ')}`);
    const targets = this.workspace.targets;
    for (const id of ids) {
      this.workspace.invalidate(id);
      this.redraw(this.actorNodes.get(id)!.update(actors.actor(id), targets));
    }
    await this.publishIndex(ids);
  }

  /**
   * Reads the actors still "loading…", then refreshes each of their rows, not the root. A root
   * refresh that lands while VS Code is still taking in the first level is lost: the workbench's
   * tree clears its cached children, the first fetch then fills that cache with the "loading…"
   * rows, and the refresh (chained behind that fetch) reads the cache instead of asking again, so
   * the rows stayed "loading…" until Refresh. A row refresh carries the new items themselves.
   */
  private loadInBackground(): void {
    if (this.loading) {
      this.loadAgain = true; // what the running read already passed was invalidated since
      return;
    }
    let stillLoading = false;
    this.loading = this.publishIndex()
      .then(async () => {
        stillLoading = await this.fillLoadedRows();
      })
      .catch((error) => this.logger.error(error))
      .finally(() => {
        this.loading = undefined;
        if (stillLoading || this.loadAgain) {
          this.loadAgain = false;
          this.loadInBackground(); // an actor changed while it was read: read it again
        }
      });
  }

  /** The listing names exactly the actors the tree shows (the root level would look the same). */
  private showsActorsOf(listing: ActorListing): boolean {
    return listing.exists && listing.ids.length === this.actorNodes.size && listing.ids.every((id) => this.actorNodes.has(id));
  }

  /**
   * Gives each row the record just read: a "loading…" row its first, a row kept showing its last
   * state while everything was re-read its new one (so no row holds on to an older read), and
   * redraws the rows that look different. True when some row still has no record.
   */
  private async fillLoadedRows(): Promise<boolean> {
    const actors = await this.workspace.actors();
    const targets = this.workspace.targets;
    // Only actors still listed are read again: a row whose folder went away waits for the next
    // root refresh to drop it, instead of asking for reads that can never fill it.
    const listed = new Set(actors?.list().ids);
    let stillLoading = false;
    for (const node of this.actorNodes.values()) {
      const record = actors?.peek(node.actorId);
      if (record && record !== node.record) {
        this.redraw(node.update(record, targets));
      }
      stillLoading ||= !node.record && listed.has(node.actorId);
    }
    return stillLoading;
  }

  /** VS Code batches these: a row and its own descendants become one refresh of the row. */
  private redraw(nodes: readonly StudioNode[]): void {
    for (const node of nodes) {
      this.changed.fire(node);
    }
  }

  /** Reads whatever is not cached (time-sliced) and tells diagnostics and decorations. */
  private async publishIndex(actorIds?: readonly string[]): Promise<void> {
    const index = await this.workspace.index();
    if (index) {
      this.indexed.fire(index);
      this.updatePlanStates(index, actorIds);
    }
  }

  /** Plan states come after the counts (a plan may need hashing to tell whether it is stale); a newer read supersedes the running pass. */
  private updatePlanStates(index: DataIndex, actorIds?: readonly string[]): void {
    if (!this.readPlanStates) {
      return;
    }
    this.planPass
      .start(index.actors, actorIds, this.readPlanStates, {
        onStatus: (actor, status) => {
          const node = this.actorNodes.get(actor.id);
          if (node && JSON.stringify(status.plan) !== JSON.stringify(node.planState)) {
            node.planState = status.plan;
            this.changed.fire(node);
          }
        },
        onError: (actor, error) => this.logger.warn(`plan state of ${actor.id}: ${error.message}`),
      })
      .catch((error) => this.logger.error(error));
  }

  dispose(): void {
    this.changed.dispose();
    this.indexed.dispose();
  }

  private async setState(state: string): Promise<void> {
    if (state !== this.lastState) {
      this.lastState = state;
      await vscode.commands.executeCommand('setContext', DATA_FOLDER_STATE_KEY, state);
    }
  }
}
