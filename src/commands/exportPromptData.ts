import * as vscode from 'vscode';
import { defaultPromptExportPath, exportPromptData, type PromptExportOptions, type PromptTrainingData } from '../core/export/promptExport';
import { CommandContext, requireTrust } from './commandContext';

/**
 * Export Prompt Data's programmatic API (scripts, tests):
 * `executeCommand('actorStudio.exportPromptData', { outFile, minQualityRating: 4 })`.
 */
export interface ExportPromptDataOptions extends PromptExportOptions {
  /** Skips the save dialog; an existing file is replaced (as the dialog would have confirmed). */
  outFile?: string;
}

export interface ExportPromptDataResult {
  file: string;
  data: PromptTrainingData;
}

/**
 * Export Prompt Data: good prompts, failed prompts by reason and their analysis from the
 * generation log, as JSON in a file the user names (by default under data/exports/).
 */
export function exportPromptDataCommand(context: CommandContext) {
  return async (options: ExportPromptDataOptions = {}): Promise<ExportPromptDataResult | undefined> => {
    if (!requireTrust('exporting prompt data')) {
      return undefined;
    }
    const dataRoot = context.workspace.dataRoot;
    if (!dataRoot) {
      void vscode.window.showInformationMessage('Actor Studio: open a workspace folder first.');
      return undefined;
    }
    const outFile =
      options.outFile ??
      (
        await vscode.window.showSaveDialog({
          title: 'Actor Studio: Export Prompt Data',
          defaultUri: vscode.Uri.file(defaultPromptExportPath(dataRoot, new Date())),
          filters: { JSON: ['json'] },
          saveLabel: 'Export',
        })
      )?.fsPath;
    if (!outFile) {
      return undefined;
    }
    // The save dialog has asked about an existing file already.
    const result = await exportPromptData({ ...options, dataRoot, outFile, force: true });
    const { analysis } = result.data;
    const failed = Object.values(result.data.failed_prompts_by_category).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    context.logger.info(`exported prompt data to ${result.file}`);
    const open = 'Open File';
    const message = `Actor Studio: ${result.data.good_prompts.length} good, ${result.data.bad_prompts.length} bad and ${failed} failed prompt(s) exported from ${analysis.attempts} logged attempt(s).`;
    void vscode.window.showInformationMessage(message, open).then(async (choice) => {
      if (choice === open) {
        await vscode.window.showTextDocument(vscode.Uri.file(result.file));
      }
    });
    return result;
  };
}
