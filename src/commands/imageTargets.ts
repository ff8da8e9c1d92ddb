import * as vscode from 'vscode';
import { InputError } from '../core/errors';
import { CATEGORY_LABELS } from '../core/manifest/categories';
import { PLAIN_NAME } from '../core/workspace/layout';
import type { ActorImage, ActorRecord } from '../core/actors/types';
import { ImageNode } from '../providers/actorsTree/nodes';
import { CommandContext, resolveActors } from './commandContext';

/** One image of one actor, as image commands take it (a tree node, or this from scripts and panels). */
export interface ImageTarget {
  actorId: string;
  filename: string;
}

export function isImageTarget(value: unknown): value is ImageTarget {
  const candidate = value as Partial<ImageTarget> | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.actorId === 'string' && typeof candidate.filename === 'string';
}

/** The image nodes among a click and a multi-selection (VS Code passes both; the selection wins). */
export function imageNodes(node?: unknown, nodes?: readonly unknown[]): ImageNode[] {
  const chosen = nodes && nodes.length > 0 ? nodes : node ? [node] : [];
  return chosen.filter((each): each is ImageNode => each instanceof ImageNode);
}

/** The images among tree nodes (other nodes are passed over). */
export function imageTargetsOf(nodes: readonly unknown[]): ImageTarget[] {
  return imageNodes(undefined, nodes).map((each) => ({ actorId: each.actorId, filename: each.image.filename }));
}

/** The images clicked or selected: image nodes, or ImageTargets (a panel passes `(targets[0], targets)`). */
export function chosenImageTargets(node: unknown, nodes: readonly unknown[] | undefined): ImageTarget[] {
  const chosen = nodes && nodes.length > 0 ? nodes : node ? [node] : [];
  const targets = chosen.filter(isImageTarget).map(plainTarget);
  return [...imageTargetsOf(chosen), ...targets];
}

/**
 * The images a command applies to: the image nodes clicked or selected, or ImageTargets (one in
 * `node`, or several in `nodes`, as panels pass a multi-selection), else an actor and then one of
 * its images from quick picks (the palette). Undefined when the user cancels. Targets from panels
 * and scripts name files by plain names only: anything else is refused as an input error.
 */
export async function resolveImages(context: CommandContext, node: unknown, nodes: readonly unknown[] | undefined): Promise<ImageTarget[] | undefined> {
  const selected = chosenImageTargets(node, nodes);
  if (selected.length > 0) {
    return selected;
  }
  if (isImageTarget(node)) {
    return [plainTarget(node)];
  }
  const [actor] = (await resolveActors(context)) ?? [];
  const image = actor && (await pickImage(actor));
  return image ? [image] : undefined;
}

function plainTarget(target: ImageTarget): ImageTarget {
  if (!PLAIN_NAME.test(target.actorId) || !PLAIN_NAME.test(target.filename)) {
    throw new InputError(`"${target.actorId}/${target.filename}" is not an image of the data folder (an actor id and a file name, not paths)`);
  }
  return { actorId: target.actorId, filename: target.filename };
}

/** A quick pick of the actor's images in the manifest (untracked ones have no entry to write to). */
export async function pickImage(actor: ActorRecord): Promise<ImageTarget | undefined> {
  const { stars } = await import('../core/tracking/ratings');
  const images = actor.images.filter((image) => image.tracked && !image.missing);
  if (images.length === 0) {
    void vscode.window.showInformationMessage(`Actor Studio: ${actor.id} has no images in its manifest.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    images.map((image: ActorImage) => ({
      label: image.filename,
      description: [CATEGORY_LABELS[image.category], stars(image.entry?.rating?.stars)].filter(Boolean).join(' · '),
      detail: image.entry?.prompt ?? undefined,
      image,
    })),
    { placeHolder: `Choose an image of ${actor.id}`, matchOnDescription: true },
  );
  return picked ? { actorId: actor.id, filename: picked.image.filename } : undefined;
}
