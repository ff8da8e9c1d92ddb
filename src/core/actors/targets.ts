import { Category, TRAINING_CATEGORIES, TrainingCategory } from '../manifest/categories';

export interface TargetSettings {
  total: number;
  /** Shares per category in percent (or any positive weights); normalised before use. */
  shares: Record<TrainingCategory, number>;
}

export const DEFAULT_TARGET: TargetSettings = {
  total: 20,
  shares: { photorealistic: 65, bw_stylized: 20, color_stylized: 15 },
};

export type CategoryTargets = Record<TrainingCategory, number>;

/**
 * Splits the total across categories by the largest-remainder method, so the parts always add up
 * to the total (20 at 65/20/15 gives 13/4/3). Ties go to the category listed first.
 */
export function categoryTargets(settings: TargetSettings): CategoryTargets {
  const total = Math.max(0, Math.floor(settings.total));
  const weights = TRAINING_CATEGORIES.map((category) => Math.max(0, settings.shares[category] ?? 0));
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  if (weightSum === 0) {
    return { photorealistic: 0, bw_stylized: 0, color_stylized: 0 };
  }
  const exact = weights.map((weight) => (weight / weightSum) * total);
  const floors = exact.map(Math.floor);
  let remaining = total - floors.reduce((sum, value) => sum + value, 0);
  const byRemainder = exact
    .map((value, position) => ({ position, remainder: value - floors[position] }))
    .sort((a, b) => b.remainder - a.remainder || a.position - b.position);
  for (const { position } of byRemainder) {
    if (remaining <= 0) {
      break;
    }
    floors[position] += 1;
    remaining -= 1;
  }
  const result = {} as CategoryTargets;
  TRAINING_CATEGORIES.forEach((category, position) => (result[category] = floors[position]));
  return result;
}

export type CategoryCounts = Record<Category, number>;

export function emptyCounts(): CategoryCounts {
  return { photorealistic: 0, bw_stylized: 0, color_stylized: 0, unknown: 0 };
}
