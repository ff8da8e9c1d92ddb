import { executePlans, planFill } from '../../core/app/execution';
import { InputError } from '../../core/errors';
import type { ExecutionSummary } from '../../core/execute';
import { CliIO, CliStudio, EXIT_FAILED, EXIT_OK, selectActors } from '../cliSupport';
import { costText, dryRunToJson, printDryRun, printSummary, summaryToJson } from './executeCommands';
import { ProgressReporter, terminalWriter } from './executionProgress';

export const FILL_USAGE =
  'actor-studio generate --fill --actor-id ID [--dry-run] [--yes] [--target N] [--split 65/20/15] [--evaluator local|openai] [--skip-face] [--provider ...]';

/**
 * `generate --fill`: plans the actor against the targets, then generates what it lacks as a
 * generate-only execution (journaled, resumable with `execute --generate-only`, undoable like any
 * run). The same dry run and cost estimate as `execute`; a paid fill needs --yes, as the editor
 * asks before paid work. Nothing is deleted: the plan's deletions wait for `execute`.
 */
export async function runFill(values: Record<string, unknown>, io: CliIO, studio: CliStudio): Promise<number> {
  if (['prompt', 'prompt-text', 'category', 'base-image', 'seed'].some((flag) => values[flag] !== undefined)) {
    throw new InputError(`--fill picks the prompts itself; leave out --prompt, --prompt-text, --category, --base-image and --seed\nusage: ${FILL_USAGE}`);
  }
  if (!values['actor-id']) {
    throw new InputError(`--fill needs --actor-id ID\nusage: ${FILL_USAGE}`);
  }
  const { ids } = await selectActors(values, studio, FILL_USAGE);
  const actorId = ids[0]!;
  const context = await studio.context();
  await context.services.generator().catch((error: Error) => {
    throw new InputError(error.message);
  });
  const preview = await planFill(context, actorId, { signal: io.signal });
  const skipped = preview.actors[0]?.skipReason;
  if (values['dry-run'] || skipped || preview.generations === 0) {
    if (values.json) {
      io.stdout(JSON.stringify(dryRunToJson(preview), null, 2));
    } else {
      printDryRun(preview, io, false);
      if (!skipped && preview.generations === 0) {
        io.stdout(`${actorId} lacks nothing: it is at its targets`);
      }
    }
    return skipped ? EXIT_FAILED : EXIT_OK;
  }
  if (preview.cost.total !== 0 && !values.yes) {
    throw new InputError(
      `filling ${actorId} generates ${preview.generations} image(s): ${costText(preview.cost)}; add --yes to go ahead (--dry-run lists them)`,
    );
  }
  const progress = values.json ? undefined : new ProgressReporter(io, terminalWriter(io), process.stderr.columns ?? 100);
  let summary: ExecutionSummary;
  try {
    // A new run with the plan just made: an older unfinished one would carry an older plan.
    summary = await executePlans(context, [actorId], 'generate_only', { signal: io.signal, onEvent: progress?.onEvent, fresh: true });
  } finally {
    progress?.finish();
  }
  if (values.json) {
    io.stdout(JSON.stringify(summaryToJson(summary), null, 2));
  } else {
    printSummary(summary, io, io.cwd);
  }
  return summary.failed.length > 0 || summary.skippedActors.length > 0 || summary.status === 'cancelled' ? EXIT_FAILED : EXIT_OK;
}
