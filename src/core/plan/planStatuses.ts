import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ActorRecord } from '../actors/types';
import type { FileHasher } from '../fs/files';
import { actorPlanPath, plansDir } from '../workspace/layout';
import { readPlanStatus, type PlanStatus } from './planFiles';

export interface PlanStatusPass {
  /** Told each actor's status, in the order of `actors`. */
  onStatus: (actor: ActorRecord, status: PlanStatus) => void;
  /** Told an actor whose plan could not be read; without it, the error ends the pass. */
  onError?: (actor: ActorRecord, error: Error) => void;
  /** Aborted when a newer read of the data folder supersedes this pass: it stops at the next actor. */
  signal?: AbortSignal;
}

const NO_PLAN: PlanStatus = { state: 'none' };

/**
 * Reads the plan status of each actor in turn. One listing of the plans folder tells which actors
 * have a plan file, so the many without one cost no file reads (at 10,000 actors, reading each
 * would take longer than listing the actors). Stopping when superseded matters as much: a pass
 * holds its actors' records, so an old pass left running keeps an old index alive.
 */
export async function readPlanStatuses(dataRoot: string, actors: readonly ActorRecord[], hasher: FileHasher, pass: PlanStatusPass): Promise<void> {
  const hasPlanFile = await planFileLookup(dataRoot);
  for (const actor of actors) {
    if (pass.signal?.aborted) {
      return;
    }
    try {
      const status = hasPlanFile(actor.id) ? await readPlanStatus(dataRoot, actor, hasher) : NO_PLAN;
      if (!pass.signal?.aborted) {
        pass.onStatus(actor, status);
      }
    } catch (error) {
      if (!pass.onError) {
        throw error;
      }
      pass.onError(actor, error as Error);
    }
  }
}

/**
 * Whether an actor has a file in the plans folder, from one listing of it (none when the folder
 * does not exist yet): reading a plan that is not there costs more than listing them all.
 */
export async function planFileLookup(dataRoot: string): Promise<(actorId: string) => boolean> {
  let names: Set<string>;
  try {
    names = new Set(await fs.readdir(plansDir(dataRoot)));
  } catch (error) {
    if (!['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) {
      throw error;
    }
    names = new Set();
  }
  return (actorId) => names.has(path.basename(actorPlanPath(dataRoot, actorId)));
}
