import { ActorNode, StudioNode } from '../providers/actorsTree/nodes';
import { AnalyticsPanel } from '../webviews/analytics/analyticsPanel';
import type { CommandContext } from './commandContext';

/**
 * Opens the Analytics panel: for all actors from the palette or the Actors view's `...` menu,
 * on one actor when called with its node or id. Reading only, so Restricted Mode allows it.
 */
export function openAnalytics(context: CommandContext) {
  return async (node?: StudioNode | string): Promise<void> => {
    const actorId = node instanceof ActorNode ? node.actorId : typeof node === 'string' ? node : undefined;
    AnalyticsPanel.show(context.extensionUri, context.analyticsModel, context.logger, actorId);
  };
}
