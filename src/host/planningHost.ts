import * as vscode from 'vscode';
import type { ActorEvaluation } from '../core/evaluate/evaluateActor';
import type { Logger } from '../core/logger';
import type { FileHasher } from '../core/plan/planFiles';
import type { PlannedActor } from '../core/plan/planActorToDisk';
import type { ActorRecord } from '../core/workspace/types';
import type { StudioWorkspace } from './studioWorkspace';

/** What the tree shows of an actor's plan: `-2 +5`, and whether files changed since. */
export interface PlanState {
  deletions: number;
  generations: number;
  stale: boolean;
}

/**
 * Evaluation and planning in the editor, over the core: the local evaluator (settings give the
 * targets), plans written to data/action_plans, and each actor's plan state for the tree.
 * The image code loads on the first evaluation, not at activation.
 */
export class PlanningHost implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string[]>();
  /** Fires with the actors whose evaluation or plan changed. */
  readonly onDidChangeActors = this.changed.event;
  private hasher?: FileHasher;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly logger: Logger,
  ) {}

  async evaluate(actorIds: string[], signal?: AbortSignal, onProgress?: (message: string, increment: number) => void): Promise<ActorEvaluation[]> {
    const { dataRoot, actors, evaluator, hasher } = await this.services();
    const { evaluateActor } = await import('../core/evaluate/evaluateActor');
    const results: ActorEvaluation[] = [];
    for (const actorId of actorIds) {
      signal?.throwIfAborted();
      onProgress?.(actorId, 100 / actorIds.length);
      results.push(await evaluateActor({ dataRoot, actor: actors.actor(actorId), evaluator, hasher, signal }));
      this.workspace.invalidate(actorId);
    }
    this.changed.fire(actorIds);
    return results;
  }

  /** Plans the actors; with `all`, through the resumable journal (progress.json). */
  async plan(actorIds: string[], options: { all?: boolean; signal?: AbortSignal; onProgress?: (message: string, increment: number) => void } = {}): Promise<PlannedActor[]> {
    const { dataRoot, evaluator, hasher } = await this.services();
    const [{ planActorToDisk }, { planAll }, { progressPath }, { categoryTargets }] = await Promise.all([
      import('../core/plan/planActorToDisk'),
      import('../core/plan/progress'),
      import('../core/plan/planFiles'),
      import('../core/plan/targets'),
    ]);
    const index = await this.workspace.index();
    const targets = categoryTargets(this.workspace.settings.target);
    const planned: PlannedActor[] = [];
    const planOne = async (actorId: string, signal?: AbortSignal) => {
      options.onProgress?.(actorId, 100 / actorIds.length);
      planned.push(await planActorToDisk({ dataRoot, actorId, evaluator, targets, index, hasher, signal, thresholds: { ...evaluator.thresholds } }));
      this.workspace.invalidate(actorId);
      this.changed.fire([actorId]);
    };
    if (options.all) {
      const result = await planAll({ progressFile: progressPath(dataRoot), actorIds, planOne, signal: options.signal });
      result.failed.forEach((failure) => this.logger.warn(`planning ${failure.id} failed: ${failure.reason}`));
    } else {
      for (const actorId of actorIds) {
        await planOne(actorId, options.signal);
      }
    }
    return planned;
  }

  /** The plan state of an actor, or undefined when it has no (valid) plan. */
  async planState(actor: ActorRecord): Promise<PlanState | undefined> {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      return undefined;
    }
    const { readActorPlan, planStaleness, FileHasher } = await import('../core/plan/planFiles');
    const plan = await readActorPlan(dataRoot, actor.id);
    if (plan.state !== 'ok') {
      return undefined;
    }
    this.hasher ??= new FileHasher();
    const { stale } = await planStaleness(plan.value, actor, this.hasher);
    return { deletions: plan.value.deletions.length, generations: plan.value.generations.length, stale };
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async services() {
    const dataRoot = this.workspace.dataRoot;
    const actors = await this.workspace.actors();
    if (!dataRoot || !actors) {
      throw new Error('open a folder with a data folder first');
    }
    const [{ LocalChecksEvaluator }, { FileHasher }] = await Promise.all([import('../core/evaluate/localChecks'), import('../core/plan/planFiles')]);
    this.hasher ??= new FileHasher();
    return { dataRoot, actors, evaluator: new LocalChecksEvaluator(), hasher: this.hasher };
  }
}
