import * as vscode from 'vscode';
import type { ActorEvaluation } from '../core/evaluate/evaluateActor';
import type { sharedFaceIdentity } from '../core/evaluate/createEvaluator';
import type { Logger } from '../core/logger';
import type { FileHasher } from '../core/plan/planFiles';
import type { PlannedActor } from '../core/plan/planActorToDisk';
import type { ActorRecord } from '../core/workspace/types';
import type { Secrets } from './secrets';
import type { StudioWorkspace } from './studioWorkspace';

type Report = (message: string, increment: number) => void;

/**
 * Turns an actor's image progress (`done` of `total`) into increments of a notification whose
 * 100 % is spread evenly over `actors` actors.
 */
function imageProgress(actorId: string, actors: number, report: Report | undefined): (done: number, total: number) => void {
  let reported = 0;
  return (done, total) => {
    const share = total > 0 ? done / total : 1;
    report?.(`${actorId}: ${done}/${total}`, ((share - reported) * 100) / actors);
    reported = share;
  };
}

/** What the tree shows of an actor's plan: `-2 +5`, and whether files changed since. */
export interface PlanState {
  deletions: number;
  generations: number;
  stale: boolean;
}

/**
 * Evaluation and planning in the editor, over the core: the evaluator the settings ask for (local
 * checks with face identity in a worker thread, plus the vision model when an OpenAI key is set),
 * plans written to data/action_plans, and each actor's plan state for the tree. The image code
 * loads on the first evaluation, not at activation.
 */
export class PlanningHost implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string[]>();
  /** Fires with the actors whose evaluation or plan changed. */
  readonly onDidChangeActors = this.changed.event;
  private hasher?: FileHasher;
  private faces?: ReturnType<typeof sharedFaceIdentity>;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly secrets: Secrets,
    private readonly logger: Logger,
  ) {}

  async evaluate(actorIds: string[], signal?: AbortSignal, onProgress?: Report): Promise<ActorEvaluation[]> {
    const { dataRoot, actors, evaluator, hasher } = await this.services();
    const { evaluateActor } = await import('../core/evaluate/evaluateActor');
    const results: ActorEvaluation[] = [];
    for (const actorId of actorIds) {
      signal?.throwIfAborted();
      const result = await evaluateActor({ dataRoot, actor: actors.actor(actorId), evaluator, hasher, signal, onProgress: imageProgress(actorId, actorIds.length, onProgress) });
      this.logUsage(actorId, result);
      results.push(result);
      this.workspace.invalidate(actorId);
    }
    this.changed.fire(actorIds);
    return results;
  }

  /** Plans the actors; with `all`, through the resumable journal (progress.json). */
  async plan(actorIds: string[], options: { all?: boolean; signal?: AbortSignal; onProgress?: Report } = {}): Promise<PlannedActor[]> {
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
      const result = await planActorToDisk({ dataRoot, actorId, evaluator, targets, index, hasher, signal, onProgress: imageProgress(actorId, actorIds.length, options.onProgress) });
      this.logUsage(actorId, result.evaluation);
      planned.push(result);
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
    void this.faces?.close();
  }

  private logUsage(actorId: string, evaluation: ActorEvaluation): void {
    const usage = evaluation.usage;
    if (usage) {
      const cost = usage.estimatedCostUsd === null ? 'no price known' : `about $${usage.estimatedCostUsd.toFixed(4)}`;
      this.logger.info(`${actorId}: vision model ${usage.model}, ${usage.requests} request(s), ${usage.promptTokens}+${usage.completionTokens} tokens, ${cost}`);
    }
  }

  private async services() {
    const dataRoot = this.workspace.dataRoot;
    const actors = await this.workspace.actors();
    if (!dataRoot || !actors) {
      throw new Error('open a folder with a data folder first');
    }
    const [{ createEvaluator, sharedFaceIdentity }, { FileHasher }] = await Promise.all([import('../core/evaluate/createEvaluator'), import('../core/plan/planFiles')]);
    this.hasher ??= new FileHasher();
    // Inference runs in dist/faceWorker.js so the extension host stays responsive.
    this.faces ??= sharedFaceIdentity({ worker: true });
    const settings = this.workspace.settings;
    const evaluator = await createEvaluator(settings.evaluation, {
      openaiKey: await this.secrets.get('openaiKey'),
      openaiBaseUrl: settings.openaiBaseUrl || undefined,
      faces: this.faces.get,
    });
    return { dataRoot, actors, evaluator, hasher: this.hasher };
  }
}
