import type { StudioNode } from '../providers/actorsTree/nodes';
import { CommandContext, requireTrust, resolveActors } from './commandContext';
import type { DryRunReports } from './dryRunReport';
import { runExecution, type ExecutePlanResult } from './executeCommands';
import { withCancellableProgress } from './progress';

/** Fill to Target's programmatic API: `executeCommand('actorStudio.fillToTarget', actorId, undefined, { confirm: false })`. */
export interface FillToTargetOptions {
  /** `false` skips the modal confirmation of paid generations (default: ask, as Execute Plan does). */
  confirm?: boolean;
}

/**
 * Fill to Target (the Generator panel's button, the palette): plans the actor against the targets
 * now, then generates what it lacks through Execute Plan's own path: the same dry run, cost
 * confirmation, progress with Cancel, journal and summary. Generations only: filling never
 * deletes an image; the plan's deletions wait for Execute Plan.
 */
export function fillToTarget(context: CommandContext, reports: DryRunReports) {
  return async (target?: StudioNode | string, nodes?: StudioNode[], options: FillToTargetOptions = {}): Promise<ExecutePlanResult | undefined> => {
    if (!requireTrust('filling an actor to its target')) {
      return undefined;
    }
    const actorId = typeof target === 'string' ? target : (await resolveActors(context, target, nodes))?.[0]?.id;
    if (!actorId) {
      return undefined;
    }
    await withCancellableProgress(`Actor Studio: planning what ${actorId} lacks`, (signal, report) =>
      context.planning.plan([actorId], { signal, onProgress: report }),
    );
    // A new run with the plan just made: an older unfinished one would carry an older plan.
    return runExecution(context, reports, [actorId], { mode: 'generate_only', confirm: options.confirm, replan: false, fresh: true }, actorId);
  };
}
