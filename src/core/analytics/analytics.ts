import type { TargetSettings } from '../actors/targets';
import { readActorPlan } from '../plan/planFiles';
import { planFileLookup } from '../plan/planStatuses';
import { loadPromptLibrary } from '../prompts/library';
import type { LibraryPrompt } from '../prompts/types';
import { countPromptUsage, type PromptUsageCounts } from '../prompts/usage';
import { readGenerationLog, type GenerationLog } from '../tracking/generationLog';
import { indexDataFolder } from '../actors/dataIndex';
import type { DataIndex } from '../actors/types';
import type { DataProblem } from '../workspace/problems';
import { balanceStats } from './balance';
import { failureStats } from './failures';
import { parameterStats, promptCorrelation, saveMethodStats } from './patterns';
import { qualityStats, ratedImages } from './quality';
import { spendStats, type PlanUsage } from './spend';
import type { Analytics } from './types';
import { usageStats } from './usage';

export type { Analytics } from './types';

/** Everything the numbers are computed from, read once. */
export interface AnalyticsInput {
  index: DataIndex;
  prompts: readonly LibraryPrompt[];
  usage: PromptUsageCounts;
  /** The live log with its archives; empty when there is none. */
  log: GenerationLog;
  plans: PlanUsage[];
  /** Files that were unreadable (manifests, prompt library, legacy metadata, plans): their numbers are missing. */
  problems: DataProblem[];
}

/**
 * Reads the data folder for analytics: actors (or the caller's index), the prompt library and
 * usage, the generation log with archives, and the vision usage recorded in plans. A missing log
 * gives empty numbers; an invalid one throws GenerationLogFileError naming the file.
 */
export async function loadAnalyticsInput(dataRoot: string, options: { index?: DataIndex } = {}): Promise<AnalyticsInput> {
  const index = options.index ?? (await indexDataFolder(dataRoot));
  const [library, log] = await Promise.all([loadPromptLibrary(dataRoot), readGenerationLog(dataRoot, { withArchives: true })]);
  const usage = await countPromptUsage(index, library.prompts);
  // Invalid manifests leave numbers incomplete: they are named with the other unreadable files.
  const invalidManifests = index.actors.flatMap((actor) =>
    actor.manifestState === 'invalid' ? actor.problems.filter((problem) => problem.severity === 'error') : [],
  );
  const problems = [...library.problems, ...usage.problems, ...invalidManifests];
  const plans: PlanUsage[] = [];
  const hasPlanFile = await planFileLookup(dataRoot);
  for (const actor of index.actors.filter((each) => hasPlanFile(each.id))) {
    const plan = await readActorPlan(dataRoot, actor.id);
    if (plan.state === 'invalid') {
      problems.push(...plan.problems);
    } else if (plan.state === 'ok' && plan.value.evaluation_usage) {
      plans.push({ actor_id: actor.id, usage: plan.value.evaluation_usage });
    }
  }
  return { index, prompts: library.prompts, usage, log, plans, problems };
}

/** Every tab's numbers, for one actor or (without `actorId`) all of them. */
export function computeAnalytics(input: AnalyticsInput, target: TargetSettings, actorId?: string): Analytics {
  const rated = ratedImages(input.index, input.log, actorId);
  return {
    actor_id: actorId ?? null,
    usage: usageStats(input.prompts, input.usage, actorId),
    quality: qualityStats(rated),
    failures: failureStats(input.log, actorId),
    balance: balanceStats(input.index, target, actorId),
    spend: spendStats(input.log, input.plans, actorId),
    save_methods: saveMethodStats(input.log, rated, actorId),
    parameters: parameterStats(input.log, rated, actorId),
    correlation: promptCorrelation(input.log, rated, actorId),
  };
}
