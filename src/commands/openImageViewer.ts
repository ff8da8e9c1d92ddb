import { ImageViewerPanel } from '../webviews/imageViewer/imageViewerPanel';
import { CommandContext } from './commandContext';
import { resolveImages } from './imageTargets';

/**
 * Opens the Image Viewer on the clicked image (or an { actorId, filename }); from the palette it
 * asks for an actor and then an image. Viewing works in Restricted Mode (the panel's writing
 * actions are off there).
 */
export function openImageViewer(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[]): Promise<void> => {
    // Several selected images: the one clicked is shown (the viewer shows one at a time).
    const [image] = (await resolveImages(context, node, node ? [node] : nodes)) ?? [];
    if (image) {
      ImageViewerPanel.show(context.extensionUri, context.imageViewerModel, image, context.logger);
    }
  };
}
