import * as vscode from 'vscode';
import { CommandContext, requireTrust } from './commandContext';
import { ImageTarget, resolveImages } from './imageTargets';

/** Says in the run journal why the images went. */
const DELETE_REASON = 'deleted by hand';

export interface DeleteImageOptions {
  /** false skips the modal confirmation (scripts and tests). */
  confirm?: boolean;
}

export interface DeleteImageResult {
  runId: string;
  moved: ImageTarget[];
  gone: ImageTarget[];
}

/**
 * Actor Studio: Delete Image (to Trash). The selected images (or an { actorId, filename }, or from
 * the palette an actor and an image) go to data/.trash/ in one run, after a modal confirmation;
 * Undo Last Execution puts them back. Their S3 objects are deleted too (undo re-uploads them). Resolves to what moved, or undefined when cancelled.
 * Programmatic: `executeCommand('actorStudio.deleteImage', target, undefined, { confirm: false })`.
 */
export function deleteImage(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[], options: DeleteImageOptions = {}): Promise<DeleteImageResult | undefined> => {
    if (!requireTrust('deleting images')) {
      return undefined;
    }
    const dataRoot = context.workspace.dataRoot;
    const images = await resolveImages(context, node, nodes);
    if (!dataRoot || !images || images.length === 0) {
      return undefined;
    }
    if (options.confirm !== false) {
      const what = images.length === 1 ? images[0].filename : `${images.length} images`;
      const confirm = 'Move to Trash';
      const answer = await vscode.window.showWarningMessage(
        `Move ${what} to the trash?`,
        { modal: true, detail: 'Each file, its manifest entry and its prompt metadata go to data/.trash/. Undo Last Execution puts them back.' },
        confirm,
      );
      if (answer !== confirm) {
        return undefined;
      }
    }
    const outcome = await context.execution.deleteImages(images, DELETE_REASON);
    if (outcome.warnings.length > 0) {
      void vscode.window.showWarningMessage(`Actor Studio: ${outcome.warnings.join('; ')}`);
    }
    await context.tree.refresh(new Set(images.map((image) => image.actorId)));
    vscode.window.setStatusBarMessage(`$(trash) Actor Studio: ${outcome.moved.length} image(s) moved to the trash`, 4000);
    return outcome;
  };
}
