import * as vscode from 'vscode';
import type { IntegrityController } from '../editor/integrityController';
import { balanceActor, balanceAllActors } from './balanceCommands';
import { CommandContext } from './commandContext';
import { CommandIds } from './commandIds';
import { createSampleWorkspace } from './createSampleWorkspace';
import { deleteImage } from './deleteImage';
import { DryRunReports } from './dryRunReport';
import { emptyTrash } from './emptyTrash';
import { executeAllPlans, executePlan, undoLastExecution } from './executeCommands';
import { exportDatasetCommand } from './exportDataset';
import { EXPORT_PREVIEW_SCHEME } from './exportPreviewReport';
import { fillToTarget } from './fillToTarget';
import { exportPromptDataCommand } from './exportPromptData';
import { keepImage } from './keepImage';
import { importLegacyData, MIGRATION_REPORT_SCHEME } from './importLegacyCommand';
import { MarkdownReports } from './markdownReports';
import { openAnalytics } from './openAnalytics';
import { openGallery } from './openGallery';
import { openGenerator } from './openGenerator';
import { openImageViewer } from './openImageViewer';
import { openManifest } from './openManifest';
import { openPlanReview } from './openPlanReview';
import { RECONCILE_REPORT_SCHEME, reconcileData } from './reconcileCommands';
import { evaluateActors, planActors, planAllActors } from './planCommands';
import { evaluateAllBatch } from './evaluateBatch';
import { rateImage } from './rateImage';
import { refresh } from './refresh';
import { reportCommandError } from './reportError';
import { retryPendingUploads } from './retryPendingUploads';
import { revealInExplorer } from './revealInExplorer';
import { setApiKey } from './setApiKey';
import { setCategory } from './setCategory';
import { editCaption, editCaptions, undoCaptionEditCommand } from './editCaptions';

/** Registers every command once; errors reach the user and the log instead of vanishing. */
/** A handler whose errors were reported already: it resolves to undefined instead of throwing. */
type Guarded<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R | undefined> : never;

/** The handlers panels use directly (typed functions, not command ids), with the registrations. */
export interface RegisteredCommands {
  disposables: vscode.Disposable[];
  executePlan: Guarded<ReturnType<typeof executePlan>>;
  fillToTarget: Guarded<ReturnType<typeof fillToTarget>>;
  deleteImage: Guarded<ReturnType<typeof deleteImage>>;
  rateImage: Guarded<ReturnType<typeof rateImage>>;
  keepImage: Guarded<ReturnType<typeof keepImage>>;
}

export function registerCommands(context: CommandContext, integrity: IntegrityController): RegisteredCommands {
  const dryRunReports = new DryRunReports();
  // Errors reach the user and the log once, whether the palette, a menu or a panel ran the handler.
  const guard =
    <A extends unknown[], R>(handler: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await handler(...args);
      } catch (error) {
        reportCommandError(error, context.logger, context.showLog);
        return undefined;
      }
    };
  const handlersUsedByPanels = {
    executePlan: guard(executePlan(context, dryRunReports)),
    fillToTarget: guard(fillToTarget(context, dryRunReports)),
    deleteImage: guard(deleteImage(context)),
    rateImage: guard(rateImage(context)),
    keepImage: guard(keepImage(context)),
  };
  const reconcileReports = new MarkdownReports(
    RECONCILE_REPORT_SCHEME,
    '# Reconcile\n\nThis report is gone (the window was reloaded). Run Reconcile Data again.\n',
  );
  const migrationReports = new MarkdownReports(
    MIGRATION_REPORT_SCHEME,
    '# Import Legacy Data\n\nThis report is gone (the window was reloaded). Run Import Legacy Data again.\n',
  );
  const exportPreviews = new MarkdownReports(
    EXPORT_PREVIEW_SCHEME,
    '# Export preview\n\nThis preview is gone (the window was reloaded). Run Export Dataset again and choose Preview.\n',
  );
  const handlers: Record<string, (...args: never[]) => Promise<unknown>> = {
    [CommandIds.refresh]: refresh(context),
    [CommandIds.openManifest]: openManifest(context),
    [CommandIds.revealInExplorer]: revealInExplorer(context),
    [CommandIds.createSampleWorkspace]: createSampleWorkspace(context),
    [CommandIds.setApiKey]: setApiKey(context.secrets),
    [CommandIds.openGenerator]: openGenerator(context),
    [CommandIds.retryPendingUploads]: retryPendingUploads(context),
    [CommandIds.evaluateActor]: evaluateActors(context),
    [CommandIds.evaluateAllBatch]: evaluateAllBatch(context),
    [CommandIds.planActor]: planActors(context),
    [CommandIds.planAllActors]: planAllActors(context),
    [CommandIds.openPlanReview]: openPlanReview(context),
    [CommandIds.openGallery]: openGallery(context),
    [CommandIds.executePlan]: handlersUsedByPanels.executePlan,
    [CommandIds.executeAllPlans]: executeAllPlans(context, dryRunReports),
    [CommandIds.fillToTarget]: handlersUsedByPanels.fillToTarget,
    [CommandIds.undoLastExecution]: undoLastExecution(context),
    [CommandIds.emptyTrash]: emptyTrash(context),
    [CommandIds.balanceActor]: balanceActor(context),
    [CommandIds.balanceAllActors]: balanceAllActors(context),
    [CommandIds.showLog]: async () => context.showLog(),
    [CommandIds.reconcileData]: reconcileData(context, integrity, reconcileReports),
    [CommandIds.importLegacyData]: importLegacyData(context, integrity, migrationReports),
    [CommandIds.exportDataset]: exportDatasetCommand(context, exportPreviews),
    [CommandIds.exportPromptData]: exportPromptDataCommand(context),
    [CommandIds.openAnalytics]: openAnalytics(context),
    [CommandIds.rateImage]: handlersUsedByPanels.rateImage,
    [CommandIds.setCategory]: setCategory(context),
    [CommandIds.openImageViewer]: openImageViewer(context),
    [CommandIds.deleteImage]: handlersUsedByPanels.deleteImage,
    [CommandIds.keepImage]: handlersUsedByPanels.keepImage,
    [CommandIds.editCaption]: editCaption(context),
    [CommandIds.editCaptions]: editCaptions(context),
    [CommandIds.undoCaptionEdit]: undoCaptionEditCommand(context),
  };
  const registered = Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, guard(handler)));
  return { disposables: [dryRunReports, reconcileReports, migrationReports, exportPreviews, ...registered], ...handlersUsedByPanels };
}
