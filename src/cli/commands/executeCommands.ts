import { InputError } from '../../core/errors';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listRuns, type ExecutionMode, type ExecutionSummary, type ManifestSync, type OperationView, type UndoSummary } from '../../core/execute';
import { dryRun, executePlans, replanStale, undoExecution, type DryRunReport } from '../../core/app/execution';
import { runBalance } from './balanceRun';
import { describe, ProgressReporter, terminalWriter } from './executionProgress';
import type { RunSetup } from '../../core/app/services';
import type { StudioContext } from '../../core/app/context';
import { CostEstimate, formatCost } from '../../core/plan/cost';
import { actorPlanPath } from '../../core/workspace/layout';
import { formatProblem } from '../../core/workspace/formatProblem';
import type { DataProblem } from '../../core/workspace/problems';
import { S3_OPTIONS, S3_USAGE } from '../s3Options';
import { CliCommand, CliIO, CliStudio, COMMON_USAGE, EXIT_FAILED, EXIT_OK, selectActors, TARGET_OPTIONS, TARGET_USAGE } from '../cliSupport';

const EXECUTE_USAGE =
  'actor-studio execute (--actor-id ID | --all) (--dry-run | --execute) [--delete-only | --generate-only]\n' +
  '       [--until-balanced [--max-rounds N (default 3)] [--budget USD]]\n' +
  `       [--replan] [--provider auto|local|replicate] [--model OWNER/NAME] [--concurrency N|auto] [--fresh] ${TARGET_USAGE}\n` +
  `       ${S3_USAGE} ${COMMON_USAGE}`;

/** The mode the old tool's flags name: neither flag is everything. */
function modeFrom(values: Record<string, unknown>): ExecutionMode {
  if (values['delete-only'] && values['generate-only']) {
    throw new InputError(`--delete-only and --generate-only exclude each other\nusage: ${EXECUTE_USAGE}`);
  }
  return values['delete-only'] ? 'delete_only' : values['generate-only'] ? 'generate_only' : 'everything';
}

/**
 * `--actor-id ID` or `--all`: every actor that has a plan file, so a run over all actors does not
 * report the ones nobody planned as skipped.
 */
async function selectPlannedActors(values: Record<string, unknown>, studio: CliStudio): Promise<{ dataRoot: string; actorIds: string[] }> {
  const { dataRoot, ids } = await selectActors(values, studio, EXECUTE_USAGE);
  if (values['actor-id']) {
    return { dataRoot, actorIds: ids };
  }
  const planned: string[] = [];
  for (const id of ids) {
    if (
      await fs.stat(actorPlanPath(dataRoot, id)).then(
        () => true,
        () => false,
      )
    ) {
      planned.push(id);
    }
  }
  return { dataRoot, actorIds: planned };
}

function costToJson(cost: CostEstimate) {
  return {
    model: cost.model,
    images: cost.images,
    currency: cost.currency,
    per_image: cost.perImage ?? null,
    total: cost.total ?? null,
    estimate: true,
    note: cost.note,
  };
}

export function costText(cost: CostEstimate): string {
  return `${formatCost(cost.total, cost.currency)} (estimate: ${cost.images} image(s) with ${cost.model})`;
}

