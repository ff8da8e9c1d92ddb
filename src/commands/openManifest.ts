import * as vscode from 'vscode';
import { CommandContext, NodeCommandHandler, resolveActors } from './commandContext';

/** Opens the manifest of each chosen actor in an editor (hand edits are welcome; they are validated). */
export function openManifest(context: CommandContext): NodeCommandHandler {
  return async (node, nodes) => {
    const actors = await resolveActors(context, node, nodes);
    for (const actor of actors ?? []) {
      if (actor.manifestState === 'missing') {
        void vscode.window.showInformationMessage(`Actor Studio: ${actor.id} has no manifest yet; its images are listed as untracked.`);
        continue;
      }
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(actor.manifestPath));
      await vscode.window.showTextDocument(document, { preview: actors!.length === 1 });
    }
  };
}
