import type { DryRunResult, ExecutionEvent, ExecutionMode, ExecutionSummary, OperationView, SpendGuard, UndoSummary } from '../execute/types';
import type { StudioContext } from './context';
import type { RunSetup } from './services';

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
    `executing ${actorIds.join(', ')} (${mode}) with ${generator.model}, ${concurrency} request(s) at once${store ? ', mirrored to S3' : ''}`,
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
  });
  const spend = summary.spend.total === undefined ? 'spend unknown' : `spend about ${summary.spend.total.toFixed(2)} ${summary.spend.currency}`;
  services.logger?.info(
    `run ${summary.runId} ${summary.status}: ${summary.done.length} done, ${summary.failed.length} failed, ${summary.skipped.length} skipped, ${summary.remaining} not started; ${spend}; journal ${summary.journal}`,
  );
  summary.failed.forEach((operation) => services.logger?.warn(`failed: ${describeOperation(operation)}`));
  summary.skippedActors.forEach((actor) => services.logger?.warn(`${actor.actorId} not executed: ${actor.reason}`));
  return summary;
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
