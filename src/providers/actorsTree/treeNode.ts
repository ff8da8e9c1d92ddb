import * as vscode from 'vscode';

/** Every node of the Actors tree: a stable id, its item, its children, an optional rich tooltip. */
export interface StudioNode {
  readonly id: string;
  getTreeItem(): vscode.TreeItem;
  getChildren(): StudioNode[];
  resolveTooltip?(): vscode.MarkdownString | undefined;
}

/** A node below an actor: kept while shown and brought up to date in place. */
export interface ChildNode extends StudioNode {
  /**
   * Takes the data of `next`, a freshly built node with the same id (so of the same kind), and
   * returns the nodes VS Code must redraw: none when nothing shown changed.
   */
  adopt(next: ChildNode): ChildNode[];
}

/**
 * Brings the shown nodes up to a fresh build in place: the nodes to redraw, or undefined when the
 * list itself changed (rows added, removed or moved), which only a redraw of the parent shows.
 *
 * Why not simply redraw the parent: VS Code forgets the handles of a refreshed node's children
 * until the window has fetched them again, and a context-menu command run in that gap gets
 * `undefined` instead of the row it was opened on (Set Category then asked for an actor). So
 * rating an image redraws that image's row alone.
 */
export function reconcileNodes(shown: readonly ChildNode[], next: readonly ChildNode[]): ChildNode[] | undefined {
  if (shown.length !== next.length || shown.some((node, position) => node.id !== next[position].id)) {
    return undefined;
  }
  return shown.flatMap((node, position) => node.adopt(next[position]));
}

/**
 * What a parent that took new data must redraw: undefined when it must redraw itself (its row
 * changed, or the list of its shown children did), else the shown children that look different.
 */
export function childRedraws(rowChanged: boolean, shown: readonly ChildNode[] | undefined, fresh: () => readonly ChildNode[]): ChildNode[] | undefined {
  if (rowChanged) {
    return undefined;
  }
  return shown ? reconcileNodes(shown, fresh()) : [];
}

/** Opens the file in a preview editor; the tree keeps the focus, so keys (1-5 rate) act on the selection. */
export function openCommand(uri: vscode.Uri): vscode.Command {
  return { command: 'vscode.open', title: 'Open', arguments: [uri, { preview: true, preserveFocus: true }] };
}

export function thumbnail(file: string): string {
  return `![thumbnail](${vscode.Uri.file(file).toString()}|width=240)`;
}

export function markdown(value: string): vscode.MarkdownString {
  const result = new vscode.MarkdownString(value, true);
  result.supportThemeIcons = true;
  return result;
}
