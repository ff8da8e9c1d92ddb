import * as path from 'node:path';
import * as vscode from 'vscode';
import { copySampleActors } from '../core/workspace/sample';
import { dataRootFor, readSettings } from '../editor/settings';
import { ACTORS_VIEW_ID } from '../providers/actorsTree/actorsTreeProvider';
import { CommandContext, requireTrust } from './commandContext';

/**
 * Copies the bundled sample actors (real photos, some deliberately imperfect) into the data
 * folder, never overwriting an actor that exists. With no folder open, asks where to put it and
 * opens that folder.
 */
export function createSampleWorkspace(context: CommandContext) {
  return async (): Promise<void> => {
    if (!requireTrust('creating the sample workspace')) {
      return;
    }
    const sampleData = path.join(context.extensionUri.fsPath, 'sample', 'data');
    const folder = context.workspace.folder;
    if (!folder) {
      await createInNewFolder(sampleData);
      return;
    }
    const dataRoot = dataRootFor(folder, readSettings(folder).settings.dataFolder);
    const result = await vscode.window.withProgress({ location: { viewId: ACTORS_VIEW_ID }, title: 'Creating the sample actors' }, () =>
      copySampleActors(sampleData, dataRoot),
    );
    context.logger.info(`sample: copied ${result.copied.join(', ') || 'nothing'}; kept ${result.skipped.join(', ') || 'nothing'}`);
    await context.tree.refresh();
    await vscode.commands.executeCommand(`${ACTORS_VIEW_ID}.focus`);
    const kept = result.skipped.length > 0 ? ` ${result.skipped.length} already there, left as they were.` : '';
    void vscode.window.showInformationMessage(`Actor Studio: added ${result.copied.length} sample actor(s) to ${dataRoot}.${kept}`);
  };
}

async function createInNewFolder(sampleData: string): Promise<void> {
  const [chosen] =
    (await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Create Sample Here',
      title: 'Folder for the Actor Studio sample',
    })) ?? [];
  if (!chosen) {
    return;
  }
  await copySampleActors(sampleData, path.join(chosen.fsPath, 'data'));
  await vscode.commands.executeCommand('vscode.openFolder', chosen);
}
