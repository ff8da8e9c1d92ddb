// From a plan file to what the Plan Review page shows. `buildPlanView` is pure (unit-tested);
// `loadPlanView` reads the plan, checks it for staleness and names its prompts, for the host's
// model. No `vscode` import.
import * as path from 'node:path';
import { CATEGORY_LABELS, TRAINING_CATEGORIES } from '../../core/manifest/categories';
import { estimatePlanCost, formatCost } from '../../core/plan/cost';
import type { ActionPlanFile, Staleness } from '../../core/plan/planFiles';
import { FileHasher } from '../../core/fs/files';
import type { ActorRecord } from '../../core/actors/types';
import type { DataProblem } from '../../core/workspace/problems';
import { needsReview, reviewReason } from '../../core/tracking/review';
import type { CategoryView, DeletionRuleKey, DeletionView, PlanLoad, PlanView, ReviewItemView } from './protocol';

export const RULE_TEXT: Record<DeletionRuleKey, string> = {
  failed_checks: 'Failed a quality check',
  duplicate: 'Duplicate of a better image',
  over_quota: 'Over the category quota (worst first)',
  manual: 'Added by hand (no rule)',
};

export interface PlanViewOptions {
  /** Files changed since planning; not stale when absent. */
  staleness?: Staleness;
  /** Prompt labels by prompt id (the library's); the id stands in when one is missing. */
  promptLabels?: ReadonlyMap<string, string>;
  /** Models to price the generations with, the one in use first. */
  models?: readonly string[];
  /** Where an image of the actor is on disk, for its thumbnail. */
  imagePath?: (filename: string) => string;
}

/** The rule of a deletion row, `manual` when the row has none (or one this version does not know). */
export function deletionRule(rule: unknown): DeletionRuleKey {
  return rule === 'failed_checks' || rule === 'duplicate' || rule === 'over_quota' ? rule : 'manual';
}

/** Builds the page's view of a plan (schema-checked already). Pure. */
export function buildPlanView(plan: ActionPlanFile, options: PlanViewOptions = {}): PlanView {
  const deletions: DeletionView[] = plan.deletions.map((deletion) => {
    const rule = deletionRule(deletion.rule);
    return {
      filename: deletion.filename,
      reason: deletion.reason,
      rule,
      ruleText: RULE_TEXT[rule],
      ...(options.imagePath ? { path: options.imagePath(deletion.filename) } : {}),
    };
  });
  const categories: CategoryView[] = TRAINING_CATEGORIES.map((category) => ({
    category,
    label: CATEGORY_LABELS[category],
    kept: plan.kept?.[category] ?? 0,
    target: plan.target?.[category] ?? 0,
    unfilled: plan.unfilled?.[category] ?? 0,
    generations: plan.generations
      .filter((generation) => generation.category === category)
      .map((generation) => ({
        promptId: generation.prompt_id,
        label: options.promptLabels?.get(generation.prompt_id) ?? generation.prompt_id,
        text: generation.prompt ?? '',
      })),
  }));
  const staleness = options.staleness;
  return {
    actorId: plan.actor_id,
    createdAt: plan.created_at,
    evaluator: plan.evaluator,
    seed: plan.seed,
    stale: staleness
      ? { stale: staleness.stale, added: [...staleness.added], removed: [...staleness.removed], changed: [...staleness.changed] }
      : { stale: false, added: [], removed: [], changed: [] },
    deletions,
    categories,
    unclassified: [...(plan.unclassified ?? [])],
    generationCount: plan.generations.length,
    cost: estimatePlanCost(plan.generations, options.models ?? []),
    ...(plan.evaluation_usage ? { evaluationSpend: describeEvaluationSpend(plan.evaluation_usage) } : {}),
  };
}

function describeEvaluationSpend(usage: NonNullable<ActionPlanFile['evaluation_usage']>): string {
  const cost = usage.estimated_cost_usd === null ? 'no price known for this model' : `about ${formatCost(usage.estimated_cost_usd)}`;
  return `Evaluating for this plan: ${usage.requests} request${usage.requests === 1 ? '' : 's'} to ${usage.model}, ${usage.prompt_tokens + usage.completion_tokens} tokens, ${cost}.`;
}

export interface LoadPlanViewRequest {
  dataRoot: string;
  actorId: string;
  /** The actor as the index has it now (for staleness); without it the plan counts as not checked (stale false). */
  actor?: ActorRecord;
  hasher?: FileHasher;
  /** Models to price with, the one in use first (e.g. `local/augment`). */
  models: readonly string[];
}

/**
 * Reads `data/action_plans/<actorId>_action_plan.json` and builds its view: `missing` when there
 * is no plan, `invalid` with the located problems when it does not pass its schema.
 */
export async function loadPlanView(request: LoadPlanViewRequest): Promise<PlanLoad> {
  const [{ readActorPlan, planStaleness }, { loadPromptLibrary }, { actorPaths }] = await Promise.all([
    import('../../core/plan/planFiles'),
    import('../../core/prompts/library'),
    import('../../core/workspace/layout'),
  ]);
  const read = await readActorPlan(request.dataRoot, request.actorId);
  if (read.state === 'missing') {
    return { missing: true };
  }
  if (read.state !== 'ok') {
    return { invalid: describeProblems(read.problems) };
  }
  const plan = read.value;
  const staleness = request.actor ? await planStaleness(plan, request.actor, request.hasher ?? new FileHasher()) : undefined;
  let promptLabels = new Map<string, string>();
  try {
    const library = await loadPromptLibrary(request.dataRoot);
    promptLabels = new Map(library.prompts.map((prompt) => [prompt.id, prompt.label]));
  } catch {
    // Labels are a nicety: the ids stand in.
  }
  const trainingDir = actorPaths(request.dataRoot, request.actorId).trainingDir;
  return buildPlanView(plan, {
    staleness,
    promptLabels,
    models: request.models,
    // Names come from a schema-checked plan (plain file names), so this stays in the actor's folder.
    imagePath: (filename) => path.join(trainingDir, path.basename(filename)),
  });
}

/** The actor's images (on disk, in the manifest) that need a person's review, in the tree's order. Pure. */
export function buildReviewItems(actor: ActorRecord | undefined): ReviewItemView[] {
  return (actor?.images ?? [])
    .filter((image) => image.tracked && !image.missing && needsReview(image.entry))
    .map((image) => ({ filename: image.filename, reason: reviewReason(image.entry), path: image.path }));
}

/** `line:column: message` per problem (one-based, as editors show them). */
export function describeProblems(problems: readonly DataProblem[]): string {
  if (problems.length === 0) {
    return 'the plan file does not pass its schema';
  }
  return problems
    .map((problem) => (problem.line !== undefined ? `${problem.line + 1}:${(problem.column ?? 0) + 1}: ${problem.message}` : problem.message))
    .join('\n');
}