function operationToJson(operation: OperationView) {
  const json = {
    id: operation.id,
    actor_id: operation.actorId,
    kind: operation.kind,
    state: operation.state,
    filename: operation.filename,
    number: operation.number,
    reason: operation.reason,
    category: operation.category,
    prompt_id: operation.promptId,
    prompt: operation.prompt,
    failure_reason: operation.failureReason,
    error: operation.error,
    skip_reason: operation.skipReason,
    warning: operation.warning,
  };
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

export function printDryRun(result: DryRunReport, io: CliIO, replan: boolean): void {
  for (const actor of result.actors) {
    io.stdout(`${actor.actorId}${actor.skipReason ? `: skipped, ${actor.skipReason}` : ''}`);
    if (actor.stale) {
      io.stdout(`  stale   ${replan ? '--replan re-plans it first, then executes it' : 'execute --replan would re-plan it and go on'}`);
    }
    for (const trash of actor.trash) {
      io.stdout(`  trash   ${trash.filename} -> ${trash.to}  (${trash.reason})${trash.s3Key ? `  [S3 ${trash.s3Key}]` : ''}`);
    }
    for (const create of actor.create) {
      io.stdout(`  create  ${create.filename}  ${create.category}  ${create.promptId}: ${create.prompt}`);
    }
    for (const filename of actor.adopt) {
      io.stdout(`  adopt   ${filename}  (kept, not in the manifest: added to it as Reconcile's Fix does)`);
    }
    for (const filename of actor.dropEntries) {
      io.stdout(`  drop    ${filename}  (in the manifest, file gone: the entry goes to a trash record)`);
    }
  }
  const stale = result.actors.filter((actor) => actor.stale).map((actor) => actor.actorId);
  if (stale.length > 0) {
    io.stdout(
      `${stale.length} stale plan(s) (${stale.join(', ')}): ${replan ? 'with --replan they are re-planned before executing' : '--replan would re-plan them and go on'}`,
    );
  }
  io.stdout(`dry run (${result.mode}): ${result.deletions} to trash, ${result.generations} to create, ${costText(result.cost)}; nothing was changed`);
}

export function setupToJson(setup: RunSetup) {
  return {
    generator: { provider: setup.generator.provider, model: setup.generator.model, aspect_ratio: setup.generator.aspectRatio },
    concurrency: setup.concurrency,
    evaluator: { provider: setup.evaluator.provider, vision_model: setup.evaluator.visionModel, face_identity: setup.evaluator.faceIdentity },
    object_store:
      setup.objectStore.kind === 's3'
        ? {
            kind: 's3',
            bucket: setup.objectStore.bucket,
            region: setup.objectStore.region,
            endpoint: setup.objectStore.endpoint,
            key_prefix: setup.objectStore.keyPrefix,
          }
        : { kind: 'none' },
    targets: setup.targets,
  };
}

export function dryRunToJson(result: DryRunReport) {
  return {
    dry_run: true,
    mode: result.mode,
    setup: setupToJson(result.setup),
    deletions: result.deletions,
    generations: result.generations,
    cost: costToJson(result.cost),
    actors: result.actors.map((actor) => ({
      actor_id: actor.actorId,
      skip_reason: actor.skipReason ?? null,
      stale: actor.stale ?? false,
      trash: actor.trash.map((trash) => ({ filename: trash.filename, reason: trash.reason, to: trash.to, s3_key: trash.s3Key ?? null })),
      create: actor.create.map((create) => ({ filename: create.filename, category: create.category, prompt_id: create.promptId, prompt: create.prompt })),
      adopt: actor.adopt,
      drop_entries: actor.dropEntries,
    })),
  };
}

export function printSummary(summary: ExecutionSummary, io: CliIO, cwd: string): void {
  const deleted = summary.done.filter((operation) => operation.kind === 'delete').length;
  io.stdout(`run ${summary.runId}${summary.resumed ? ' (resumed)' : ''}, ${summary.mode}: ${summary.status}`);
  io.stdout(`  done: ${summary.done.length} (${deleted} moved to the trash, ${summary.done.length - deleted} generated)`);
  io.stdout(`  failed: ${summary.failed.length}`);
  summary.failed.forEach((operation) => io.stdout(`    ${describe(operation)}: ${operation.failureReason ?? 'error'}: ${operation.error ?? ''}`));
  io.stdout(`  skipped: ${summary.skipped.length}`);
  summary.skipped.forEach((operation) => io.stdout(`    ${describe(operation)}: ${operation.skipReason ?? ''}`));
  summary.skippedActors.forEach((actor) => io.stdout(`  actor not executed: ${actor.actorId}: ${actor.reason}`));
  summary.done.filter((operation) => operation.warning).forEach((operation) => io.stdout(`  warning: ${describe(operation)}: ${operation.warning}`));
  summary.adopted?.forEach((file) => io.stdout(`  kept file added to the manifest: ${file.actorId}/${file.filename}: ${file.note}`));
  summary.droppedEntries?.forEach((file) => io.stdout(`  entry of a gone file dropped: ${file.actorId}/${file.filename}: ${file.note}`));
  io.stdout(`  spend: ${costText(summary.spend)}`);
  io.stdout(`  journal: ${path.relative(cwd, summary.journal) || summary.journal}`);
  if (summary.status === 'cancelled') {
    io.stdout(`stopped with ${summary.remaining} operation(s) not started; run the same command again to resume (finished work is not repeated)`);
  }
}

function syncToJson(file: ManifestSync) {
  return { actor_id: file.actorId, filename: file.filename, note: file.note };
}

export function summaryToJson(summary: ExecutionSummary) {
  return {
    run_id: summary.runId,
    mode: summary.mode,
    status: summary.status,
    resumed: summary.resumed,
    journal: summary.journal,
    done: summary.done.map(operationToJson),
    failed: summary.failed.map(operationToJson),
    skipped: summary.skipped.map(operationToJson),
    remaining: summary.remaining,
    skipped_actors: summary.skippedActors.map((actor) => ({ actor_id: actor.actorId, reason: actor.reason })),
    adopted: (summary.adopted ?? []).map(syncToJson),
    dropped_entries: (summary.droppedEntries ?? []).map(syncToJson),
    spend: costToJson(summary.spend),
  };
}

/** `--replan`: stale plans are planned again (as `plan` would) before the run, so those actors are executed, not skipped. */
async function replanStaleActors(context: StudioContext, actorIds: readonly string[], io: CliIO, json: boolean) {
  const result = await replanStale(context, actorIds, { signal: io.signal });
  const replanned = result.planned.map(({ plan }) => ({ actor_id: plan.actorId, deletions: plan.deletions.length, generations: plan.generations.length }));
  if (!json) {
    replanned.forEach((row) => io.stderr(`re-planned ${row.actor_id} (its plan was stale): -${row.deletions} +${row.generations}`));
  }
  result.failed.forEach((failure) => io.stderr(`${failure.id}: re-planning failed: ${failure.reason}`));
  return replanned;
}

/**
 * `actor-studio execute`: carries out the action plans (data/action_plans/<actorId>_action_plan.json),
 * or with --dry-run says exactly what it would do. Resumes an unfinished run over the same actors and
 * mode unless --fresh.
 */
export const executeCommand: CliCommand = {
  name: 'execute',
  summary: 'carry out the action plans (trash deletions, generate missing images); --dry-run shows what would happen',
  usage: EXECUTE_USAGE,
  options: {
    'actor-id': { type: 'string' },
    all: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    execute: { type: 'boolean', default: false },
    'delete-only': { type: 'boolean', default: false },
    'generate-only': { type: 'boolean', default: false },
    provider: { type: 'string' },
    model: { type: 'string' },
    concurrency: { type: 'string' },
    'until-balanced': { type: 'boolean', default: false },
    // How the balance loop evaluates what arrived (as for `plan`).
    evaluator: { type: 'string' },
    'skip-face': { type: 'boolean', default: false },
    'max-rounds': { type: 'string' },
    budget: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    replan: { type: 'boolean', default: false },
    ...TARGET_OPTIONS,
    ...S3_OPTIONS,
  },
  async run(values, io, studio) {
    if (Boolean(values['dry-run']) === Boolean(values.execute)) {
      throw new InputError(`give either --dry-run or --execute\nusage: ${EXECUTE_USAGE}`);
    }
    const mode = modeFrom(values);
    if (values['until-balanced']) {
      if (values.replan) {
        throw new InputError(`--until-balanced re-plans every round; leave out --replan\nusage: ${EXECUTE_USAGE}`);
      }
      return runBalance(values, io, studio);
    }
    if (values['max-rounds'] !== undefined || values.budget !== undefined) {
      throw new InputError(`--max-rounds and --budget go with --until-balanced\nusage: ${EXECUTE_USAGE}`);
    }
    const { actorIds } = await selectPlannedActors(values, studio);
    if (actorIds.length === 0) {
      throw new InputError('no actor has a plan yet; run `actor-studio plan --all` first');
    }
    const context = await studio.context();

    if (values['dry-run']) {
      const result = await dryRun(context, actorIds, mode);
      if (values.json) {
        io.stdout(JSON.stringify(dryRunToJson(result), null, 2));
      } else {
        printDryRun(result, io, Boolean(values.replan));
      }
      return result.actors.some((actor) => actor.skipReason) ? EXIT_FAILED : EXIT_OK;
    }

    // A generator the settings cannot build (Replicate without a token) fails here, before any work.
    await context.services.generator().catch((error: Error) => {
      throw new InputError(error.message);
    });
    const replanned = values.replan ? await replanStaleActors(context, actorIds, io, Boolean(values.json)) : [];
    const progress = values.json ? undefined : new ProgressReporter(io, terminalWriter(io), process.stderr.columns ?? 100);
    let summary: ExecutionSummary;
    try {
      summary = await executePlans(context, actorIds, mode, { signal: io.signal, onEvent: progress?.onEvent, fresh: Boolean(values.fresh) });
    } finally {
      progress?.finish();
    }
    if (values.json) {
      io.stdout(JSON.stringify({ ...summaryToJson(summary), replanned }, null, 2));
    } else {
      printSummary(summary, io, io.cwd);
    }
    const incomplete = summary.failed.length > 0 || summary.skippedActors.length > 0 || summary.status === 'cancelled';
    return incomplete ? EXIT_FAILED : EXIT_OK;
  },
};

function undoToJson(summary: UndoSummary) {
  return {
    run_id: summary.runId,
    restored: summary.restored.map((file) => ({ actor_id: file.actorId, filename: file.filename, ...(file.warning ? { warning: file.warning } : {}) })),
    failed: summary.failed.map((file) => ({ actor_id: file.actorId, filename: file.filename, reason: file.reason })),
    reuploaded: summary.reuploaded,
    queued: summary.queued,
  };
}

/** `actor-studio undo`: puts the files a run moved to the trash back, with their manifest entries. */
export const undoCommand: CliCommand = {
  name: 'undo',
  summary: 'put back what an execution moved to the trash (default: the latest run not undone yet)',
  usage: `actor-studio undo [--run RUN_ID] ${S3_USAGE} ${COMMON_USAGE}`,
  options: { run: { type: 'string' }, ...S3_OPTIONS },
  async run(values, io, studio) {
    const context = await studio.context();
    const dataRoot = context.dataRoot;
    const runId = values.run as string | undefined;
    const unreadable: DataProblem[] = [];
    const runs = await listRuns(dataRoot, unreadable);
    // A journal that cannot be read is never undone; say which and why, so the user can fix it.
    unreadable.forEach((problem) => io.stderr(`${formatProblem(io.cwd, problem)} (this run journal is ignored)`));
    if (runId !== undefined && !runs.some((run) => run.runId === runId)) {
      throw new InputError(`unknown run "${runId}"${runs.length ? `; runs: ${runs.map((run) => run.runId).join(', ')}` : ''}`);
    }
    if (runId === undefined && !runs.some((run) => run.deleted > 0 && !run.undoneAt && !run.trashEmptiedAt)) {
      if (values.json) {
        io.stdout(JSON.stringify({ run_id: null, restored: [], failed: [], reuploaded: 0, queued: 0 }, null, 2));
      } else {
        io.stdout('nothing to undo: no run moved files to the trash that was not undone already');
      }
      return EXIT_OK;
    }
    const summary = await undoExecution(context, runId, io.signal);
    if (values.json) {
      io.stdout(JSON.stringify(undoToJson(summary), null, 2));
    } else {
      io.stdout(`undo ${summary.runId}: ${summary.restored.length} restored, ${summary.failed.length} not restored`);
      summary.restored.forEach((file) => io.stdout(`  restored ${file.actorId}/${file.filename}${file.warning ? ` (warning: ${file.warning})` : ''}`));
      summary.failed.forEach((file) => io.stdout(`  not restored ${file.actorId}/${file.filename}: ${file.reason}`));
      if (summary.reuploaded || summary.queued) {
        io.stdout(`  S3: ${summary.reuploaded} re-uploaded, ${summary.queued} queued (actor-studio retry-uploads)`);
      }
    }
    return summary.failed.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
