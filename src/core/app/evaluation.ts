import type { DataIndex } from '../actors/types';
import { ActorIndex } from '../actors/dataIndex';
import { errorKind, InputError } from '../errors';
import type { ActorEvaluation } from '../evaluate/evaluateActor';
import type { VisionSource } from '../evaluate/localAndVision';
import type { EvaluationUsage } from '../evaluate/types';
import { FileHasher } from '../fs/files';
import type { PlannedActor } from '../plan/planActorToDisk';
import type { PlanAllResult } from '../plan/progress';
import { linkedOutsideReason } from '../workspace/guards';
import { progressPath } from '../workspace/layout';
import type { StudioContext } from './context';

/** Progress of evaluation and planning: images of the current actor, and actors of the run. */
export interface EvaluationProgress {
  actorId: string;
  /** Images of this actor evaluated so far, of `images`. */
  done: number;
  images: number;
  /** This actor's place in the run (0-based) and the run's number of actors. */
  actorIndex: number;
  actors: number;
}

export interface EvaluationOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EvaluationProgress) => void;
  /** An index read already (the CLI's, the editor's cache); read fresh when absent. */
  index?: DataIndex;
  /** Vision answers from a finished batch, used instead of requests to the model (batchEvaluation.ts). */
  visionAnswers?: VisionSource;
}

export interface EvaluateResult {
  evaluations: ActorEvaluation[];
  /** Actors not evaluated, each with the reason (an invalid manifest, an undecodable base image). */
  skipped: { id: string; reason: string }[];
}

/** `vision gpt-4o: 2 request(s), 1000 prompt + 200 completion tokens, estimated $0.0100`. */
export function describeUsage(usage: EvaluationUsage): string {
  const cost = usage.estimatedCostUsd === null ? 'no price known for this model' : `estimated $${usage.estimatedCostUsd.toFixed(4)}`;
  return `vision ${usage.model}: ${usage.requests} request(s), ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens, ${cost}`;
}

async function readIndex(context: StudioContext, given?: DataIndex): Promise<DataIndex> {
  const index = given ?? (await new ActorIndex(context.dataRoot).index());
  if (!index.exists) {
    throw new InputError(`data folder not found: ${context.dataRoot}`, { file: context.dataRoot });
  }
  return index;
}

/** Local checks, face identity and (with a key) the vision model per image, cached in the manifests. */
export async function evaluateActors(context: StudioContext, actorIds: readonly string[], options: EvaluationOptions = {}): Promise<EvaluateResult> {
  const [{ evaluateActor }, index] = await Promise.all([import('../evaluate/evaluateActor'), readIndex(context, options.index)]);
  const evaluator = await context.services.evaluator(context.faces, options.visionAnswers);
  const hasher = context.hasher ?? new FileHasher();
  const result: EvaluateResult = { evaluations: [], skipped: [] };
  for (const [actorIndex, actorId] of actorIds.entries()) {
    options.signal?.throwIfAborted();
    const actor = index.actors.find((candidate) => candidate.id === actorId);
    if (!actor || actor.manifestState === 'invalid') {
      result.skipped.push({ id: actorId, reason: actor ? `its manifest is invalid (${actor.manifestPath})` : 'no such actor' });
      continue;
    }
    const outside = linkedOutsideReason(context.dataRoot, actorId);
    if (outside) {
      result.skipped.push({ id: actorId, reason: outside });
      continue;
    }
    const onProgress =
      options.onProgress && ((done: number, images: number) => options.onProgress?.({ actorId, done, images, actorIndex, actors: actorIds.length }));
    let evaluation: ActorEvaluation;
    try {
      evaluation = await evaluateActor({ dataRoot: context.dataRoot, actor, evaluator, hasher, signal: options.signal, onProgress });
    } catch (error) {
      // One actor's bad data (an undecodable base image) fails that actor; the others go on, as in plan --all.
      if (errorKind(error) === 'cancelled') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      context.services.logger?.warn(`evaluating ${actorId} failed: ${reason}`);
      result.skipped.push({ id: actorId, reason });
      continue;
    }
    if (evaluation.usage) {
      context.services.logger?.info(`${actorId}: ${describeUsage(evaluation.usage)}`);
    }
    result.evaluations.push(evaluation);
  }
  return result;
}

export interface PlanOptions extends EvaluationOptions {
  /** Through the resumable journal (progress.json): a cancelled or crashed run resumes where it stopped. */
  resumable?: boolean;
  /** Ignore an unfinished journal and start over. */
  fresh?: boolean;
  /** Recorded in the plans; random when absent. */
  seed?: number;
  /** Called as each actor's plan is written. */
  onPlanned?: (planned: PlannedActor) => void;
  /** Per actor, prompts to try last (their images failed in this balance run). */
  avoidPromptIds?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface PlanResult {
  planned: PlannedActor[];
  failed: { id: string; reason: string }[];
  /** Actors planned by an earlier, interrupted attempt of this run (not planned again). */
  resumedFrom: string[];
}

/** Evaluates, then writes each actor's plan (deletions and generations that reach the targets) and summary.json. */
export async function planActors(context: StudioContext, actorIds: readonly string[], options: PlanOptions = {}): Promise<PlanResult> {
  const [{ planActorToDisk }, { planAll }, index] = await Promise.all([
    import('../plan/planActorToDisk'),
    import('../plan/progress'),
    readIndex(context, options.index),
  ]);
  const evaluator = await context.services.evaluator(context.faces);
  const hasher = context.hasher ?? new FileHasher();
  const planned: PlannedActor[] = [];
  const planOne = async (actorId: string, signal?: AbortSignal) => {
    const actorIndex = actorIds.indexOf(actorId);
    const onProgress =
      options.onProgress && ((done: number, images: number) => options.onProgress?.({ actorId, done, images, actorIndex, actors: actorIds.length }));
    const result = await planActorToDisk({
      dataRoot: context.dataRoot,
      actorId,
      evaluator,
      targets: context.services.targets,
      seed: options.seed,
      avoidPromptIds: options.avoidPromptIds?.get(actorId),
      index,
      hasher,
      signal,
      onProgress,
    });
    if (result.evaluation.usage) {
      context.services.logger?.info(`${actorId}: ${describeUsage(result.evaluation.usage)}`);
    }
    planned.push(result);
    options.onPlanned?.(result);
  };
  if (!options.resumable) {
    for (const actorId of actorIds) {
      await planOne(actorId, options.signal);
    }
    return { planned, failed: [], resumedFrom: [] };
  }
  const run: PlanAllResult = await planAll({ progressFile: progressPath(context.dataRoot), actorIds, planOne, signal: options.signal, fresh: options.fresh });
  run.failed.forEach((failure) => context.services.logger?.warn(`planning ${failure.id} failed: ${failure.reason}`));
  return { planned, failed: run.failed, resumedFrom: run.skipped };
}
