import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DryRunResult } from '../core/execute/types';
import { CATEGORY_LABELS } from '../core/manifest/categories';
import { formatCost } from '../core/plan/cost';

export const DRY_RUN_SCHEME = 'actor-studio-dry-run';

const MODE_LABELS: Record<DryRunResult['mode'], string> = {
  everything: 'Everything',
  delete_only: 'Delete Only',
  generate_only: 'Generate Only',
};

/**
 * Text from files (prompts, reasons) on one line, with the characters that would turn into
 * markup escaped: it reads as written both as text and in the preview, and runs nothing.
 * Underscores stay (inside words they are not emphasis), so `no_face` reads cleanly.
 */
function plain(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\`*[\]<>|]/g, (char) => `\\${char}`);
}

/** The dry run as Markdown: readable as text and in the preview (Open Preview, Ctrl+Shift+V). */
export function formatDryRun(result: DryRunResult, dataRoot: string, when = new Date()): string {
  const { cost } = result;
  const lines = [
    `# Dry run: ${MODE_LABELS[result.mode]}`,
    '',
    `${when.toLocaleString()} · nothing was changed.`,
    '',
    `- **${result.deletions}** file(s) to the trash`,
    `- **${result.generations}** image(s) to generate with \`${cost.model}\``,
    `- Estimated cost: **${formatCost(cost.total, cost.currency)}** (${cost.note})`,
  ];
  for (const actor of result.actors) {
    lines.push('', `## ${actor.actorId}`, '');
    if (actor.skipReason) {
      lines.push(`Not executed: ${actor.skipReason}`);
      continue;
    }
    if (actor.trash.length === 0 && actor.create.length === 0) {
      lines.push('Nothing to do.');
      continue;
    }
    if (actor.trash.length > 0) {
      lines.push(`### To the trash (${actor.trash.length})`, '');
      for (const file of actor.trash) {
        const to = path.isAbsolute(file.to) ? path.relative(dataRoot, file.to) : file.to;
        lines.push(`- \`${file.filename}\` → \`${to.split(path.sep).join('/')}\`: ${plain(file.reason)}${file.s3Key ? ` (S3 object \`${file.s3Key}\` deleted)` : ''}`);
      }
      lines.push('');
    }
    if (actor.create.length > 0) {
      lines.push(`### To create (${actor.create.length})`, '');
      if (actor.create.length > 1) {
        lines.push('_Generations run concurrently: which prompt gets which of these numbers follows the order they start._', '');
      }
      for (const file of actor.create) {
        lines.push(`- \`${file.filename}\` · ${CATEGORY_LABELS[file.category]} · \`${file.promptId}\`: ${plain(file.prompt)}`);
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * Dry runs open as read-only Markdown documents of their own scheme: readable, searchable and
 * copyable like any editor, closed without a "save?" prompt, and a second dry run of the same
 * actors updates the open tab instead of piling up untitled documents. The output channel would
 * mix the report into the log; a webview would be heavy for a list.
 */
export class DryRunReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DRY_RUN_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# Dry run\n\nThis report is gone (the window was reloaded). Run the dry run again.\n';
  }

  /** Opens (or updates) the report of these actors; returns its document. */
  async show(result: DryRunResult, dataRoot: string): Promise<vscode.TextDocument> {
    const actors = result.actors.length === 1 ? result.actors[0]!.actorId : `${result.actors.length} actors`;
    const uri = vscode.Uri.from({ scheme: DRY_RUN_SCHEME, path: `/Dry Run ${actors} (${MODE_LABELS[result.mode]}).md` });
    this.contents.set(uri.toString(), formatDryRun(result, dataRoot));
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    // Next to a panel (Plan Review stays visible), in place of a text editor otherwise.
    const besidePanel = vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputWebview;
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: besidePanel ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active });
    return document;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
