import * as vscode from 'vscode';
import type { BatchEvaluationOptions, BatchEvaluationResult } from '../core/app/batchEvaluation';
import { evaluateActors, planActors, type EvaluationProgress } from '../core/app/evaluation';
import type { ActorEvaluation } from '../core/evaluate/evaluateActor';
import type { PlannedActor } from '../core/plan/planActorToDisk';
import type { PlanStatusPass } from '../core/plan/planStatuses';
import type { ActorRecord } from '../core/actors/types';
import type { StudioWorkspace } from './studioWorkspace';

type Report = (message: string, increment: number) => void;

/** Turns image progress into increments of a notification whose 100 % is spread evenly over the run's actors. */
function notificationProgress(report: Report | undefined): ((progress: EvaluationProgress) => void) | undefined {
  if (!report) {
    return undefined;
  }
  const reported = new Map<string, number>();
  return ({ actorId, done, images, actors }) => {
    const share = images > 0 ? done / images : 1;
    report(`${actorId}: ${done}/${images}`, ((share - (reported.get(actorId) ?? 0)) * 100) / actors);
    reported.set(actorId, share);
  };
}

/**
 * Evaluation and planning in the editor: the core's use cases (core/app/evaluation) with what only
 * the editor does: the cached index invalidated, an event for the tree, and each actor's plan state.
 */
export class PlanningController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string[]>();
  /** Fires with the actors whose evaluation or plan changed. */
  readonly onDidChangeActors = this.changed.event;

  constructor(private readonly workspace: StudioWorkspace) {}

  async evaluate(actorIds: string[], signal?: AbortSignal, onProgress?: Report): Promise<ActorEvaluation[]> {
    const result = await evaluateActors(await this.workspace.context(), actorIds, {
      index: await this.workspace.index(),
      signal,
      onProgress: notificationProgress(onProgress),
    });
    actorIds.forEach((actorId) => this.workspace.invalidate(actorId));
    this.changed.fire(actorIds);
    return result.evaluations;
  }

  /**
   * Evaluates through OpenAI's Batch API (or collects the batch an earlier run saved); the actors
   * whose answers were merged are refreshed.
   */
  async evaluateBatch(actorIds: string[], options: Omit<BatchEvaluationOptions, 'onProgress'> & { onProgress?: Report }): Promise<BatchEvaluationResult> {
    const { evaluateActorsInBatch } = await import('../core/app/batchEvaluation');
    const result = await evaluateActorsInBatch(await this.workspace.context(), actorIds, { ...options, onProgress: notificationProgress(options.onProgress) });
    const merged = result.evaluations.map((evaluation) => evaluation.actorId);
    merged.forEach((actorId) => this.workspace.invalidate(actorId));
    this.changed.fire(merged);
    return result;
  }

  /** Plans the actors; with `all`, through the resumable journal (progress.json). */
  async plan(actorIds: string[], options: { all?: boolean; signal?: AbortSignal; onProgress?: Report } = {}): Promise<PlannedActor[]> {
    const result = await planActors(await this.workspace.context(), actorIds, {
      index: await this.workspace.index(),
      resumable: options.all,
      signal: options.signal,
      onProgress: notificationProgress(options.onProgress),
      onPlanned: ({ plan }) => {
        this.workspace.invalidate(plan.actorId);
        this.changed.fire([plan.actorId]);
      },
    });
    return result.planned;
  }

  /** Reads the actors' plan states in turn (see readPlanStatuses); nothing without a data folder. */
  async planStates(actors: readonly ActorRecord[], pass: PlanStatusPass): Promise<void> {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      return;
    }
    // The plan files' schemas load on first use, not at activation.
    const { readPlanStatuses } = await import('../core/plan/planStatuses');
    await readPlanStatuses(dataRoot, actors, this.workspace.hasher, pass);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
