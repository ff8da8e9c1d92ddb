import { COST_CURRENCY, ESTIMATE_NOTE, estimateCost } from '../plan/cost';
import type { ActionPlanFile } from '../plan/planFiles';
import type { GenerationLog } from '../tracking/generationLog';
import type { EvaluationSpend, SpendStats } from './types';

/** A plan's recorded vision usage, with the actor it was for. */
export interface PlanUsage {
  actor_id: string;
  usage: NonNullable<ActionPlanFile['evaluation_usage']>;
}

// Hundredths of a cent, as the plan's cost estimate rounds.
const roundCost = (value: number) => Math.round(value * 10_000) / 10_000;

/** Estimated spend: generations from the log's successes, evaluations from the plans' recorded usage. */
export function spendStats(log: GenerationLog, plans: readonly PlanUsage[], actorId?: string): SpendStats {
  const successes = log.successes.filter((entry) => actorId === undefined || entry.actor_id === actorId);
  const imagesByModel = new Map<string, number>();
  successes.forEach((entry) => imagesByModel.set(entry.model, (imagesByModel.get(entry.model) ?? 0) + 1));
  const generations = [...imagesByModel]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([model, images]) => {
      const estimate = estimateCost(images, model);
      return { model, images, per_image: estimate.perImage ?? null, estimated_cost: estimate.total ?? null };
    });

  const byModel = new Map<string, EvaluationSpend>();
  for (const { usage } of plans.filter((plan) => actorId === undefined || plan.actor_id === actorId)) {
    const row = byModel.get(usage.model) ?? {
      model: usage.model,
      requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      estimated_cost: null,
      unpriced_plans: 0,
    };
    row.requests += usage.requests;
    row.prompt_tokens += usage.prompt_tokens;
    row.completion_tokens += usage.completion_tokens;
    if (usage.estimated_cost_usd === null) {
      row.unpriced_plans += 1;
    } else {
      row.estimated_cost = roundCost((row.estimated_cost ?? 0) + usage.estimated_cost_usd);
    }
    byModel.set(usage.model, row);
  }
  const evaluations = [...byModel.values()].sort((a, b) => a.model.localeCompare(b.model));

  const sum = (values: number[]) => roundCost(values.reduce((total, value) => total + value, 0));
  const generationCost = sum(generations.map((row) => row.estimated_cost ?? 0));
  const evaluationCost = sum(evaluations.map((row) => row.estimated_cost ?? 0));
  return {
    currency: COST_CURRENCY,
    generations,
    evaluations,
    totals: {
      images: successes.length,
      generation_cost: generationCost,
      evaluation_requests: evaluations.reduce((total, row) => total + row.requests, 0),
      evaluation_tokens: evaluations.reduce((total, row) => total + row.prompt_tokens + row.completion_tokens, 0),
      evaluation_cost: evaluationCost,
      estimated_cost: roundCost(generationCost + evaluationCost),
      unpriced_models: [
        ...generations.filter((row) => row.estimated_cost === null).map((row) => row.model),
        ...evaluations.filter((row) => row.unpriced_plans > 0).map((row) => row.model),
      ],
    },
    note: `${ESTIMATE_NOTE} Evaluations are those recorded in the current plans (a new plan replaces its actor's record).`,
  };
}
