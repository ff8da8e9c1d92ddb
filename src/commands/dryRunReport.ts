import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { DryRunResult } from '../core/execute/types';
import { CATEGORY_LABELS } from '../core/manifest/categories';
import { formatCost } from '../core/plan/cost';
import { MarkdownReports, plainMarkdown as plain } from './markdownReports';

export const DRY_RUN_SCHEME = 'actor-studio-dry-run';

const MODE_LABELS: Record<DryRunResult['mode'], string> = {
  everything: 'Everything',
  delete_only: 'Delete Only',
  generate_only: 'Generate Only',
};

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
      if (actor.stale) {
        lines.push('', 'Execute offers **Re-plan and Continue**: the actor is planned again from its current files, then executed.');
      }
      continue;
    }
    if (actor.trash.length === 0 && actor.create.length === 0 && actor.adopt.length === 0 && actor.dropEntries.length === 0) {
      lines.push('Nothing to do.');
      continue;
    }
    if (actor.trash.length > 0) {
      lines.push(`### To the trash (${actor.trash.length})`, '');
      for (const file of actor.trash) {
        const to = path.isAbsolute(file.to) ? path.relative(dataRoot, file.to) : file.to;
        lines.push(
          `- \`${file.filename}\` → \`${to.split(path.sep).join('/')}\`: ${plain(file.reason)}${file.s3Key ? ` (S3 object \`${file.s3Key}\` deleted)` : ''}`,
        );
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
    if (actor.adopt.length > 0 || actor.dropEntries.length > 0) {
      lines.push('', "### Manifest brought in step with the files (as Reconcile Data's Fix does)", '');
      actor.adopt.forEach((filename) => lines.push(`- \`${filename}\`: kept but not in the manifest; added to it`));
      actor.dropEntries.forEach((filename) => lines.push(`- \`${filename}\`: in the manifest but the file is gone; the entry goes to a trash record`));
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Dry runs open as read-only Markdown reports (see MarkdownReports for why). */
export class DryRunReports implements vscode.Disposable {
  private readonly reports = new MarkdownReports(DRY_RUN_SCHEME, '# Dry run\n\nThis report is gone (the window was reloaded). Run the dry run again.\n');

  /** Opens (or updates) the report of these actors; returns its document. */
  show(result: DryRunResult, dataRoot: string): Promise<vscode.TextDocument> {
    const actors = result.actors.length === 1 ? result.actors[0]!.actorId : `${result.actors.length} actors`;
    return this.reports.show(`Dry Run ${actors} (${MODE_LABELS[result.mode]})`, formatDryRun(result, dataRoot));
  }

  dispose(): void {
    this.reports.dispose();
  }
}
