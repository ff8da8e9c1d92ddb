import { randomInt } from 'node:crypto';
import { evaluateActor, ActorEvaluation } from '../evaluate/evaluateActor';
import type { Evaluator } from '../evaluate/types';
import { loadPromptLibrary } from '../prompts/library';
import { countPromptUsage, usageForPrompts } from '../prompts/usage';
import { ActorIndex } from '../actors/dataIndex';
import type { DataIndex } from '../actors/types';
import { summaryRow, updatePlanSummary, writeActorPlan } from './planFiles';
import { FileHasher } from '../fs/files';
import { assertActorInside } from '../workspace/guards';
import { ActorPlan, planActor } from './planner';
import type { CategoryTargets } from '../actors/targets';
import { InputError } from '../errors';
import { actionName } from '../util/actionNames';

export interface PlanActorRequest {
  dataRoot: string;
  actorId: string;
  evaluator: Evaluator;
  targets: CategoryTargets;
  /** Recorded in the plan; a random one when absent. */
  seed?: number;
  /** The index to count prompt usage over; read fresh when absent. */
  index?: DataIndex;
  thresholds?: Record<string, unknown>;
  hasher?: FileHasher;
  signal?: AbortSignal;
  /** Images evaluated so far (`done` of `total`). */
  onProgress?: (done: number, total: number) => void;
  /** Prompts to try last (their images failed in this balance run). */
  avoidPromptIds?: ReadonlySet<string>;
}

export interface PlannedActor {
  plan: ActorPlan;
  file: string;
  evaluation: ActorEvaluation;
}

/**
 * Evaluates one actor (cached by content hash), plans it against the targets with prompts this
 * actor has not used, writes its plan file and its row of summary.json.
 */
export async function planActorToDisk(request: PlanActorRequest): Promise<PlannedActor> {
  const { dataRoot, actorId, evaluator } = request;
  const index = request.index ?? (await new ActorIndex(dataRoot).index());
  const actor = index.actors.find((candidate) => candidate.id === actorId);
  if (!actor) {
    throw new InputError(`no actor "${actorId}" in ${dataRoot}/actors`);
  }
  if (actor.manifestState === 'invalid') {
    throw new InputError(`${actor.manifestPath} is invalid; fix it before planning (see ${actionName('problems')})`, { file: actor.manifestPath });
  }
  // The index ignores a training_data/ or base_image/ that links outside; planning it would plan a whole new set.
  assertActorInside(dataRoot, actorId);
  const library = await loadPromptLibrary(dataRoot);
  const usage = usageForPrompts(library.prompts, await countPromptUsage(index, library.prompts), actorId);
  const evaluation = await evaluateActor({ dataRoot, actor, evaluator, hasher: request.hasher, signal: request.signal, onProgress: request.onProgress });
  const plan = planActor({
    actor,
    evaluations: evaluation.evaluations,
    targets: request.targets,
    prompts: library.prompts,
    usage,
    seed: request.seed ?? randomInt(0, 2 ** 31),
    hashes: evaluation.hashes,
    avoidPromptIds: request.avoidPromptIds,
  });
  const file = await writeActorPlan(dataRoot, plan, {
    evaluator: evaluator.id,
    thresholds: request.thresholds ?? { ...evaluator.thresholds },
    evaluationUsage: evaluation.usage,
  });
  await updatePlanSummary(dataRoot, [summaryRow(plan)]);
  return { plan, file, evaluation };
}
