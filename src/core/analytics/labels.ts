// Pure (no Node APIs): the CLI and the Analytics panel's page word the numbers alike.
import { CATEGORY_LABELS, TRAINING_CATEGORIES } from '../manifest/categories';
import type { ActorBalance } from './types';

/** `+11 Photorealistic, -1 B&W stylized, 1 unclassified`: what an actor needs to reach its target. */
export function workSummary(actor: ActorBalance): string {
  const parts = TRAINING_CATEGORIES.flatMap((category) => [
    ...(actor.missing[category] > 0 ? [`+${actor.missing[category]} ${CATEGORY_LABELS[category]}`] : []),
    ...(actor.over[category] > 0 ? [`-${actor.over[category]} ${CATEGORY_LABELS[category]}`] : []),
  ]);
  if (actor.counts.unknown > 0) {
    parts.push(`${actor.counts.unknown} unclassified`);
  }
  return parts.join(', ') || 'balanced';
}
