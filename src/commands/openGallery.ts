import { ActorNode, StudioNode } from '../providers/actorsTree/nodes';
import { GalleryPanel } from '../webviews/gallery/galleryPanel';
import { CommandContext, resolveActors } from './commandContext';

/**
 * Opens the Actor Gallery of the clicked actor (or of an id); from the palette it asks which
 * actor. Viewing works in Restricted Mode (the panel's writing actions are off there).
 */
export function openGallery(context: CommandContext) {
  return async (node?: StudioNode | string): Promise<void> => {
    const actorId = node instanceof ActorNode ? node.actorId : typeof node === 'string' ? node : (await resolveActors(context))?.[0]?.id;
    if (actorId) {
      GalleryPanel.show(context.extensionUri, context.galleryModel, actorId, context.logger);
    }
  };
}
