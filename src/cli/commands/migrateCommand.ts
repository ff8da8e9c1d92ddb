import { InputError } from '../../core/errors';
import { describeLegacyLogImport, migrateActors, type MigrationReport } from '../../core/migrate';
import { CliCommand, EXIT_FAILED, EXIT_OK, selectActors } from '../cliSupport';

const MIGRATE_USAGE = 'actor-studio migrate [--actor-id ID | --all] [--dry-run] [--data DIR] [--json]';

/** `actor-studio migrate`: the old tool's files into current manifests; originals are kept. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary:
    "import the old tool's files (response.json, prompt_metadata.json, old manifests) into current manifests, and its prompt records and ratings into the generation log",
  usage: MIGRATE_USAGE,
  options: {
    'actor-id': { type: 'string' },
    all: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
  async run(values, io, studio) {
    if (values['actor-id'] && values.all) {
      throw new InputError(`give either --actor-id ID or --all, not both\nusage: ${MIGRATE_USAGE}`);
    }
    // Every actor unless one is named: migrating is idempotent, so --all is the safe default.
    const { dataRoot, ids } = await selectActors({ ...values, all: !values['actor-id'] }, studio, MIGRATE_USAGE);
    let report: MigrationReport;
    try {
      report = await migrateActors({ dataRoot, actorIds: ids, dryRun: Boolean(values['dry-run']), signal: io.signal });
    } catch (error) {
      if (!io.signal?.aborted) throw error;
      io.stderr('cancelled between actors; the actors done are complete, run migrate again for the rest');
      return EXIT_FAILED;
    }
    const failures = report.actors.reduce((sum, actor) => sum + actor.notImported.length, 0) + report.log.notImported.length;
    if (values.json) {
      io.stdout(JSON.stringify({ ...report, data: dataRoot }, null, 2));
    } else {
      io.stdout(formatReport(report, failures));
    }
    return failures > 0 ? EXIT_FAILED : EXIT_OK;
  },
};

function formatReport(report: MigrationReport, failures: number): string {
  const lines: string[] = [];
  for (const actor of report.actors) {
    const state = actor.changed ? (report.dryRun ? 'would change' : 'migrated') : 'nothing to change';
    lines.push(`${actor.actorId}: ${state}`);
    lines.push(...actor.imported.map((line) => `  + ${line}`));
    lines.push(...actor.notImported.map(({ item, reason }) => `  ! ${item}: ${reason}`));
  }
  lines.push(`generation log: ${describeLegacyLogImport(report.log, report.dryRun)}`);
  lines.push(...report.log.imported.map((line) => `  + ${line}`));
  lines.push(...report.log.notImported.map(({ item, reason }) => `  ! ${item}: ${reason}`));
  const changed = report.actors.filter((actor) => actor.changed).length;
  const verb = report.dryRun ? 'would change' : 'changed';
  lines.push(
    `${report.dryRun ? 'dry run, nothing written: ' : ''}${changed} of ${report.actors.length} actor(s) ${verb}; ${failures} item(s) could not be imported`,
  );
  return lines.join('\n');
}
