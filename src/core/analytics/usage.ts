import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { leastUsed, usageForPrompts, type PromptUsageCounts } from '../prompts/usage';
import type { LibraryPrompt } from '../prompts/types';
import type { UsageStats } from './types';

/** How many least-used prompts to suggest per category (as `actor-studio prompts` does). */
export const SUGGESTIONS_PER_CATEGORY = 3;

/** Prompt usage in scope (one actor, or all), built on the prompt library's own counting. */
export function usageStats(prompts: readonly LibraryPrompt[], counts: PromptUsageCounts, actorId?: string): UsageStats {
  const usage = usageForPrompts(prompts, counts, actorId);
  const byActorFor = (promptId: string) =>
    Object.fromEntries([...counts.byActor].flatMap(([actor, uses]) => ((uses.get(promptId) ?? 0) > 0 ? [[actor, uses.get(promptId)!]] : [])));
  const rows = prompts.map((prompt, position) => ({
    id: prompt.id,
    label: prompt.label,
    category: prompt.category,
    used: usage[position].actorCount,
    total: usage[position].totalCount,
    by_actor: byActorFor(prompt.id),
  }));
  const libraryIds = new Set(prompts.map((prompt) => prompt.id));
  const inScope = actorId === undefined ? counts.overall : (counts.byActor.get(actorId) ?? new Map<string, number>());
  return {
    prompts: rows,
    unused: rows.filter((row) => row.used === 0).map((row) => row.id),
    least_used: Object.fromEntries(
      TRAINING_CATEGORIES.map((category) => [category, leastUsed(prompts, usage, category, SUGGESTIONS_PER_CATEGORY).map((prompt) => prompt.id)]),
    ) as Record<TrainingCategory, string[]>,
    unlisted: Object.fromEntries([...inScope].filter(([id]) => !libraryIds.has(id))),
  };
}
