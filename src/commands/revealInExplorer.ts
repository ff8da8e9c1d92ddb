import * as path from 'node:path';
import * as vscode from 'vscode';
import { actorPaths, TRAINING_DIR } from '../core/workspace/layout';
import { ActorNode, CategoryNode, StudioNode } from '../providers/actorsTree/nodes';
import { CommandContext, NodeCommandHandler, resolveActors } from './commandContext';

/** Shows the clicked actor, image or group in the Explorer view. */
export function revealInExplorer(context: CommandContext): NodeCommandHandler {
  return async (node) => {
    const target = node ? uriOf(context, node) : await pickActorFolder(context);
    if (target) {
      await vscode.commands.executeCommand('revealInExplorer', target);
    }
  };
}

function uriOf(context: CommandContext, node: StudioNode): vscode.Uri | undefined {
  const dataRoot = context.workspace.dataRoot;
  if (node instanceof ActorNode) {
    return dataRoot ? vscode.Uri.file(actorPaths(dataRoot, node.actorId).dir) : undefined;
  }
  if (node instanceof CategoryNode) {
    return vscode.Uri.file(path.join(node.record.dir, TRAINING_DIR));
  }
  return node.getTreeItem().resourceUri;
}

async function pickActorFolder(context: CommandContext): Promise<vscode.Uri | undefined> {
  const [actor] = (await resolveActors(context)) ?? [];
  return actor && vscode.Uri.file(path.join(actor.dir, TRAINING_DIR));
}
