import type { TrainingCategory } from '../manifest/categories';
import { promptMetadataSchema } from '../manifest/dataFileSchemas';
import { actorPaths } from '../workspace/layout';
import type { ActorRecord, DataIndex } from '../actors/types';
import type { DataProblem } from '../workspace/problems';
import { readOptionalJson } from '../manifest/optionalJsonFile';
export { usageBadge } from './badges';
import { customPromptId, normalisePromptText, PromptTextMatcher, tidyPromptText } from './promptText';
import type { LibraryPrompt, PromptUsage } from './types';

/** How often each prompt id was used, overall and per actor. Ids not in the library count too. */
export interface PromptUsageCounts {
  overall: Map<string, number>;
  byActor: Map<string, Map<string, number>>;
  /** Per actor, the texts that match no library prompt: its custom prompts, most used first. */
  customByActor: Map<string, CustomPromptUsage[]>;
  /** Unreadable legacy prompt_metadata.json files; those actors count as unused. */
  problems: DataProblem[];
}

/** A prompt text outside the library and how often it was used (for one actor, or overall). */
export interface CustomPromptUsage {
  /** customPromptId of the text: the same for every spelling that normalises alike. */
  id: string;
  /** As first recorded, whitespace tidied. */
  text: string;
  count: number;
  /** Actors that used it (one, for an actor's own list). */
  actors: number;
}

/**
 * Counts prompt usage from the manifests: an image's `prompt_id`, or, for entries without one,
 * its prompt text matched to a library prompt (see PromptTextMatcher: normalised whitespace, case
 * and ends, any descriptor in the slot). Actors without a manifest (the old tool's folders) are
 * counted from prompt_metadata.json by the same match. Texts that match nothing are the actor's
 * custom prompts. Actors whose manifest is invalid count as unused: their problems are the index's.
 */
export async function countPromptUsage(index: DataIndex, prompts: readonly LibraryPrompt[]): Promise<PromptUsageCounts> {
  const matcher = new PromptTextMatcher(prompts);
  const counts: PromptUsageCounts = { overall: new Map(), byActor: new Map(), customByActor: new Map(), problems: [] };
  for (const actor of index.actors) {
    const descriptor = String(actor.info.descriptor);
    const forActor = new Map<string, number>();
    const custom = new Map<string, CustomPromptUsage>();
    for (const used of await promptsUsedBy(index.dataRoot, actor, counts.problems)) {
      const id = used.promptId || matcher.match(used.text, descriptor);
      if (id) {
        forActor.set(id, (forActor.get(id) ?? 0) + 1);
        counts.overall.set(id, (counts.overall.get(id) ?? 0) + 1);
      } else if (normalisePromptText(used.text) !== '') {
        const key = customPromptId(used.text);
        const known = custom.get(key) ?? { id: key, text: tidyPromptText(used.text), count: 0, actors: 1 };
        custom.set(key, { ...known, count: known.count + 1 });
      }
    }
    counts.byActor.set(actor.id, forActor);
    counts.customByActor.set(actor.id, mostUsedFirst([...custom.values()]));
  }
  return counts;
}

/** The custom prompts of one actor, or of all actors merged (counts summed, actors counted). */
export function customPrompts(counts: PromptUsageCounts, actorId?: string): CustomPromptUsage[] {
  if (actorId !== undefined) {
    return counts.customByActor.get(actorId) ?? [];
  }
  const merged = new Map<string, CustomPromptUsage>();
  for (const list of counts.customByActor.values()) {
    for (const usage of list) {
      const known = merged.get(usage.id);
      merged.set(usage.id, known ? { ...known, count: known.count + usage.count, actors: known.actors + 1 } : usage);
    }
  }
  return mostUsedFirst([...merged.values()]);
}

function mostUsedFirst(list: CustomPromptUsage[]): CustomPromptUsage[] {
  return list.sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
}

/** One row per library prompt; without an actor, the actor's count is the overall count. */
export function usageForPrompts(prompts: readonly LibraryPrompt[], counts: PromptUsageCounts, actorId?: string): PromptUsage[] {
  const forActor = actorId === undefined ? counts.overall : (counts.byActor.get(actorId) ?? new Map<string, number>());
  return prompts.map((prompt) => ({
    promptId: prompt.id,
    actorCount: forActor.get(prompt.id) ?? 0,
    totalCount: counts.overall.get(prompt.id) ?? 0,
  }));
}

/**
 * The prompts to use next: least used by this actor first (unused ones lead), then least used
 * overall, ties in library order, so the same data always gives the same picks.
 */
export function leastUsed(
  prompts: readonly LibraryPrompt[],
  usage: readonly PromptUsage[],
  category: TrainingCategory | undefined,
  count: number,
): LibraryPrompt[] {
  const byId = new Map(usage.map((row) => [row.promptId, row]));
  return prompts
    .map((prompt, order) => ({ prompt, order, actor: byId.get(prompt.id)?.actorCount ?? 0, total: byId.get(prompt.id)?.totalCount ?? 0 }))
    .filter((candidate) => category === undefined || candidate.prompt.category === category)
    .sort((a, b) => a.actor - b.actor || a.total - b.total || a.order - b.order)
    .slice(0, Math.max(0, count))
    .map((candidate) => candidate.prompt);
}

/** Each image's recorded prompt: its library id when the manifest gives one, and its text. */
async function promptsUsedBy(dataRoot: string, actor: ActorRecord, problems: DataProblem[]): Promise<Array<{ promptId?: string; text: string }>> {
  if (actor.manifestState === 'ok') {
    return actor.images.flatMap(({ entry }) =>
      entry?.prompt_id || entry?.prompt ? [{ promptId: entry.prompt_id ?? undefined, text: entry.prompt ?? '' }] : [],
    );
  }
  if (actor.manifestState === 'invalid') {
    return [];
  }
  const file = actorPaths(dataRoot, actor.id).promptMetadata;
  const legacy = await readOptionalJson(dataRoot, file, promptMetadataSchema);
  if (legacy.state === 'invalid') {
    problems.push(...legacy.problems);
    return [];
  }
  const records = legacy.state === 'ok' ? Object.values(legacy.value.images) : [];
  return records.map((record) => ({ text: record.prompt }));
}
