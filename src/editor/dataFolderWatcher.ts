import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StudioWorkspace } from './studioWorkspace';

/** Our own transient files (atomic writes, locks): the rename or removal that follows is the real change. */
function isTransient(file: string): boolean {
  const name = file.split(/[\\/]/).pop() ?? '';
  return name.endsWith('.tmp') || name.endsWith('.lock') || name.endsWith('.stale');
}

/**
 * Watches the files of the data folder that match `glob` (relative to it) and calls `onChange`
 * with each created, changed or deleted file, transient files left out. Dispose to stop.
 * Without a data folder (no workspace folder open) there is nothing to watch: undefined.
 */
export function watchDataFolder(dataRoot: string | undefined, glob: string, onChange: (file: string, dataRoot: string) => void): vscode.Disposable | undefined {
  if (!dataRoot) {
    return undefined;
  }
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dataRoot), glob));
  const onEvent = (uri: vscode.Uri) => {
    if (!isTransient(uri.fsPath)) {
      onChange(uri.fsPath, dataRoot);
    }
  };
  watcher.onDidCreate(onEvent);
  watcher.onDidChange(onEvent);
  watcher.onDidDelete(onEvent);
  return watcher;
}

/**
 * Watches each actor's training files and plan file (what a panel showing one actor follows, even
 * when the Actors view never read anything): the workspace forgets what it read of the actor, then
 * `onActor` is told. Follows no data folder when there is none.
 */
export function watchActorFiles(workspace: StudioWorkspace, onActor: (actorId: string) => void): vscode.Disposable | undefined {
  return watchDataFolder(workspace.dataRoot, '{actors/*/training_data/*,action_plans/*_action_plan.json}', (file, dataRoot) => {
    const actorId = actorOfPath(dataRoot, file);
    if (actorId) {
      workspace.invalidate(actorId);
      onActor(actorId);
    }
  });
}

/** The actor a changed file concerns: `actors/<id>/training_data/*` or `action_plans/<id>_action_plan.json`. */
export function actorOfPath(dataRoot: string, file: string): string | undefined {
  const parts = path.relative(dataRoot, file).split(path.sep);
  const name = parts[parts.length - 1] ?? '';
  if (name.endsWith('.tmp') || name.endsWith('.lock')) {
    return undefined; // transient files of atomic writes: the rename that follows is the change
  }
  if (parts[0] === 'actors' && parts.length === 4 && parts[2] === 'training_data') {
    return parts[1];
  }
  if (parts[0] === 'action_plans' && parts.length === 2 && name.endsWith('_action_plan.json')) {
    return name.slice(0, -'_action_plan.json'.length);
  }
  return undefined;
}

/**
 * watchActorFiles for a panel's model: started on the panel's first load, not at activation (a
 * watcher costs activation time, and only an open panel needs one), and restarted when the data
 * folder changes.
 */
export class LazyActorFilesWatch implements vscode.Disposable {
  private watcher?: vscode.Disposable;
  private started = false;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly onActor: (actorId: string) => void,
  ) {
    this.subscription = workspace.onDidChange(() => this.started && this.restart());
  }

  start(): void {
    if (!this.started) {
      this.started = true;
      this.restart();
    }
  }

  private restart(): void {
    this.watcher?.dispose();
    this.watcher = watchActorFiles(this.workspace, this.onActor);
  }

  dispose(): void {
    this.subscription.dispose();
    this.watcher?.dispose();
  }
}
