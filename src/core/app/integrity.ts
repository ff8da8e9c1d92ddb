import type { DatasetExportReport, ExportDatasetRequest } from '../export/dataset';
import type { DatasetChoices } from '../export/datasetPlan';
import type { DatasetPreview } from '../export/preview';
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
  return exportDataset({ ...options, dataRoot: context.dataRoot, minRating: minimumRating(context, options.minRating) });
}

export type DatasetPreviewOptions = Omit<DatasetChoices, 'dataRoot' | 'minRating'> & {
  /** As for exportTrainingSet. */
  minRating?: number;
};

/** What exportTrainingSet would write and what the trainer makes of it (captions, buckets, warnings); writes nothing. */
export async function previewTrainingSet(context: StudioContext, options: DatasetPreviewOptions): Promise<DatasetPreview> {
  const { previewDataset } = await import('../export/preview');
  return previewDataset({ ...options, dataRoot: context.dataRoot, minRating: minimumRating(context, options.minRating) });
}

function minimumRating(context: StudioContext, minRating: number | undefined): number | undefined {
  return minRating === undefined ? context.services.settings.export.minRating : minRating || undefined;
}
