import * as vscode from 'vscode';
import { describeLegacyLogImport } from '../core/migrate/legacyLog';
import type { MigrationReport } from '../core/migrate/types';
import type { IntegrityController } from '../editor/integrityController';
import { CommandContext, requireTrust } from './commandContext';
import { MarkdownReports, plainMarkdown } from './markdownReports';
import { withCancellableProgress } from './progress';

export const MIGRATION_REPORT_SCHEME = 'actor-studio-migration';

/** Import Legacy Data's programmatic API: `executeCommand('actorStudio.importLegacyData', { confirm: false })`. */
export interface ImportLegacyOptions {
  /** Default: every actor of the data folder. */
  actorIds?: string[];
  /** `false` skips the modal confirmation (default: ask). */
  confirm?: boolean;
}

export interface ImportLegacyResult {
  dryRun: MigrationReport;
  /** Present when the import ran. */
  imported?: MigrationReport;
}

/**
 * Import Legacy Data: a dry run first (shown as a report), then a modal confirmation, then the
 * import with progress. Idempotent and the old tool's files are kept, but it rewrites manifests,
 * so it asks first and needs a trusted workspace.
 */
export function importLegacyData(context: CommandContext, integrity: IntegrityController, reports: MarkdownReports) {
  return async (options: ImportLegacyOptions = {}): Promise<ImportLegacyResult | undefined> => {
    if (!requireTrust('importing legacy data')) {
      return undefined;
    }
    // Every actor, even one whose manifest is invalid: objects stored as URLs are what migration repairs.
    const actorIds = options.actorIds ?? ((await context.workspace.index())?.actors ?? []).map((actor) => actor.id);
    if (actorIds.length === 0) {
      void vscode.window.showInformationMessage('Actor Studio: there are no actors in this workspace yet.');
      return undefined;
    }
    const dryRun = await withCancellableProgress("Actor Studio: reading the old tool's files", (signal) => integrity.migrate(actorIds, true, signal));
    await reports.show('Import Legacy Data', formatMigrationReport(dryRun));
    const changing = dryRun.actors.filter((actor) => actor.changed);
    if (changing.length === 0 && !dryRun.log.changed) {
      void vscode.window.showInformationMessage(
        "Actor Studio: nothing to import: the manifests and the generation log already hold everything the old tool's files have.",
      );
      return { dryRun };
    }
    if (options.confirm !== false && !(await confirmImport(dryRun))) {
      return { dryRun };
    }
    const imported = await withCancellableProgress(`Actor Studio: importing legacy data into ${changing.length} manifest(s) and the generation log`, (signal) =>
      integrity.migrate(actorIds, false, signal),
    );
    const changedIds = imported.actors.filter((actor) => actor.changed).map((actor) => actor.actorId);
    await context.tree.refresh(changedIds);
    await reports.show('Import Legacy Data', formatMigrationReport(imported));
    const skipped = imported.actors.reduce((sum, actor) => sum + actor.notImported.length, 0) + imported.log.notImported.length;
    void vscode.window.showInformationMessage(
      `Actor Studio: imported legacy data into ${changedIds.length} manifest(s); generation log: ${describeLegacyLogImport(imported.log, false)}${skipped > 0 ? `; ${skipped} item(s) could not be imported (see the report)` : ''}. The old files are kept.`,
    );
    return { dryRun, imported };
  };
}

async function confirmImport(dryRun: MigrationReport): Promise<boolean> {
  const changing = dryRun.actors.filter((actor) => actor.changed);
  const items = changing.reduce((sum, actor) => sum + actor.imported.length, 0);
  const notImported = dryRun.actors.reduce((sum, actor) => sum + actor.notImported.length, 0) + dryRun.log.notImported.length;
  const detail = [
    changing.length > 0
      ? `${items} item(s) go into the manifests of ${changing
          .map((actor) => actor.actorId)
          .slice(0, 3)
          .join(', ')}${changing.length > 3 ? ` and ${changing.length - 3} more` : ''}.`
      : undefined,
    dryRun.log.changed ? `Generation log: ${describeLegacyLogImport(dryRun.log, true)}.` : undefined,
    notImported > 0 ? `${notImported} item(s) cannot be imported (listed in the report).` : undefined,
    "The old tool's files are kept as they are.",
  ].filter((line): line is string => line !== undefined);
  const action = 'Import';
  return (
    (await vscode.window.showWarningMessage("Import the old tool's data into the manifests?", { modal: true, detail: detail.join('\n') }, action)) === action
  );
}

/** The migration report as Markdown: per actor, what is (or would be) imported and what cannot be. */
export function formatMigrationReport(report: MigrationReport, when = new Date()): string {
  const changing = report.actors.filter((actor) => actor.changed).length;
  const lines = [
    `# Import Legacy Data${report.dryRun ? ': dry run' : ''}`,
    '',
    `${when.toLocaleString()} · ${report.dryRun ? `nothing was changed; ${changing} manifest(s) would change` : `${changing} manifest(s) changed; the old files are kept`}.`,
  ];
  const log = report.log;
  lines.push('', '## Generation log', '', `${plainMarkdown(describeLegacyLogImport(log, report.dryRun))}.`, '');
  if (log.imported.length > 0) {
    lines.push(...log.imported.map((line) => `- ${plainMarkdown(line)}`), '');
  }
  if (log.notImported.length > 0) {
    lines.push(
      `### Not imported (${log.notImported.length})`,
      '',
      ...log.notImported.map(({ item, reason }) => `- ${plainMarkdown(item)}: ${plainMarkdown(reason)}`),
      '',
    );
  }
  for (const actor of report.actors) {
    lines.push('', `## ${plainMarkdown(actor.actorId)}`, '');
    if (actor.imported.length === 0 && actor.notImported.length === 0) {
      lines.push('Nothing to import.');
      continue;
    }
    if (actor.imported.length > 0) {
      lines.push(
        `### ${report.dryRun ? 'To import' : 'Imported'} (${actor.imported.length})`,
        '',
        ...actor.imported.map((line) => `- ${plainMarkdown(line)}`),
        '',
      );
    }
    if (actor.notImported.length > 0) {
      lines.push(
        `### Not imported (${actor.notImported.length})`,
        '',
        ...actor.notImported.map(({ item, reason }) => `- ${plainMarkdown(item)}: ${plainMarkdown(reason)}`),
        '',
      );
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
