import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { DataIndex } from '../../core/workspace/types';
import type { StudioWorkspace } from '../../host/studioWorkspace';
import { ActorNode, StudioNode } from './nodes';

export const ACTORS_VIEW_ID = 'actorStudio.actors';
/** Drives the view's welcome content: `noWorkspace`, `missing` or `present`. */
export const DATA_FOLDER_STATE_KEY = 'actorStudio.dataFolderState';

/**
 * The Actors tree. Actor nodes are kept between refreshes (stable ids, cached children); a change
 * to one actor refreshes that node alone.
 */
export class ActorsTreeProvider implements vscode.TreeDataProvider<StudioNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StudioNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly indexed = new vscode.EventEmitter<DataIndex>();
  /** Fires after each read of the data folder, for diagnostics and decorations. */
  readonly onDidIndex = this.indexed.event;
  private readonly actorNodes = new Map<string, ActorNode>();
  private lastState?: string;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly logger: Logger,
  ) {}

  getTreeItem(node: StudioNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: StudioNode): Promise<StudioNode[]> {
    if (node) {
      return node.getChildren();
    }
    const index = await this.workspace.index();
    await this.setState(!index ? 'noWorkspace' : index.exists ? 'present' : 'missing');
    if (!index) {
      return [];
    }
    const targets = this.workspace.targets;
    const nodes = index.actors.map((record) => {
      const existing = this.actorNodes.get(record.id);
      if (!existing) {
        const created = new ActorNode(record, targets);
        this.actorNodes.set(record.id, created);
        return created;
      }
      if (existing.record !== record) {
        existing.update(record, targets);
      }
      return existing;
    });
    for (const id of this.actorNodes.keys()) {
      if (!index.actors.some((actor) => actor.id === id)) {
        this.actorNodes.delete(id);
      }
    }
    this.indexed.fire(index);
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

  /** The actor's node, if the tree has shown it. */
  actorNode(actorId: string): ActorNode | undefined {
    return this.actorNodes.get(actorId);
  }

  /** Re-reads the given actors (or everything) and redraws only those nodes. */
  async refresh(actorIds?: Iterable<string>): Promise<void> {
    const ids = actorIds ? [...actorIds] : undefined;
    if (!ids || ids.some((id) => !this.actorNodes.has(id))) {
      // Unknown actors (added or removed) change the root level itself.
      this.workspace.invalidate();
      this.changed.fire(undefined);
      return;
    }
    this.logger.trace(`refreshing ${ids.join(', ')}`);
    ids.forEach((id) => this.workspace.invalidate(id));
    const index = await this.workspace.index();
    const targets = this.workspace.targets;
    for (const id of ids) {
      const node = this.actorNodes.get(id);
      const record = index?.actors.find((actor) => actor.id === id);
      if (!node || !record) {
        this.changed.fire(undefined);
        return;
      }
      node.update(record, targets);
      this.changed.fire(node);
    }
    if (index) {
      this.indexed.fire(index);
    }
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
