import * as vscode from 'vscode';
import type { DataIndex } from '../../core/workspace/types';
import { actorUri } from './uris';

/**
 * Badges for the Actors tree: problems on actors (their own URI scheme, so only our tree shows
 * them) and untracked or missing state on image files.
 */
export class ActorsDecorationProvider implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private decorations = new Map<string, vscode.FileDecoration>();

  update(index: DataIndex): void {
    const next = new Map<string, vscode.FileDecoration>();
    for (const actor of index.actors) {
      const errors = actor.problems.filter((problem) => problem.severity === 'error').length;
      const warnings = actor.problems.filter((problem) => problem.severity === 'warning').length;
      if (errors > 0) {
        next.set(actorUri(actor.id).toString(), new vscode.FileDecoration('!', `${errors} error(s)`, new vscode.ThemeColor('list.errorForeground')));
      } else if (warnings > 0) {
        next.set(actorUri(actor.id).toString(), new vscode.FileDecoration(String(Math.min(warnings, 99)), `${warnings} warning(s)`, new vscode.ThemeColor('list.warningForeground')));
      }
      for (const image of actor.images) {
        if (image.missing) {
          next.set(vscode.Uri.file(image.path).toString(), new vscode.FileDecoration('!', 'In the manifest but missing on disk', new vscode.ThemeColor('list.warningForeground')));
        } else if (!image.tracked) {
          next.set(vscode.Uri.file(image.path).toString(), new vscode.FileDecoration('?', 'Untracked: not in the manifest', new vscode.ThemeColor('descriptionForeground')));
        }
      }
    }
    const touched = new Set([...this.decorations.keys(), ...next.keys()]);
    const changedUris = [...touched].filter((key) => !sameDecoration(this.decorations.get(key), next.get(key))).map((key) => vscode.Uri.parse(key));
    this.decorations = next;
    if (changedUris.length > 0) {
      this.changed.fire(changedUris);
    }
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return this.decorations.get(uri.toString());
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function sameDecoration(a: vscode.FileDecoration | undefined, b: vscode.FileDecoration | undefined): boolean {
  return a?.badge === b?.badge && a?.tooltip === b?.tooltip;
}
