import * as vscode from 'vscode';
import { errorFile, errorKind } from '../core/errors';
import type { Logger } from '../core/logger';

/**
 * The one place a command's error becomes a notification, by its kind (core/errors.ts): an input
 * error offers to open the file it names, an external failure to show the log, a bug says it is
 * one, and a cancellation is only logged (the user asked for it).
 */
export function reportCommandError(error: unknown, logger: Logger, showLog: () => void): void {
  const kind = errorKind(error);
  const message = error instanceof Error ? error.message : String(error);
  if (kind === 'cancelled') {
    logger.info(`cancelled: ${message}`);
    return;
  }
  logger.error(error instanceof Error ? error : new Error(message));
  const file = errorFile(error);
  if (kind === 'input') {
    const open = 'Open File';
    void vscode.window.showErrorMessage(`Actor Studio: ${message}`, ...(file ? [open] : [])).then((choice) => {
      if (choice === open && file) {
        void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
      }
    });
    return;
  }
  const show = 'Show Log';
  const text = kind === 'internal' ? `Actor Studio: unexpected error (a bug; the log has the details): ${message}` : `Actor Studio: ${message}`;
  void vscode.window.showErrorMessage(text, show).then((choice) => choice === show && showLog());
}
