import * as vscode from 'vscode';
import { CATEGORY_LABELS, TRAINING_CATEGORIES, type TrainingCategory } from '../core/manifest/categories';
import { CommandContext, requireTrust } from './commandContext';
import { ImageTarget, resolveImages } from './imageTargets';

/** What Set Category takes besides its targets: with `category`, no quick pick is shown (tests, scripts). */
export interface SetCategoryOptions {
  category?: string;
}

export interface SetCategoryResult {
  category: TrainingCategory;
  set: ImageTarget[];
  failed: Array<ImageTarget & { reason: string }>;
}

/**
 * Actor Studio: Set Category. From an image's context menu (every selected image), from the
 * palette (an actor, then an image), or programmatically:
 * `executeCommand('actorStudio.setCategory', { actorId, filename }, undefined, { category: 'bw_stylized' })`.
 * The choice goes into each manifest entry as the user's (`category_source: "user"`), which
 * nothing else overwrites; the tree's category counts follow. Resolves to what was set, or
 * undefined when the user cancelled.
 */
export function setCategory(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[], options?: SetCategoryOptions): Promise<SetCategoryResult | undefined> => {
    if (!requireTrust('setting categories')) {
      return undefined;
    }
    const dataRoot = context.workspace.dataRoot;
    const targets = await resolveImages(context, node, nodes);
    if (!dataRoot || !targets || targets.length === 0) {
      return undefined;
    }
    const { parseTrainingCategory, setImageCategory } = await import('../core/tracking/categories');
    // A wrong programmatic category is an input error, reported once (reportError).
    const category = options?.category !== undefined ? parseTrainingCategory(options.category) : await pickCategory(context, targets);
    if (!category) {
      return undefined;
    }
    const result: SetCategoryResult = { category, set: [], failed: [] };
    for (const target of targets) {
      try {
        await setImageCategory(dataRoot, { ...target, category });
        result.set.push(target);
      } catch (error) {
        context.logger.warn(`setting the category of ${target.actorId}/${target.filename}: ${(error as Error).message}`);
        result.failed.push({ ...target, reason: (error as Error).message });
      }
    }
    await context.tree.refresh(new Set(targets.map((target) => target.actorId)));
    if (result.set.length > 0) {
      vscode.window.setStatusBarMessage(`$(tag) Actor Studio: ${describe(result.set)} set to ${CATEGORY_LABELS[category]}`, 4000);
    }
    if (result.failed.length > 0) {
      void vscode.window.showErrorMessage(`Actor Studio: could not set the category of ${describe(result.failed)}: ${result.failed[0].reason}`);
    }
    return result;
  };
}

/** The three categories, the targets' current one marked. */
async function pickCategory(context: CommandContext, targets: ImageTarget[]): Promise<TrainingCategory | undefined> {
  const actors = await context.workspace.actors();
  const current = new Set(
    targets.map((target) => actors?.actor(target.actorId)?.images.find((image) => image.filename === target.filename)?.category ?? 'unknown'),
  );
  const shared = current.size === 1 ? [...current][0] : undefined;
  type Item = vscode.QuickPickItem & { category: TrainingCategory };
  const items: Item[] = TRAINING_CATEGORIES.map((category) => ({
    label: CATEGORY_LABELS[category],
    description: `${category}${category === shared ? ' (current)' : ''}`,
    category,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Set the category of ${describe(targets)}`,
    placeHolder: 'Your choice is kept: evaluation and planning never change it',
  });
  return picked?.category;
}

function describe(targets: ImageTarget[]): string {
  return targets.length === 1 ? targets[0].filename : `${targets.length} images`;
}
