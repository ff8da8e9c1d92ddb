// From an actor's record and its latest plan to what the gallery shows. Pure (unit-tested); no
// `vscode` import.
import type { CategoryTargets } from '../../core/actors/targets';
import type { ActorImage, ActorRecord } from '../../core/actors/types';
import { imageCaption } from '../../core/captions/imageCaption';
import { CATEGORIES, CATEGORY_LABELS, isTrainingCategory } from '../../core/manifest/categories';
import { currentEvaluation } from '../../core/manifest/manifestSchema';
import { needsReview } from '../../core/tracking/review';
import type { CategoryCount, GalleryImage, GalleryView, PlanMark } from './protocol';

/** The part of the latest plan the gallery marks images with. */
export interface PlanMarks {
  state: GalleryView['planState'];
  /** Images the plan deletes, with its reason. */
  deletions?: ReadonlyMap<string, string>;
  /** Files the plan was made from (absent: a plan from before it recorded them; nothing is marked new). */
  seen?: Readonly<Record<string, string>>;
}

export const NO_PLAN: PlanMarks = { state: 'none' };

/** The actor's training images as tiles (in the tree's order), with the counts against the targets. */
export function buildGalleryView(actor: ActorRecord, targets: CategoryTargets, identityThreshold: number, plan: PlanMarks = NO_PLAN): GalleryView {
  const descriptor = actor.info.descriptor;
  const images = actor.images.map((image) => galleryImage(image, descriptor, plan));
  const counts: CategoryCount[] = CATEGORIES.filter((category) => isTrainingCategory(category) || actor.counts.unknown > 0).map((category) => ({
    category,
    label: CATEGORY_LABELS[category],
    count: actor.counts[category],
    ...(isTrainingCategory(category) ? { target: targets[category] } : {}),
  }));
  return {
    actorId: actor.id,
    ...(actor.baseImage ? { baseImage: actor.baseImage.filename } : {}),
    images,
    counts,
    total: actor.total,
    target: targets.photorealistic + targets.bw_stylized + targets.color_stylized,
    identityThreshold,
    planState: plan.state,
  };
}

function galleryImage(image: ActorImage, descriptor: string, plan: PlanMarks): GalleryImage {
  const entry = image.entry;
  const evaluation = entry ? currentEvaluation(entry) : undefined;
  const mark = planMark(image, plan);
  const rating = entry?.rating?.stars;
  return {
    filename: image.filename,
    ...(image.number !== undefined ? { number: image.number } : {}),
    category: image.category,
    categoryLabel: CATEGORY_LABELS[image.category],
    // An entry without a source predates it: its category came from its generation (see CATEGORY_SOURCES).
    ...(image.tracked ? { categorySource: entry?.category_source ?? 'prompt' } : {}),
    tracked: image.tracked,
    missing: image.missing,
    issues: [...(evaluation?.issues ?? [])],
    needsReview: image.tracked && !image.missing && needsReview(entry),
    ...(typeof evaluation?.identity_distance === 'number' ? { identityDistance: evaluation.identity_distance } : {}),
    ...(typeof evaluation?.centroid_distance === 'number' ? { centroidDistance: evaluation.centroid_distance } : {}),
    ...(typeof rating === 'number' ? { rating } : {}),
    ...(mark ? { plan: mark } : {}),
    ...(mark === 'delete' ? { planReason: plan.deletions?.get(image.filename) } : {}),
    caption: imageCaption(image, descriptor),
    ...(entry?.prompt_id ? { promptId: entry.prompt_id } : {}),
    ...(entry?.created_at ? { createdAt: entry.created_at } : {}),
  };
}

/** As Plan Review has it: in the plan's deletions, or on disk and not among the files the plan saw. */
function planMark(image: ActorImage, plan: PlanMarks): PlanMark | undefined {
  if (plan.deletions?.has(image.filename)) {
    return 'delete';
  }
  return plan.seen && !image.missing && !(image.filename in plan.seen) ? 'new' : undefined;
}
