import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomicWrite';
import { withFileLock } from '../fs/fileLock';
import { actionPlanSchema, planSummarySchema } from '../manifest/dataFileSchemas';
import { formatJson } from '../manifest/jsonFile';
import { OptionalJson, readOptionalJson } from '../manifest/optionalJsonFile';
import type { EvaluationUsage } from '../evaluate/types';
import type { ActorRecord } from '../actors/types';
import type { ActorPlan } from './planner';
import { actorPlanPath, summaryPath } from '../workspace/layout';
import { FileHasher } from '../fs/files';
import { isoTime } from '../util/time';

export type ActionPlanFile = z.infer<typeof actionPlanSchema>;
export type PlanSummaryFile = z.infer<typeof planSummarySchema>;

/** What a plan records about how it was made, besides the plan itself. */
export interface PlanMeta {
  evaluator?: string;
  thresholds?: Record<string, unknown>;
  evaluationUsage?: EvaluationUsage;
  createdAt?: Date;
}

function usageToJson(usage: EvaluationUsage) {
  return {
    model: usage.model,
    requests: usage.requests,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    estimated_cost_usd: usage.estimatedCostUsd,
  };
}

/** The plan as written to disk (snake_case, the schema's key order; extra details kept as extra keys). */
export function planToJson(plan: ActorPlan, meta: PlanMeta = {}): ActionPlanFile {
  return actionPlanSchema.parse({
    schema_version: 1,
    actor_id: plan.actorId,
    created_at: isoTime(meta.createdAt),
    ...(meta.evaluator !== undefined ? { evaluator: meta.evaluator } : {}),
    ...(meta.thresholds !== undefined ? { thresholds: meta.thresholds } : {}),
    ...(meta.evaluationUsage ? { evaluation_usage: usageToJson(meta.evaluationUsage) } : {}),
    seed: plan.seed,
    target: { ...plan.target },
    seen: { ...plan.seen },
    deletions: plan.deletions.map((deletion) => ({
      filename: deletion.filename,
      reason: deletion.reason,
      ...(deletion.sha256 ? { sha256: deletion.sha256 } : {}),
      rule: deletion.rule,
    })),
    generations: plan.generations.map((generation) => ({ category: generation.category, prompt_id: generation.promptId, prompt: generation.prompt })),
    kept: { ...plan.kept },
    unclassified: [...plan.unclassified],
    unfilled: { ...plan.unfilled },
    stale_evaluations: [...plan.staleEvaluations],
  });
}

/**
 * Writes an actor's plan file atomically after checking it against the schema (unknown keys are
 * kept, so a plan read, edited and written again loses nothing). Throws when it is invalid.
 */
export async function writePlanFile(dataRoot: string, value: unknown): Promise<string> {
  // The id first: its message says what is wrong with it (the schema refuses it too).
  const file = actorPlanPath(dataRoot, (value as { actor_id?: string } | null)?.actor_id as string);
  const plan = actionPlanSchema.parse(value);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, formatJson(plan));
  return file;
}

export async function writeActorPlan(dataRoot: string, plan: ActorPlan, meta: PlanMeta = {}): Promise<string> {
  return writePlanFile(dataRoot, planToJson(plan, meta));
}

/** Reads a plan file: missing, valid (unknown keys kept), or invalid with located problems. */
export async function readActorPlan(dataRoot: string, actorId: string): Promise<OptionalJson<ActionPlanFile>> {
  return readOptionalJson(dataRoot, actorPlanPath(dataRoot, actorId), actionPlanSchema);
}

export interface SummaryRow {
  actor_id: string;
  deletions: number;
  generations: number;
  [extra: string]: unknown;
}

export function summaryRow(plan: ActorPlan, createdAt = new Date()): SummaryRow {
  const byCategory: Record<string, number> = {};
  for (const generation of plan.generations) {
    byCategory[generation.category] = (byCategory[generation.category] ?? 0) + 1;
  }
  return {
    actor_id: plan.actorId,
    deletions: plan.deletions.length,
    generations: plan.generations.length,
    generations_by_category: byCategory,
    planned_at: isoTime(createdAt),
  };
}

