import { emptyTrashRuns, listTrashRuns } from '../../core/app/execution';
import { InputError } from '../../core/errors';
import { parseAge, type TrashRun } from '../../core/execute';
import { formatBytes } from '../../core/util/formatBytes';
import { CliCommand, COMMON_USAGE, EXIT_FAILED, EXIT_OK, table } from '../cliSupport';

const USAGE = `actor-studio trash [list | empty [--older-than 30d]] ${COMMON_USAGE}`;

function runToJson(run: TrashRun) {
  return { run_id: run.runId, trashed_at: run.trashedAt, actor_ids: run.actorIds, files: run.files, bytes: run.bytes };
}

/**
 * `actor-studio trash`: what executions, Delete Image and Reconcile moved to data/.trash, per run
 * (`list`), and `empty` to delete it for good (`--older-than 30d`: only runs trashed longer ago).
 */
export const trashCommand: CliCommand = {
  name: 'trash',
  summary: 'list what is in data/.trash per run, or empty it for good (--older-than 30d keeps newer runs)',
  usage: USAGE,
  subcommands: ['list', 'empty'],
  options: { 'older-than': { type: 'string' } },
  async run(values, io, studio) {
    const context = await studio.context();
    if (values.subcommand === 'list') {
      if (values['older-than'] !== undefined) {
        throw new InputError(`--older-than goes with \`trash empty\`\nusage: ${USAGE}`);
      }
      const runs = await listTrashRuns(context);
      const files = runs.reduce((sum, run) => sum + run.files, 0);
      const bytes = runs.reduce((sum, run) => sum + run.bytes, 0);
      if (values.json) {
        io.stdout(JSON.stringify({ runs: runs.map(runToJson), files, bytes }, null, 2));
        return EXIT_OK;
      }
      if (runs.length > 0) {
        const rows = runs.map((run) => [run.runId, run.trashedAt, String(run.files), formatBytes(run.bytes), run.actorIds.join(', ')]);
        io.stdout(table([['RUN', 'TRASHED', 'FILES', 'SIZE', 'ACTORS'], ...rows]));
      }
      io.stdout(`${runs.length} run(s) in the trash: ${files} file(s), ${formatBytes(bytes)}`);
      return EXIT_OK;
    }
    const olderThan = values['older-than'] as string | undefined;
    const olderThanMs = olderThan === undefined ? undefined : parseAge(olderThan);
    if (olderThan !== undefined && olderThanMs === undefined) {
      throw new InputError(`--older-than must be a number of hours, days or weeks such as 12h, 30d or 2w, not "${olderThan}"\nusage: ${USAGE}`);
    }
    const outcome = await emptyTrashRuns(context, { olderThanMs });
    const troubled = outcome.kept.filter(({ reason }) => !reason.includes('newer than the cut-off'));
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            emptied: outcome.emptied.map(runToJson),
            kept: outcome.kept.map(({ run, reason }) => ({ ...runToJson(run), reason })),
            files: outcome.files,
            bytes: outcome.bytes,
          },
          null,
          2,
        ),
      );
    } else {
      io.stdout(`emptied ${outcome.emptied.length} run(s) from the trash: ${outcome.files} file(s), ${formatBytes(outcome.bytes)} deleted for good`);
      const newer = outcome.kept.length - troubled.length;
      if (newer > 0) {
        io.stdout(`kept ${newer} newer run(s) (undo still puts them back)`);
      }
      troubled.forEach(({ run, reason }) => io.stderr(`${run.runId}: kept in the trash: ${reason}`));
    }
    return troubled.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
