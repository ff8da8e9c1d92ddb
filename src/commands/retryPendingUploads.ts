import * as vscode from 'vscode';
import { CommandContext, requireTrust } from './commandContext';

/** Uploads the images that waited in data/tracking/pending_uploads.json, with progress and Cancel. */
export function retryPendingUploads(context: CommandContext) {
  return async (): Promise<void> => {
    if (!requireTrust('uploading images')) {
      return;
    }
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Actor Studio: uploading pending images', cancellable: true },
      (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return context.generation.retryPendingUploads(abort.signal);
      },
    );
    if (!summary) {
      void vscode.window.showInformationMessage('Actor Studio: no object store is configured (setting actorStudio.s3.bucket).');
      return;
    }
    const message = `Actor Studio: ${summary.uploaded.length} uploaded, ${summary.failed.length} failed, ${summary.remaining} still waiting.`;
    void (summary.failed.length > 0 || summary.stoppedBecause
      ? vscode.window.showWarningMessage(`${message} ${summary.stoppedBecause ?? summary.failed[0]?.error ?? ''}`)
      : vscode.window.showInformationMessage(message));
  };
}
