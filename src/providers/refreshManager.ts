import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { isInside } from '../core/workspace/guards';
import { ACTORS_DIR } from '../core/workspace/layout';
import type { StudioWorkspace } from '../editor/studioWorkspace';
import type { ActorsTreeProvider } from './actorsTree/actorsTreeProvider';

/** Long enough to fold a burst of writes (a save is temp file + rename + lock) into one refresh. */
const DEBOUNCE_MS = 300;

/**
 * Watches the data folder and refreshes the tree, debounced: a change inside one actor re-reads
 * that actor; anything else (actors added or removed, the folder itself) re-reads everything.
 */
export class RefreshManager implements vscode.Disposable {
  private watcher?: vscode.FileSystemWatcher;
  private timer?: NodeJS.Timeout;
  private pendingActors = new Set<string>();
  private pendingAll = false;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly tree: ActorsTreeProvider,
    private readonly logger: Logger,
  ) {
    this.subscription = workspace.onDidChange(() => {
      this.watch();
      this.schedule(undefined);
    });
    this.watch();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.dispose();
    this.subscription.dispose();
  }

  private watch(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const { folder, dataRoot } = this.workspace;
    if (!folder || !dataRoot) {
      return;
    }
    // Relative to the workspace folder when possible: that watch exists even before the data folder does.
    const pattern = isInside(folder.uri.fsPath, dataRoot)
      ? new vscode.RelativePattern(folder, `${path.relative(folder.uri.fsPath, dataRoot).split(path.sep).join('/') || '.'}/**`)
      : new vscode.RelativePattern(vscode.Uri.file(dataRoot), '**');
    this.watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const onEvent = (uri: vscode.Uri): void => this.schedule(this.actorOf(dataRoot, uri.fsPath));
    this.watcher.onDidCreate(onEvent);
    this.watcher.onDidChange(onEvent);
    this.watcher.onDidDelete(onEvent);
  }

  /** The actor a path belongs to, or undefined when the change affects the actor list itself. */
  private actorOf(dataRoot: string, file: string): string | null | undefined {
    const parts = path.relative(dataRoot, file).split(path.sep);
    const name = parts[parts.length - 1];
    if (name.endsWith('.tmp') || name.endsWith('.lock') || name.endsWith('.stale')) {
      return null; // our own transient files: the rename that follows is the real change
    }
    return parts[0] === ACTORS_DIR && parts.length > 2 ? parts[1] : undefined;
  }

  private schedule(actorId: string | null | undefined): void {
    if (actorId === null) {
      return;
    }
    if (actorId === undefined) {
      this.pendingAll = true;
    } else {
      this.pendingActors.add(actorId);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    const all = this.pendingAll;
    const actors = this.pendingActors;
    this.pendingAll = false;
    this.pendingActors = new Set();
    this.tree.refresh(all ? undefined : actors).catch((error) => this.logger.error(error));
  }
}
