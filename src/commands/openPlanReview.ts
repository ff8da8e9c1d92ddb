import { ActorNode, StudioNode } from '../providers/actorsTree/nodes';
import { PlanReviewPanel } from '../webviews/planReview/planReviewPanel';
import { CommandContext, resolveActors } from './commandContext';

/**
 * Opens the Plan Review of the clicked actor (or of an id); from the palette it asks which actor.
 * Read-only, so it works in Restricted Mode (the panel disables its writing actions there).
 */
export function openPlanReview(context: CommandContext) {
  return async (node?: StudioNode | string): Promise<void> => {
    const actorId = node instanceof ActorNode ? node.actorId : typeof node === 'string' ? node : (await resolveActors(context))?.[0]?.id;
    if (actorId) {
      PlanReviewPanel.show(context.extensionUri, context.planReviewModel, actorId, context.logger);
    }
  };
}
