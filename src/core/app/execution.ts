import type { DryRunResult, ExecutionEvent, ExecutionMode, ExecutionSummary, OperationView, SpendGuard, UndoSummary } from '../execute/types';
import { AUTO_CONCURRENCY } from '../execute/types';
import { AUTO_CONCURRENCY_CAP } from '../execute/adaptiveConcurrency';
import type { StudioContext } from './context';
import type { RunSetup } from './services';
import { planActors, type PlanOptions, type PlanResult } from './evaluation';

/** One line per operation, as logs and progress show it. */
export function describeOperation(operation: OperationView): string {
  const what = operation.kind === 'delete' ? `trash ${operation.filename ?? '?'}` : `generate ${operation.filename ?? operation.promptId ?? '?'}`;
  switch (operation.state) {
    case 'failed':
      return `${operation.actorId}: ${what} failed (${operation.failureReason ?? 'error'}: ${operation.error ?? 'no message'})`;
    case 'skipped':
      return `${operation.actorId}: ${what} skipped (${operation.skipReason ?? 'no reason given'})`;
    default:
      return `${operation.actorId}: ${what}${operation.warning ? ` (warning: ${operation.warning})` : ''}`;
  }
}

/** A dry run and the services the run would use (model, concurrency, evaluator, object store, targets). */
export interface DryRunReport extends DryRunResult {
  setup: RunSetup;
}

/** The exact operations the actors' plans would run now, priced with the model the settings name; changes nothing. */
export async function dryRun(context: StudioContext, actorIds: readonly string[], mode: ExecutionMode): Promise<DryRunReport> {
  const { services } = context;
  const setup = services.setup();
  const [{ dryRunPlans }, store] = await Promise.all([import('../execute/index'), services.objectStore()]);
  const result = await dryRunPlans({ dataRoot: context.dataRoot, actorIds, mode, model: setup.generator.model, store });
  services.logger?.info(
    `dry run (${mode}) of ${actorIds.join(', ')}: ${result.deletions} to trash, ${result.generations} to generate with ${setup.generator.model}`,
  );
  return { ...result, setup };
}

/**
 * Plans again the actors whose plan is stale (their files changed since planning, e.g. images
 * deleted by hand), so an execution goes on with them instead of skipping them. Actors without a
 * plan or with a current one are left as they are.
 */
export async function replanStale(context: StudioContext, actorIds: readonly string[], options: PlanOptions = {}): Promise<PlanResult & { stale: string[] }> {
  const [{ ActorIndex }, { readPlanStatus }, { FileHasher }] = await Promise.all([
    import('../actors/dataIndex'),
    import('../plan/planFiles'),
    import('../fs/files'),
  ]);
  const index = new ActorIndex(context.dataRoot);
  const hasher = context.hasher ?? new FileHasher();
  const stale: string[] = [];
  for (const actorId of actorIds) {
    if ((await readPlanStatus(context.dataRoot, index.actor(actorId), hasher)).state === 'stale') {
      stale.push(actorId);
    }
  }
  if (stale.length === 0) {
    return { stale, planned: [], failed: [], resumedFrom: [] };
  }
  context.services.logger?.info(`re-planning ${stale.length} stale plan(s): ${stale.join(', ')}`);
  return { stale, ...(await planActors(context, stale, { ...options, index: undefined })) };
}

/**
 * Fill to target, first step: plans the actor against the targets now (what it lacks, with
 * prompts it has not used) and returns the generate-only dry run that the confirmation shows.
 * Generations only: filling never deletes; the plan's deletions wait for Execute Plan.
 */
export async function planFill(context: StudioContext, actorId: string, options: PlanOptions = {}): Promise<DryRunReport> {
  await planActors(context, [actorId], options);
  return dryRun(context, [actorId], 'generate_only');
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** A spending limit checked before every paid request (Balance). */
  budget?: SpendGuard;
  onEvent?: (event: ExecutionEvent) => void;
  /** Always a new run, even when an unfinished one over the same actors and mode could resume. */
  fresh?: boolean;
}

/** Runs the plans (or resumes the unfinished run over the same actors and mode) with the configured generator, store and concurrency. */
export async function executePlans(
  context: StudioContext,
  actorIds: readonly string[],
  mode: ExecutionMode,
  options: ExecuteOptions = {},
): Promise<ExecutionSummary> {
  const { services } = context;
  const [{ executePlans: run }, generator, store] = await Promise.all([import('../execute/index'), services.generator(), services.objectStore()]);
  const concurrency = services.settings.execution.concurrency;
  services.logger?.info(
    `executing ${actorIds.join(', ')} (${mode}) with ${generator.model}, ${concurrency === AUTO_CONCURRENCY ? `requests at once adapted to throttling (1 to ${AUTO_CONCURRENCY_CAP})` : `${concurrency} request(s) at once`}${store ? ', mirrored to S3' : ''}`,
  );
  const summary = await run({
    dataRoot: context.dataRoot,
    actorIds,
    mode,
    generator,
    store,
    concurrency,
    signal: options.signal,
    onEvent: options.onEvent,
    budget: options.budget,
    resume: options.fresh ? 'never' : 'auto',
    // Inside the run, before it is recorded as completed: a kill in between resumes into it again.
    beforeCompleted: (executed) => syncManifests(context, executed),
  });
  const spend = summary.spend.total === undefined ? 'spend unknown' : `spend about ${summary.spend.total.toFixed(2)} ${summary.spend.currency}`;
  services.logger?.info(
    `run ${summary.runId} ${summary.status}: ${summary.done.length} done, ${summary.failed.length} failed, ${summary.skipped.length} skipped, ${summary.remaining} not started; ${spend}; journal ${summary.journal}`,
  );
  summary.failed.forEach((operation) => services.logger?.warn(`failed: ${describeOperation(operation)}`));
  summary.skippedActors.forEach((actor) => services.logger?.warn(`${actor.actorId} not executed: ${actor.reason}`));
  return summary;
}

