import type { ActorRecord } from '../actors/types';
import type { PlanStatusPass } from './planStatuses';

// Apart from planStatuses.ts, so the tree can hold one at activation without loading the plan schemas.

export type PlanStatusReader = (actors: readonly ActorRecord[], pass: PlanStatusPass) => Promise<void>;

/**
 * One plan-status pass at a time over the latest index. Starting a pass supersedes the running
 * one, which stops and lets its index be collected (five re-reads of 10,000 actors otherwise kept
 * five indexes alive); a pass over some actors also takes over the ones the superseded pass had
 * yet to report, so none is left without its status.
 */
export class LatestPlanStatusPass {
  private running?: { superseded: AbortController; pending: Set<string> };

  async start(
    all: readonly ActorRecord[],
    actorIds: readonly string[] | undefined,
    read: PlanStatusReader,
    report: Required<Omit<PlanStatusPass, 'signal'>>,
  ): Promise<void> {
    const previous = this.running;
    previous?.superseded.abort();
    const wanted = actorIds && new Set([...actorIds, ...(previous?.pending ?? [])]);
    const actors = wanted ? all.filter((actor) => wanted.has(actor.id)) : all;
    const pass = { superseded: new AbortController(), pending: new Set(actors.map((actor) => actor.id)) };
    this.running = pass;
    try {
      await read(actors, {
        signal: pass.superseded.signal,
        onStatus: (actor, status) => {
          pass.pending.delete(actor.id);
          report.onStatus(actor, status);
        },
        onError: (actor, error) => {
          pass.pending.delete(actor.id);
          report.onError(actor, error);
        },
      });
    } finally {
      if (this.running === pass) {
        this.running = undefined;
      }
    }
  }
}
