import { CategoryCounts, CategoryTargets } from '../../core/actors/targets';
import type { ActorRecord } from '../../core/actors/types';
import type { PlanState } from '../../core/plan/planFiles';
import type { ImageEntry } from '../../core/manifest/manifestSchema';
import { countNeedingReview } from '../../core/tracking/review';

/** `18/20 · 12·4·2`, plus what else the user should notice at a glance. */
export function actorDescription(actor: ActorRecord, targets: CategoryTargets, plan?: PlanState): string {
  if (actor.manifestState === 'invalid') {
    return 'manifest invalid';
  }
  const goal = targets.photorealistic + targets.bw_stylized + targets.color_stylized;
  const split = `${actor.counts.photorealistic}·${actor.counts.bw_stylized}·${actor.counts.color_stylized}`;
  const parts = [`${actor.total}/${goal}`, split];
  if (actor.counts.unknown > 0) {
    parts.push(`${actor.counts.unknown} unclassified`);
  }
  if (actor.manifestState === 'missing') {
    parts.push('no manifest');
  }
  const waiting = reviewCount(actor);
  if (waiting > 0) {
    parts.push(`${waiting} need${waiting === 1 ? 's' : ''} review`);
  }
  if (plan) {
    parts.push(plan.stale ? 'plan stale' : `plan -${plan.deletions} +${plan.generations}`);
  }
  return parts.join(' · ');
}

/** Images of the actor (on disk, in the manifest) that need a person's review: Keep Image or Delete Image. */
export function reviewCount(actor: ActorRecord): number {
  return countNeedingReview(actor.images);
}

/** `face distance to the base image 0.31 · to the set 0.28`; undefined when neither was measured. */
export function faceDistances(
  evaluation: Pick<NonNullable<ImageEntry['evaluation']>, 'identity_distance' | 'centroid_distance'> | undefined,
): string | undefined {
  const base = evaluation?.identity_distance;
  const set = evaluation?.centroid_distance;
  const parts = [
    typeof base === 'number' ? `to the base image ${base.toFixed(2)}` : undefined,
    typeof set === 'number' ? `to the set ${set.toFixed(2)}` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? `face distance ${parts.join(' · ')}` : undefined;
}

export function countsTable(counts: CategoryCounts, targets: CategoryTargets): string {
  return [
    '| Category | Have | Target |',
    '| --- | ---: | ---: |',
    `| Photorealistic | ${counts.photorealistic} | ${targets.photorealistic} |`,
    `| B&W stylized | ${counts.bw_stylized} | ${targets.bw_stylized} |`,
    `| Colour stylized | ${counts.color_stylized} | ${targets.color_stylized} |`,
    ...(counts.unknown > 0 ? [`| Unclassified | ${counts.unknown} | |`] : []),
  ].join('\n');
}

/** Markdown-escapes text from files (prompts, feedback) so it shows as written and runs nothing. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (char) => `\\${char}`);
}
