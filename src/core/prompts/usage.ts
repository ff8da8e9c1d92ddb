import type { TrainingCategory } from '../manifest/categories';
import { promptMetadataSchema } from '../manifest/dataFileSchemas';
import { actorPaths } from '../workspace/layout';
import type { ActorRecord, DataIndex } from '../actors/types';
import type { DataProblem } from '../workspace/problems';
import { fillPrompt } from './library';
import { readOptionalJson } from '../manifest/optionalJsonFile';
export { usageBadge } from './badges';
import type { LibraryPrompt, PromptUsage } from './types';

/** How often each prompt id was used, overall and per actor. Ids not in the library count too. */
export interface PromptUsageCounts {
  overall: Map<string, number>;
  byActor: Map<string, Map<string, number>>;
  /** Unreadable legacy prompt_metadata.json files; those actors count as unused. */
  problems: DataProblem[];
}

/**
 * Counts prompt usage from the manifests: an image's `prompt_id`, or, for entries without one,
 * prompt text equal to a library prompt filled for that actor's descriptor. Actors without a
 * manifest (the old tool's folders) are counted from prompt_metadata.json by the same text
 * match. Actors whose manifest is invalid count as unused: their problems are the index's.
 */
export async function countPromptUsage(index: DataIndex, prompts: readonly LibraryPrompt[]): Promise<PromptUsageCounts> {
  const matcher = new PromptTextMatcher(prompts);
  const counts: PromptUsageCounts = { overall: new Map(), byActor: new Map(), problems: [] };
  for (const actor of index.actors) {
    const promptIds = await promptIdsOf(index.dataRoot, actor, matcher, counts.problems);
    const forActor = new Map<string, number>();
    for (const id of promptIds) {
      forActor.set(id, (forActor.get(id) ?? 0) + 1);
      counts.overall.set(id, (counts.overall.get(id) ?? 0) + 1);
    }
    counts.byActor.set(actor.id, forActor);
  }
  return counts;
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

async function promptIdsOf(dataRoot: string, actor: ActorRecord, matcher: PromptTextMatcher, problems: DataProblem[]): Promise<string[]> {
  const descriptor = String(actor.info.descriptor);
  if (actor.manifestState === 'ok') {
    return actor.images.flatMap((image) => {
      const entry = image.entry;
      const id = entry?.prompt_id || (entry?.prompt ? matcher.match(entry.prompt, descriptor) : undefined);
      return id ? [id] : [];
    });
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
  return records.flatMap((record) => matcher.match(record.prompt, descriptor) ?? []);
}

/** Finds the library prompt a text was filled from; whitespace differences do not matter. */
class PromptTextMatcher {
  private readonly byDescriptor = new Map<string, Map<string, string>>();

  constructor(private readonly prompts: readonly LibraryPrompt[]) {}

  match(text: string, descriptor: string): string | undefined {
    let texts = this.byDescriptor.get(descriptor);
    if (!texts) {
      texts = new Map();
      for (const prompt of this.prompts) {
        const filled = normalise(fillPrompt(prompt.template, descriptor));
        if (!texts.has(filled)) {
          texts.set(filled, prompt.id); // two prompts with one text: the first in library order
        }
      }
      this.byDescriptor.set(descriptor, texts);
    }
    return texts.get(normalise(text));
  }
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
