import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { categoryTargets, type TargetSettings } from '../actors/targets';
import type { DataIndex } from '../actors/types';
import type { BalanceStats } from './types';

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
