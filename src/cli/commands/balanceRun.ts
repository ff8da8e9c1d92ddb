import { balanceActors, type BalanceReport } from '../../core/app/balance';
import { InputError } from '../../core/errors';
import { CliIO, CliStudio, EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, selectActors } from '../cliSupport';
import { ProgressReporter, terminalWriter } from './executionProgress';

const USAGE = 'actor-studio execute (--actor-id ID | --all) --execute --until-balanced [--max-rounds N] [--budget USD]';

function numberOption(values: Record<string, unknown>, name: string, check: (value: number) => boolean, expected: string): number | undefined {
  if (values[name] === undefined) {
    return undefined;
  }
  const value = Number(values[name]);
  if (!check(value)) {
    throw new InputError(`--${name} must be ${expected}, not "${String(values[name])}"\nusage: ${USAGE}`);
  }
  return value;
}

function reportToJson(report: BalanceReport) {
  return {
    run_id: report.runId,
    resumed: report.resumed,
    rounds: report.rounds,
    stopped_by: report.stoppedBy,
    spend: { total: report.spentUsd, budget: report.budgetUsd, currency: 'USD', estimate: true },
    actors: report.actors.map((actor) => ({
      actor_id: actor.actorId,
      rounds: actor.rounds,
      accepted: actor.accepted,
      rejected: actor.rejected.map((image) => ({ filename: image.filename, prompt_id: image.promptId ?? null, reason: image.reason })),
      spend: actor.spentUsd,
      reached_target: actor.reached,
    })),
  };
}

/**
 * `execute --until-balanced`: rounds of execute, evaluate and re-plan (core/app/balance) until
 * every actor is at its targets, within --max-rounds and --budget. Ctrl+C stops it; the same
 * command resumes where it stopped.
 */
export async function runBalance(values: Record<string, unknown>, io: CliIO, studio: CliStudio): Promise<number> {
  if (!values.execute || values['delete-only'] || values['generate-only']) {
    throw new InputError(`--until-balanced goes with --execute and everything (no --dry-run, --delete-only or --generate-only)\nusage: ${USAGE}`);
  }
  const budgetUsd = numberOption(values, 'budget', (value) => Number.isFinite(value) && value >= 0, 'an amount in USD of at least 0');
  const { ids } = await selectActors(values, studio, USAGE);
  const context = await studio.context();
  await context.services.generator().catch((error: Error) => {
    throw new InputError(error.message);
  });
  const progress = values.json ? undefined : new ProgressReporter(io, terminalWriter(io), process.stderr.columns ?? 100);
  let report: BalanceReport;
  try {
    report = await balanceActors(context, ids, {
      budgetUsd, // the rounds come from the settings; --max-rounds sets balance.maxRounds
      fresh: Boolean(values.fresh),
      signal: io.signal,
      onEvent: (event) => {
        if (event.type === 'execution') {
          progress?.onEvent(event.event);
        } else if (event.type === 'round-started' && !values.json) {
          progress?.finish();
          io.stderr(`round ${event.round} of ${event.maxRounds}: ${event.actors} actor(s), spent $${event.spentUsd.toFixed(2)} so far`);
        } else if (event.type === 'round-finished' && !values.json) {
          progress?.finish();
          io.stderr(`after round ${event.round}: ${event.accepted} image(s) accepted, ${event.rejected} rejected, spent $${event.spentUsd.toFixed(2)}`);
        }
      },
    });
  } catch (error) {
    if (io.signal?.aborted) {
      progress?.finish();
      io.stderr('cancelled; run the same command again to resume (finished work is not repeated)');
      return EXIT_CANCELLED;
    }
    throw error;
  } finally {
    progress?.finish();
  }
  if (values.json) {
    io.stdout(JSON.stringify(reportToJson(report), null, 2));
  } else {
    const budget = report.budgetUsd === null ? '' : ` of a $${report.budgetUsd.toFixed(2)} budget`;
    io.stdout(
      `balance ${report.runId}${report.resumed ? ' (resumed)' : ''}: ${report.rounds} round(s), stopped: ${report.stoppedBy}; spent $${report.spentUsd.toFixed(2)}${budget}`,
    );
    for (const actor of report.actors) {
      io.stdout(
        `  ${actor.actorId}: ${actor.reached ? 'at target' : 'not at target'}; ${actor.accepted.length} accepted, ${actor.rejected.length} rejected in ${actor.rounds} round(s)`,
      );
      actor.rejected.forEach((image) => io.stdout(`    rejected ${image.filename}${image.promptId ? ` (${image.promptId})` : ''}: ${image.reason}`));
    }
  }
  if (report.stoppedBy === 'cancelled') {
    return EXIT_CANCELLED;
  }
  return report.actors.every((actor) => actor.reached) ? EXIT_OK : EXIT_FAILED;
}