/**
 * After an actor's plan ran, its manifest is brought in step with its files exactly as
 * Reconcile's Fix does it: kept image files the manifest does not list (the old tool's images,
 * files copied in by hand) are adopted (number from the name, prompt and time from
 * prompt_metadata.json, hash and size from the file), and entries whose file was deleted by hand
 * go to a trash record. Nothing is deleted; adoption only adds entries.
 */
async function syncManifests(context: StudioContext, actorIds: readonly string[]): Promise<Pick<ExecutionSummary, 'adopted' | 'droppedEntries'>> {
  const [{ ActorIndex }, { findActorDrift, fixDrift }, { FileHasher }] = await Promise.all([
    import('../actors/dataIndex'),
    import('../reconcile/index'),
    import('../fs/files'),
  ]);
  const index = new ActorIndex(context.dataRoot);
  const hasher = context.hasher ?? new FileHasher();
  const synced: Required<Pick<ExecutionSummary, 'adopted' | 'droppedEntries'>> = { adopted: [], droppedEntries: [] };
  for (const actorId of actorIds) {
    if (!index.actor(actorId).images.some((image) => !image.tracked || image.missing)) {
      continue;
    }
    const findings = (await findActorDrift(context.dataRoot, actorId, undefined, hasher)).filter(
      (finding) => finding.kind === 'untracked_file' || finding.kind === 'missing_file',
    );
    const fixed = await fixDrift({ dataRoot: context.dataRoot, report: { actors: [{ actorId, findings }], total: findings.length } });
    fixed.failed.forEach((failure) => context.services.logger?.warn(`${actorId}: ${failure.finding.message}, left as it is: ${failure.reason}`));
    // fixDrift reports one applied line per finding it fixed, dead entries first, then adoptions.
    const succeeded = findings.filter((finding) => !fixed.failed.some((failure) => failure.finding === finding));
    const ordered = [...succeeded.filter((finding) => finding.kind === 'missing_file'), ...succeeded.filter((finding) => finding.kind === 'untracked_file')];
    ordered.forEach((finding, position) => {
      const line = fixed.applied[position] ?? '';
      context.services.logger?.info(`manifest in step with the files: ${line}`);
      const list = finding.kind === 'missing_file' ? synced.droppedEntries : synced.adopted;
      list.push({ actorId, filename: finding.filename ?? '', note: line.slice(line.indexOf(': ') + 2) });
    });
  }
  return synced;
}

/** Puts back what a run moved to the trash (default: the latest run not undone yet); S3 objects are uploaded again. */
export async function undoExecution(context: StudioContext, runId?: string, signal?: AbortSignal): Promise<UndoSummary> {
  const { services } = context;
  const [{ undoRun }, store] = await Promise.all([import('../execute/index'), services.objectStore()]);
  const summary = await undoRun({ dataRoot: context.dataRoot, runId, store, signal });
  services.logger?.info(
    `undo of ${summary.runId}: ${summary.restored.length} restored, ${summary.failed.length} not restored, ${summary.reuploaded} re-uploaded, ${summary.queued} upload(s) queued`,
  );
  summary.failed.forEach((failure) =>
    services.logger?.warn(`undo of ${summary.runId}: ${failure.actorId}/${failure.filename} not restored: ${failure.reason}`),
  );
  return summary;
}

/** Moves images to the trash by hand, as one undoable run; their S3 objects go too. */
export async function deleteImages(context: StudioContext, images: ReadonlyArray<{ actorId: string; filename: string }>, reason: string) {
  const { services } = context;
  const [{ deleteImagesToTrash }, store] = await Promise.all([import('../execute/deleteImage'), services.objectStore()]);
  const outcome = await deleteImagesToTrash({ dataRoot: context.dataRoot, images, reason, store });
  services.logger?.info(`moved ${outcome.moved.length} image(s) to the trash (run ${outcome.runId})`);
  outcome.warnings.forEach((warning) => services.logger?.warn(warning));
  return outcome;
}

/** Runs with something in the trash (data/.trash), oldest first, with their files and size. */
export async function listTrashRuns(context: StudioContext) {
  const { listTrash } = await import('../execute/index');
  return listTrash(context.dataRoot);
}

/**
 * Deletes the trash for good (all of it, or runs trashed longer ago than `olderThanMs`); image
 * numbers stay used and undo still works for every run that remains.
 */
export async function emptyTrashRuns(context: StudioContext, options: { olderThanMs?: number } = {}) {
  const [{ emptyTrash }, { formatBytes }] = await Promise.all([import('../execute/index'), import('../util/formatBytes')]);
  const outcome = await emptyTrash(context.dataRoot, options);
  context.services.logger?.info(`emptied the trash of ${outcome.emptied.length} run(s): ${outcome.files} file(s), ${formatBytes(outcome.bytes)}`);
  return outcome;
}