/**
 * Puts rows into summary.json, replacing the rows of the same actors and keeping the others
 * (and unknown keys). Locked, because Plan Actor and Plan All may run in two processes. An
 * unreadable summary is rebuilt from these rows rather than blocking planning: it is derived data.
 */
export async function updatePlanSummary(dataRoot: string, rows: readonly SummaryRow[], now = new Date()): Promise<PlanSummaryFile> {
  const file = summaryPath(dataRoot);
  await fs.mkdir(path.dirname(file), { recursive: true });
  return withFileLock(`${file}.lock`, async () => {
    const current = await readOptionalJson(dataRoot, file, planSummarySchema);
    const base: PlanSummaryFile = current.state === 'ok' ? current.value : { actors: [] };
    const replaced = new Set(rows.map((row) => row.actor_id));
    const actors = [...base.actors.filter((row) => !replaced.has(row.actor_id)), ...rows].sort((a, b) =>
      a.actor_id < b.actor_id ? -1 : a.actor_id > b.actor_id ? 1 : 0,
    );
    const summary = planSummarySchema.parse({
      ...base,
      created_at: isoTime(now),
      actors,
      totals: {
        actors: actors.length,
        deletions: actors.reduce((sum, row) => sum + (row.deletions ?? 0), 0),
        generations: actors.reduce((sum, row) => sum + (row.generations ?? 0), 0),
      },
    });
    await writeFileAtomic(file, formatJson(summary));
    return summary;
  });
}

export async function readPlanSummary(dataRoot: string): Promise<OptionalJson<PlanSummaryFile>> {
  return readOptionalJson(dataRoot, summaryPath(dataRoot), planSummarySchema);
}

export interface Staleness {
  stale: boolean;
  added: string[];
  removed: string[];
  changed: string[];
}

/**
 * Compares what a plan saw with the files now on disk: a file added, removed or with other
 * contents makes the plan stale. A plan without `seen` cannot be checked and counts as stale.
 * Hashing stops at the first difference, and only runs when the set of files is the same.
 */
export async function planStaleness(plan: Pick<ActionPlanFile, 'seen'>, actor: ActorRecord, hasher: FileHasher): Promise<Staleness> {
  const seen = plan.seen;
  const present = actor.images.filter((image) => !image.missing);
  if (!seen) {
    return { stale: true, added: present.map((image) => image.filename), removed: [], changed: [] };
  }
  const names = new Set(present.map((image) => image.filename));
  const added = [...names].filter((name) => !(name in seen));
  const removed = Object.keys(seen).filter((name) => !names.has(name));
  if (added.length > 0 || removed.length > 0) {
    return { stale: true, added, removed, changed: [] };
  }
  for (const image of present) {
    let sha256: string | undefined;
    try {
      sha256 = await hasher.hash(image.path);
    } catch {
      sha256 = undefined; // gone since the index was read: a change all the same
    }
    if (sha256 !== seen[image.filename]) {
      return { stale: true, added, removed, changed: [image.filename] };
    }
  }
  return { stale: false, added, removed, changed: [] };
}

export async function isPlanStale(plan: Pick<ActionPlanFile, 'seen'>, actor: ActorRecord, hasher = new FileHasher()): Promise<boolean> {
  return (await planStaleness(plan, actor, hasher)).stale;
}

/** What the tree shows of an actor's plan: `-2 +5`, and whether files changed since. */
export interface PlanState {
  deletions: number;
  generations: number;
  stale: boolean;
}

/** An actor's plan as `actors` lists it: none, a plan file that does not validate, stale, or ready to execute (with its counts). */
export interface PlanStatus {
  state: 'none' | 'invalid' | 'stale' | 'planned';
  plan?: PlanState;
}

export async function readPlanStatus(dataRoot: string, actor: ActorRecord, hasher: FileHasher): Promise<PlanStatus> {
  const plan = await readActorPlan(dataRoot, actor.id);
  if (plan.state !== 'ok') {
    return { state: plan.state === 'missing' ? 'none' : 'invalid' };
  }
  const { stale } = await planStaleness(plan.value, actor, hasher);
  return { state: stale ? 'stale' : 'planned', plan: { deletions: plan.value.deletions.length, generations: plan.value.generations.length, stale } };
}
