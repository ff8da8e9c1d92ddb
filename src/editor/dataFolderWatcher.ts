import * as vscode from 'vscode';

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
