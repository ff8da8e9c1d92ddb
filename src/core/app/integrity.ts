import type { DatasetExportReport, ExportDatasetRequest } from '../export/dataset';
import type { ReconcileResult } from '../reconcile/reconcile';
import type { FixSummary, ReconcileReport } from '../reconcile/types';
import type { StudioContext } from './context';

/** Compares each manifest with the files on disk, prompt_metadata.json and, with a store, its objects. */
export async function reconcile(context: StudioContext, actorIds: readonly string[], signal?: AbortSignal): Promise<ReconcileResult> {
  const [{ reconcileActors }, store] = await Promise.all([import('../reconcile/index'), context.services.objectStore()]);
  const report = await reconcileActors({ dataRoot: context.dataRoot, actorIds, store, signal });
  context.services.logger?.info(
    `reconciled ${actorIds.length === 1 ? actorIds[0] : `${actorIds.length} actors`}${store ? ' with S3' : ''}: ${report.total} finding(s)`,
  );
  return report;
}

/** Repairs what a reconcile found (nothing is deleted outright). */
export async function fixDrift(context: StudioContext, report: ReconcileReport): Promise<FixSummary> {
  const [{ fixDrift: fix }, store] = await Promise.all([import('../reconcile/index'), context.services.objectStore()]);
  const summary = await fix({ dataRoot: context.dataRoot, report, store });
  summary.applied.forEach((line) => context.services.logger?.info(`fix: ${line}`));
  summary.failed.forEach(({ finding, reason }) => context.services.logger?.warn(`fix failed: ${finding.actorId}: ${finding.message}: ${reason}`));
  return summary;
}

export type DatasetExportOptions = Omit<ExportDatasetRequest, 'dataRoot' | 'minRating'> & {
  /** The fewest stars; 0 is no minimum. Default: the `export.minRating` setting. */
  minRating?: number;
};

/** The images that pass the checks and the rating minimum, as a training set a trainer reads. */
export async function exportTrainingSet(context: StudioContext, options: DatasetExportOptions): Promise<DatasetExportReport> {
  const { exportDataset } = await import('../export/dataset');
  const minRating = options.minRating === undefined ? context.services.settings.export.minRating : options.minRating || undefined;
  return exportDataset({ ...options, dataRoot: context.dataRoot, minRating });
}
