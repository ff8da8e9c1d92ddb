import * as path from 'node:path';
import { loadManifest } from '../manifest/manifestStore';
import { estimateCost } from '../plan/cost';
import { planStaleness, readActorPlan } from '../plan/planFiles';
import { FileHasher } from '../fs/files';
import type { ObjectStore } from '../storage/types';
import { ActorIndex } from '../actors/dataIndex';
import { nextImageNumber } from '../actors/numbering';
import { linkedOutsideReason } from '../workspace/guards';
import { TRASH_DIR } from '../workspace/layout';
import { ACTORS_DIR, TRAINING_DIR } from '../workspace/layout';
import type { DryRunActor, DryRunResult, ExecutionMode } from './types';
import { actionName } from '../util/actionNames';

export interface DryRunRequest {
  dataRoot: string;
  actorIds: readonly string[];
  mode: ExecutionMode;
  /** The model generations would use, for the cost estimate (e.g. generator.model). */
  model: string;
  /** When given, each deletion names the object that would be deleted. */
  store?: ObjectStore;
}

/** Where a dry run says trashed files go: the run id does not exist yet. */
export const NEXT_RUN_PLACEHOLDER = '<run id>';

/**
 * What executing the plans would do, exactly, without writing anything: the files that would go
 * to the trash, the files that would be created with the names they would get now (new numbers
 * from the highest ever seen), their prompts, the untracked files it keeps and adopts, the
 * entries of gone files it drops, and the estimated cost. Actors that would be skipped (no plan, stale plan, no base image) say why.
 */
export async function dryRunPlans(request: DryRunRequest): Promise<DryRunResult> {
  const index = new ActorIndex(request.dataRoot);
  const hasher = new FileHasher();
  const actors: DryRunActor[] = [];
  for (const actorId of [...request.actorIds].sort()) {
    const result: DryRunActor = { actorId, trash: [], create: [], adopt: [], dropEntries: [] };
    actors.push(result);
    const plan = await readActorPlan(request.dataRoot, actorId);
    if (plan.state !== 'ok') {
      result.skipReason =
        plan.state === 'missing' ? `no plan: run ${actionName('plan')} first` : `the plan file is invalid: ${plan.problems[0]?.message ?? ''}`;
      continue;
    }
    const actor = index.actor(actorId);
    if (actor.manifestState === 'invalid') {
      result.skipReason = `${actor.manifestPath} is invalid; fix it first`;
      continue;
    }
    const outside = linkedOutsideReason(request.dataRoot, actorId);
    if (outside) {
      result.skipReason = outside; // as execute skips it
      continue;
    }
    if ((await planStaleness(plan.value, actor, hasher)).stale) {
      result.skipReason = `the plan is stale (files changed since planning); run ${actionName('plan')} again`;
      result.stale = true;
      continue;
    }
    const deleted = new Set(request.mode === 'generate_only' ? [] : plan.value.deletions.map((deletion) => deletion.filename));
    result.adopt = actor.images.filter((image) => !image.tracked && !image.missing && !deleted.has(image.filename)).map((image) => image.filename);
    result.dropEntries = actor.images.filter((image) => image.missing).map((image) => image.filename);
    if (request.mode !== 'generate_only') {
      const entries = new Map(actor.images.map((image) => [image.filename, image.entry]));
      for (const deletion of plan.value.deletions) {
        const s3Key =
          request.store && request.store.kind !== 'none'
            ? (entries.get(deletion.filename)?.s3_key ?? request.store.keyFor(actorId, deletion.filename))
            : undefined;
        result.trash.push({
          filename: deletion.filename,
          reason: deletion.reason ?? '',
          to: path.join(TRASH_DIR, NEXT_RUN_PLACEHOLDER, ACTORS_DIR, actorId, TRAINING_DIR, deletion.filename),
          ...(s3Key ? { s3Key } : {}),
        });
      }
    }
    if (request.mode !== 'delete_only' && plan.value.generations.length > 0) {
      if (!actor.baseImage) {
        result.skipReason = `no base image: add ${actorId}_base.png to ${actor.dir}/base_image/`;
        result.trash = [];
        result.adopt = [];
        result.dropEntries = [];
        continue;
      }
      let next = nextImageNumber(request.dataRoot, actorId, await loadManifest(actor.manifestPath));
      for (const generation of plan.value.generations) {
        result.create.push({
          filename: `${actorId}_${next++}.jpg`,
          category: generation.category,
          promptId: generation.prompt_id,
          prompt: generation.prompt ?? '',
        });
      }
    }
  }
  const generations = actors.reduce((sum, actor) => sum + actor.create.length, 0);
  return {
    mode: request.mode,
    actors,
    deletions: actors.reduce((sum, actor) => sum + actor.trash.length, 0),
    generations,
    cost: estimateCost(generations, request.model),
  };
}
