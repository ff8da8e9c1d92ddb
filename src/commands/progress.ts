import * as vscode from 'vscode';

export type ProgressReport = (message: string, increment: number) => void;
export type CancellableWork<T> = (signal: AbortSignal, report: ProgressReport) => Promise<T>;

/** Long work in a notification with progress and Cancel; Cancel aborts the signal. */
export function withCancellableProgress<T>(title: string, work: CancellableWork<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    return work(abort.signal, (message, increment) => progress.report({ message, increment })).finally(() => cancel.dispose());
  });
}
