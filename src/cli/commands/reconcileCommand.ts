import { InputError } from '../../core/errors';
import * as path from 'node:path';
import type { DriftFinding, ReconcileResult } from '../../core/reconcile';
import { fixDrift, reconcile } from '../../core/app/integrity';
import { StorageError } from '../../core/storage/errors';
import { CliCommand, CliIO, COMMON_USAGE, EXIT_FAILED, EXIT_OK, selectActors } from '../cliSupport';
import { S3_OPTIONS, S3_USAGE } from '../s3Options';

const RECONCILE_USAGE = `actor-studio reconcile [--actor-id ID | --all] [--fix] ${S3_USAGE} ${COMMON_USAGE}`;

/** A finding as --json prints it: snake_case, the file relative to the data folder. */
function findingJson(dataRoot: string, finding: DriftFinding) {
  return {
    kind: finding.kind,
    actor_id: finding.actorId,
    filename: finding.filename ?? null,
    file: finding.file ? path.relative(dataRoot, finding.file) : null,
    message: finding.message,
    fix: finding.fix,
  };
}

function reportJson(dataRoot: string, report: ReconcileResult) {
  return {
    total: report.total,
    actors: report.actors.map((actor) => ({ actor_id: actor.actorId, findings: actor.findings.map((finding) => findingJson(dataRoot, finding)) })),
    skipped: report.skipped.map((skipped) => ({ actor_id: skipped.actorId, file: path.relative(dataRoot, skipped.file), reason: skipped.reason })),
  };
}

function printReport(io: CliIO, report: ReconcileResult, s3Checked: boolean): void {
  for (const { actorId, findings } of report.actors) {
    if (findings.length === 0) {
      continue;
    }
    io.stdout(`${actorId}: ${findings.length} finding(s)`);
    for (const finding of findings) {
      io.stdout(`  ${finding.kind.padEnd(28)} ${finding.message}`);
      io.stdout(`  ${''.padEnd(28)} fix: ${finding.fix}`);
    }
  }
  report.skipped.forEach((skipped) => io.stderr(`${skipped.actorId}: not compared: ${skipped.reason}`));
  const withDrift = report.actors.filter((actor) => actor.findings.length > 0).length;
  const s3 = s3Checked ? '' : ' (S3 not compared: no bucket; pass --s3-bucket, set ACTOR_STUDIO_S3_BUCKET or actorStudio.s3.bucket)';
  io.stdout(
    report.total === 0
      ? `no drift in ${report.actors.length} actor(s)${s3}`
      : `${report.total} finding(s) in ${withDrift} of ${report.actors.length} actor(s)${s3}`,
  );
}

/** Reconciles; an object store that cannot be listed is said plainly (no stack trace) and exits 1. */
async function reconcileOrExplain(io: CliIO, run: () => Promise<ReconcileResult>): Promise<ReconcileResult | undefined> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StorageError) {
      io.stderr(`actor-studio: the bucket could not be listed (${error.message}); without the S3 flags reconcile compares the local files only`);
      return undefined;
    }
    throw error;
  }
}

/**
 * `actor-studio reconcile`: compares manifests with the files, prompt_metadata.json and S3.
 * Without --fix it exits 1 when it found drift (like `git diff --exit-code`); with --fix it says
 * what it will do, does it, checks again, and exits 1 when something is left.
 */
export const reconcileCommand: CliCommand = {
  name: 'reconcile',
  summary: 'compare manifests with the files, prompt_metadata.json and S3; --fix repairs the drift (nothing is deleted)',
  usage: RECONCILE_USAGE,
  options: {
    'actor-id': { type: 'string' },
    all: { type: 'boolean', default: false },
    fix: { type: 'boolean', default: false },
    ...S3_OPTIONS,
  },
  async run(values, io, studio) {
    if (values['actor-id'] && values.all) {
      throw new InputError(`give --actor-id ID or --all, not both\nusage: ${RECONCILE_USAGE}`);
    }
    // Every actor unless one is named: reconcile is a check to run over the whole data folder.
    const { dataRoot, ids } = await selectActors({ ...values, all: !values['actor-id'] }, studio, RECONCILE_USAGE);
    const context = await studio.context();
    const s3Checked = context.services.setup().objectStore.kind !== 'none';
    const report = await reconcileOrExplain(io, () => reconcile(context, ids, io.signal));
    if (!report) {
      return EXIT_FAILED;
    }
    if (!values.fix) {
      if (values.json) {
        io.stdout(JSON.stringify(reportJson(dataRoot, report), null, 2));
      } else {
        printReport(io, report, s3Checked);
      }
      return report.total > 0 || report.skipped.length > 0 ? EXIT_FAILED : EXIT_OK;
    }

    if (!values.json) {
      printReport(io, report, s3Checked);
      if (report.total > 0) {
        io.stdout('fixing:');
      }
    }
    const summary = await fixDrift(context, report);
    const remaining = await reconcileOrExplain(io, () => reconcile(context, ids, io.signal));
    if (!remaining) {
      return EXIT_FAILED;
    }
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            found: reportJson(dataRoot, report),
            applied: summary.applied,
            failed: summary.failed.map(({ finding, reason }) => ({ ...findingJson(dataRoot, finding), reason })),
            remaining: reportJson(dataRoot, remaining),
          },
          null,
          2,
        ),
      );
    } else {
      summary.applied.forEach((line) => io.stdout(`  fixed ${line}`));
      summary.failed.forEach(({ finding, reason }) => io.stderr(`  not fixed ${finding.actorId}/${finding.filename ?? ''} (${finding.kind}): ${reason}`));
      io.stdout(
        remaining.total === 0 && remaining.skipped.length === 0
          ? `checked again: no drift in ${remaining.actors.length} actor(s)`
          : `checked again: ${remaining.total} finding(s) remain; run actor-studio reconcile to see them`,
      );
    }
    const clean = summary.failed.length === 0 && remaining.total === 0 && remaining.skipped.length === 0;
    return clean ? EXIT_OK : EXIT_FAILED;
  },
};
