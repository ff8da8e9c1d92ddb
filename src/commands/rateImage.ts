import * as vscode from 'vscode';
import type { Rating } from '../core/tracking/ratings';
import { CommandContext, requireTrust } from './commandContext';
import { ImageTarget, imageTargetsOf, resolveImages } from './imageTargets';

/**
 * What Rate Image takes besides its targets. Keybindings pass it as their only argument (`1`..`5`
 * pass `stars`; the quick-pick key passes `{}`), and then the Actors view's selection is rated.
 * With `stars` (or `clear`) no quick pick is shown; with `feedback` no input box.
 */
export interface RateImageOptions {
  stars?: number;
  feedback?: string;
  clear?: boolean;
}

export interface RateImageResult {
  rated: Array<ImageTarget & { rating: Rating | null }>;
  failed: Array<ImageTarget & { reason: string }>;
}

type Choice = { stars: number; feedback?: string } | { clear: true };

function isOptions(value: unknown): value is RateImageOptions {
  return typeof value === 'object' && value !== null && !('actorId' in value) && !('getTreeItem' in value);
}

/**
 * Actor Studio: Rate Image. From an image's context menu (every selected image), from the palette
 * (an actor, then an image), from keys in the Actors view, or programmatically:
 * `executeCommand('actorStudio.rateImage', { actorId, filename }, undefined, { stars: 4, feedback })`.
 * Resolves to what was rated, or undefined when the user cancelled.
 */
export function rateImage(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[], options?: RateImageOptions): Promise<RateImageResult | undefined> => {
    if (!requireTrust('rating images')) {
      return undefined;
    }
    const fromKeybinding = isOptions(node);
    const given = options ?? (fromKeybinding ? node : {});
    const dataRoot = context.workspace.dataRoot;
    if (fromKeybinding && given.stars !== undefined && (context.actorsSelection?.().length ?? 0) <= 1) {
      // The digits act on the focused row (their when clause: a leaf of the Actors view). Arrow keys
      // move the focus, not the selection, and a click may not have reached this host yet: select
      // the focused row first (as Enter does); its selection event arrives before this returns.
      // A deliberate multi-selection stays as it is. (Not before Ctrl+Alt+R's quick pick: the
      // preview that selecting opens would close it.)
      await vscode.commands.executeCommand('list.select');
    }
    const targets = fromKeybinding ? imageTargetsOf(context.actorsSelection?.() ?? []) : await resolveImages(context, node, nodes);
    if (fromKeybinding && targets?.length === 0) {
      vscode.window.setStatusBarMessage('Actor Studio: only training images are rated (not the base image or a problem).', 4000);
    }
    if (!dataRoot || !targets || targets.length === 0) {
      return undefined;
    }
    const choice = await choose(context, targets, given);
    if (!choice) {
      return undefined;
    }
    const result = await apply(dataRoot, targets, choice, context);
    await context.tree.refresh(new Set(targets.map((target) => target.actorId)));
    report(result, choice);
    return result;
  };
}

/** Stars from the options or a quick pick (current rating marked), then optional feedback. */
async function choose(context: CommandContext, targets: ImageTarget[], given: RateImageOptions): Promise<Choice | undefined> {
  if (given.clear) {
    return { clear: true };
  }
  const current = await currentRatings(context, targets);
  let stars = given.stars;
  if (stars === undefined) {
    const picked = await pickStars(targets, current);
    if (!picked || 'clear' in picked) {
      return picked;
    }
    stars = picked.stars;
  }
  if (given.feedback !== undefined || given.stars !== undefined) {
    // A key or a script rates at once; an omitted feedback keeps what each image had.
    return { stars, feedback: given.feedback };
  }
  const feedbacks = new Set(current.map((rating) => rating?.feedback ?? ''));
  const shared = feedbacks.size === 1 ? [...feedbacks][0] : undefined;
  const typed = await vscode.window.showInputBox({
    title: `Feedback on ${describe(targets)} (optional)`,
    prompt:
      shared === undefined
        ? "Leave empty to keep each image's own feedback. Escape cancels the rating."
        : 'Empty removes the feedback. Escape cancels the rating.',
    value: shared ?? '',
    placeHolder: 'What is good or wrong with it?',
  });
  if (typed === undefined) {
    return undefined;
  }
  return { stars, feedback: shared === undefined && typed === '' ? undefined : typed };
}

async function pickStars(targets: ImageTarget[], current: Array<Rating | undefined>): Promise<Choice | undefined> {
  const { stars } = await import('../core/tracking/ratings');
  const shared = new Set(current.map((rating) => rating?.stars)).size === 1 ? current[0]?.stars : undefined;
  type Item = vscode.QuickPickItem & { choice: Choice };
  const items: Item[] = [5, 4, 3, 2, 1].map((count) => ({
    label: stars(count),
    description: `${count} star${count === 1 ? '' : 's'}${count === shared ? ' (current)' : ''}`,
    choice: { stars: count },
  }));
  if (current.some(Boolean)) {
    items.push({ label: '$(close) Clear rating', description: 'remove the rating from the manifest', choice: { clear: true } });
  }
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = `Rate ${describe(targets)}`;
  pick.placeholder = 'How good is it as a training image? (1-5 keys in the Actors view rate at once)';
  pick.items = items;
  const active = items.find((item) => 'stars' in item.choice && item.choice.stars === shared);
  if (active) {
    pick.activeItems = [active];
  }
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.choice);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** Each target's rating now, from the index (undefined for an unrated or unknown image). */
async function currentRatings(context: CommandContext, targets: ImageTarget[]): Promise<Array<Rating | undefined>> {
  const actors = await context.workspace.actors();
  return targets.map((target) => {
    const record = actors?.actor(target.actorId);
    return record?.images.find((image) => image.filename === target.filename)?.entry?.rating ?? undefined;
  });
}

async function apply(dataRoot: string, targets: ImageTarget[], choice: Choice, context: CommandContext): Promise<RateImageResult> {
  const ratings = await import('../core/tracking/ratings');
  const result: RateImageResult = { rated: [], failed: [] };
  for (const target of targets) {
    try {
      const outcome = 'clear' in choice ? await ratings.clearRating(dataRoot, target) : await ratings.rateImage(dataRoot, { ...target, ...choice });
      if (outcome.logWarning) {
        context.logger.warn(outcome.logWarning);
        void vscode.window.showWarningMessage(`Actor Studio: ${outcome.logWarning}`);
      }
      result.rated.push({ ...target, rating: 'rating' in outcome ? outcome.rating : null });
    } catch (error) {
      context.logger.warn(`rating ${target.actorId}/${target.filename}: ${(error as Error).message}`);
      result.failed.push({ ...target, reason: (error as Error).message });
    }
  }
  return result;
}

function report(result: RateImageResult, choice: Choice): void {
  if (result.rated.length > 0) {
    const what = 'clear' in choice ? 'rating cleared on' : `${'★'.repeat(choice.stars)} for`;
    vscode.window.setStatusBarMessage(`$(star-full) Actor Studio: ${what} ${describe(result.rated)}`, 4000);
  }
  if (result.failed.length > 0) {
    void vscode.window.showErrorMessage(`Actor Studio: could not rate ${describe(result.failed)}: ${result.failed[0].reason}`);
  }
}

function describe(targets: ImageTarget[]): string {
  return targets.length === 1 ? targets[0].filename : `${targets.length} images`;
}
