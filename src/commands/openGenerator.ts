import { ActorNode, StudioNode } from '../providers/actorsTree/nodes';
import { GeneratorPanel } from '../webviews/generator/generatorPanel';
import { CommandContext, requireTrust } from './commandContext';

/**
 * Opens the Generator panel, on the clicked actor when there is one. From the palette it opens
 * on the last actor used (the panel has its own actor picker).
 */
export function openGenerator(context: CommandContext) {
  return async (node?: StudioNode | string): Promise<void> => {
    if (!requireTrust('generating images')) {
      return;
    }
    const actorId = node instanceof ActorNode ? node.actorId : typeof node === 'string' ? node : undefined;
    GeneratorPanel.show(context.extensionUri, context.generatorModel, actorId, context.logger);
  };
}
