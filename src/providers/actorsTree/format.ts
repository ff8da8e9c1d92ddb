import { CategoryCounts, CategoryTargets } from '../../core/actors/targets';
import type { ActorRecord } from '../../core/actors/types';
import type { PlanState } from '../../core/plan/planFiles';

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
  if (plan) {
    parts.push(plan.stale ? 'plan stale' : `plan -${plan.deletions} +${plan.generations}`);
  }
  return parts.join(' · ');
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
