import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { categoryTargets, type CategoryCounts, type CategoryTargets, type TargetSettings } from '../plan/targets';
import type { DataIndex, ManifestState } from '../workspace/types';

export interface ActorBalance {
  actor_id: string;
  manifest: ManifestState;
  /** Images on disk per category (unknown: not classified yet). */
  counts: CategoryCounts;
  total: number;
  /** Images still to make per category to reach its target. */
  missing: Record<TrainingCategory, number>;
  /** Images above the category's target. */
  over: Record<TrainingCategory, number>;
  /** missing + over + unclassified: how far the actor is from a finished set. */
  work: number;
}

export interface BalanceStats {
  target: { total: number; shares: Record<TrainingCategory, number>; per_category: CategoryTargets };
  /** Every actor in scope, most work first (ties by id). */
  actors: ActorBalance[];
  /** Ids of the actors with work left, in the same order. */
  need_work: string[];
}

const perCategory = (value: (category: TrainingCategory) => number) =>
  Object.fromEntries(TRAINING_CATEGORIES.map((category) => [category, value(category)])) as Record<TrainingCategory, number>;

/** Each actor's counts per category against the targets the planner uses. */
export function balanceStats(index: DataIndex, target: TargetSettings, actorId?: string): BalanceStats {
  const targets = categoryTargets(target);
  const actors = index.actors
    .filter((actor) => actorId === undefined || actor.id === actorId)
    .map((actor) => {
      const missing = perCategory((category) => Math.max(0, targets[category] - actor.counts[category]));
      const over = perCategory((category) => Math.max(0, actor.counts[category] - targets[category]));
      const sum = (values: Record<TrainingCategory, number>) => TRAINING_CATEGORIES.reduce((total, category) => total + values[category], 0);
      return {
        actor_id: actor.id,
        manifest: actor.manifestState,
        counts: { ...actor.counts },
        total: actor.total,
        missing,
        over,
        work: sum(missing) + sum(over) + actor.counts.unknown,
      };
    })
    .sort((a, b) => b.work - a.work || a.actor_id.localeCompare(b.actor_id));
  return {
    target: { total: target.total, shares: { ...target.shares }, per_category: targets },
    actors,
    need_work: actors.filter((actor) => actor.work > 0).map((actor) => actor.actor_id),
  };
}
