import * as vscode from 'vscode';
import type { ActorImage } from '../core/actors/types';
import { CommandContext, requireTrust, resolveActors } from './commandContext';
import { ImageTarget, imageTargetsOf, isImageTarget } from './imageTargets';

export interface KeepImageResult {
  kept: ImageTarget[];
  failed: Array<ImageTarget & { reason: string }>;
}

/**
 * Actor Studio: Keep Image (Reviewed). Records "keep" on images that need a person's review (a face
 * the checks could not score): they stop showing as needing review, stay in the set and are
 * exported. From an image's context menu (every selected image), from the palette (an actor, then
 * one of its images that need review), or programmatically:
 * `executeCommand('actorStudio.keepImage', { actorId, filename })`. Resolves to what was kept, or
 * undefined when the user cancelled. Deleting instead is Delete Image (to the trash).
 */
export function keepImage(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[]): Promise<KeepImageResult | undefined> => {
    if (!requireTrust('keeping images')) {
      return undefined;
    }
    const dataRoot = context.workspace.dataRoot;
    const targets = await resolveTargets(context, node, nodes);
    if (!dataRoot || !targets || targets.length === 0) {
      return undefined;
    }
    const { keepOnReview } = await import('../core/tracking/review');
    const result: KeepImageResult = { kept: [], failed: [] };
    for (const target of targets) {
      try {
        await keepOnReview(dataRoot, target);
        result.kept.push(target);
      } catch (error) {
        context.logger.warn(`keeping ${target.actorId}/${target.filename}: ${(error as Error).message}`);
        result.failed.push({ ...target, reason: (error as Error).message });
      }
    }
    await context.tree.refresh(new Set(targets.map((target) => target.actorId)));
    if (result.kept.length > 0) {
      vscode.window.setStatusBarMessage(`$(check) Actor Studio: kept ${describe(result.kept)} (reviewed)`, 4000);
    }
    if (result.failed.length > 0) {
      void vscode.window.showErrorMessage(`Actor Studio: could not keep ${describe(result.failed)}: ${result.failed[0].reason}`);
    }
    return result;
  };
}

/** The clicked or selected images, an ImageTarget, else an actor and one of its images that need review. */
async function resolveTargets(context: CommandContext, node: unknown, nodes: readonly unknown[] | undefined): Promise<ImageTarget[] | undefined> {
  const selected = imageTargetsOf(nodes && nodes.length > 0 ? nodes : node ? [node] : []);
  if (selected.length > 0) {
    return selected;
  }
  if (isImageTarget(node)) {
    return [{ actorId: node.actorId, filename: node.filename }];
  }
  const [actor] = (await resolveActors(context)) ?? [];
  if (!actor) {
    return undefined;
  }
  const { needsReview, reviewReason } = await import('../core/tracking/review');
  const waiting = actor.images.filter((image) => image.tracked && !image.missing && needsReview(image.entry));
  if (waiting.length === 0) {
    void vscode.window.showInformationMessage(`Actor Studio: no image of ${actor.id} needs review.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    waiting.map((image: ActorImage) => ({ label: image.filename, description: 'needs review', detail: reviewReason(image.entry), image })),
    { placeHolder: `Keep which images of ${actor.id}? (they need review)`, canPickMany: true, matchOnDetail: true },
  );
  return picked && picked.length > 0 ? picked.map((each) => ({ actorId: actor.id, filename: each.image.filename })) : undefined;
}

function describe(targets: ImageTarget[]): string {
  return targets.length === 1 ? targets[0].filename : `${targets.length} images`;
}
