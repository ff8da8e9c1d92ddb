import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { ExecutionController } from '../editor/executionController';
import type { GenerationController } from '../editor/generationController';
import type { PlanningController } from '../editor/planningController';
import type { Secrets } from '../editor/secrets';
import type { StudioWorkspace } from '../editor/studioWorkspace';
import type { GeneratorPanelModel } from '../webviews/generator/model';
import type { PlanReviewModel } from '../webviews/planReview/model';
import type { AnalyticsModel } from '../webviews/analytics/model';
import type { ImageViewerModel } from '../webviews/imageViewer/model';
import type { GalleryModel } from '../webviews/gallery/model';
import type { ActorsTreeProvider } from '../providers/actorsTree/actorsTreeProvider';
import { ActorNode, StudioNode } from '../providers/actorsTree/nodes';
import type { ActorRecord } from '../core/actors/types';

/** What command handlers get: the services built once in activate(). */
export interface CommandContext {
  extensionUri: vscode.Uri;
  workspace: StudioWorkspace;
  tree: ActorsTreeProvider;
  logger: Logger;
  secrets: Secrets;
  generation: GenerationController;
  generatorModel: GeneratorPanelModel;
  planning: PlanningController;
  planReviewModel: PlanReviewModel;
  execution: ExecutionController;
  analyticsModel: AnalyticsModel;
  imageViewerModel: ImageViewerModel;
  galleryModel: GalleryModel;
  /** Shows the Actor Studio output channel (the log). */
  showLog(): void;
  /** The Actors view's selection (keybindings pass no node: image commands rate what is selected). */
  actorsSelection?: () => readonly StudioNode[];
}

/** Handlers take the clicked node and the multi-selection, like every tree command. */
export type NodeCommandHandler = (node?: StudioNode, nodes?: StudioNode[]) => Promise<unknown>;

/**
 * The actors a command applies to: the multi-selection, else the clicked node's actor, else one
 * chosen from a quick pick (the palette). Undefined when the user cancels or there are none.
 */
export async function resolveActors(context: CommandContext, node?: StudioNode, nodes?: StudioNode[]): Promise<ActorRecord[] | undefined> {
  const selected = (nodes && nodes.length > 0 ? nodes : node ? [node] : []).filter((each): each is ActorNode => each instanceof ActorNode);
  const actors = await context.workspace.actors();
  if (selected.length > 0 && actors) {
    return selected.map((each) => each.record ?? actors.actor(each.actorId));
  }
  const index = await context.workspace.index();
  if (!index?.exists || index.actors.length === 0) {
    void vscode.window.showInformationMessage('Actor Studio: there are no actors in this workspace yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    index.actors.map((actor) => ({ label: actor.id, description: actor.info.displayName, actor })),
    { placeHolder: 'Choose an actor', matchOnDescription: true },
  );
  return picked ? [picked.actor] : undefined;
}

/**
 * Mutating commands are disabled in Restricted Mode (package.json `when` clauses); this guard
 * covers calls that arrive anyway (keybindings, other extensions, links in welcome views). It
 * does not wait for the notification, so the refused command returns at once.
 */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) {
    return true;
  }
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(`Actor Studio: ${action} changes files, which is disabled in Restricted Mode. Trust this folder to continue.`, manage)
    .then((choice) => choice === manage && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
