import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomicWrite';
import { withFileLock } from '../fs/fileLock';
import { actionPlanSchema, planSummarySchema } from '../manifest/dataFileSchemas';
import { formatJson } from '../manifest/jsonFile';
import { OptionalJson, readOptionalJson } from '../manifest/optionalJsonFile';
import type { EvaluationUsage } from '../evaluate/types';
import type { ActorRecord } from '../workspace/types';
import type { ActorPlan } from './planner';

export type ActionPlanFile = z.infer<typeof actionPlanSchema>;
export type PlanSummaryFile = z.infer<typeof planSummarySchema>;

/** `data/action_plans/`: one plan per actor, the summary and the progress journal. */
export const PLANS_DIR = 'action_plans';
export const SUMMARY_FILE = 'summary.json';
export const PROGRESS_FILE = 'progress.json';

export function plansDir(dataRoot: string): string {
  return path.join(dataRoot, PLANS_DIR);
}

export function actorPlanPath(dataRoot: string, actorId: string): string {
  // Actor ids are folder names already checked by the index; a separator here would escape the folder.
  if (!actorId || /[/\\\0]/.test(actorId) || actorId === '.' || actorId === '..') {
    throw new Error(`"${actorId}" is not a valid actor id for a plan file name.`);
  }
  return path.join(plansDir(dataRoot), `${actorId}_action_plan.json`);
}

export function summaryPath(dataRoot: string): string {
  return path.join(plansDir(dataRoot), SUMMARY_FILE);
}

export function progressPath(dataRoot: string): string {
  return path.join(plansDir(dataRoot), PROGRESS_FILE);
}

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
    created_at: (meta.createdAt ?? new Date()).toISOString(),
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
  const plan = actionPlanSchema.parse(value);
  const file = actorPlanPath(dataRoot, plan.actor_id);
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
    planned_at: createdAt.toISOString(),
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
      created_at: now.toISOString(),
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

/**
 * sha256 of files, computed only when asked and remembered while the file's size, mtime and inode
 * stay the same, so checking many plans for staleness hashes each unchanged file once.
 */
export class FileHasher {
  private readonly cache = new Map<string, { stamp: string; sha256: string }>();
  /** How many files were actually read (for tests and diagnostics). */
  hashed = 0;

  async hash(file: string): Promise<string> {
    const stat = await fs.stat(file);
    const stamp = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    const cached = this.cache.get(file);
    if (cached && cached.stamp === stamp) {
      return cached.sha256;
    }
    const sha256 = await sha256File(file);
    this.hashed++;
    this.cache.set(file, { stamp, sha256 });
    return sha256;
  }
}

export async function sha256File(file: string): Promise<string> {
  // Training images are a few hundred KB: one read is faster than a stream of 64 KB chunks.
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Files hashed at once: reads overlap, which matters on a cold cache (a cached second run is mostly hashing). */
const HASH_CONCURRENCY = 8;

/** The content hash of every image of the actor that is on disk (tracked or not), by file name. */
export async function hashActorImages(actor: ActorRecord, hasher: FileHasher): Promise<Record<string, string>> {
  const images = actor.images.filter((candidate) => !candidate.missing);
  const hashes: Record<string, string> = {};
  for (let start = 0; start < images.length; start += HASH_CONCURRENCY) {
    const batch = images.slice(start, start + HASH_CONCURRENCY);
    const digests = await Promise.all(batch.map((image) => hasher.hash(image.path)));
    batch.forEach((image, position) => (hashes[image.filename] = digests[position]));
  }
  return hashes;
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
