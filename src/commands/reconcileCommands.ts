import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DriftFinding, DriftKind, FixSummary, ReconcileReport } from '../core/reconcile/types';
import type { IntegrityController } from '../editor/integrityController';
import { ActorNode, StudioNode } from '../providers/actorsTree/nodes';
import { CommandContext, requireTrust } from './commandContext';
import { codeSpan, MarkdownReports, plainMarkdown } from './markdownReports';
import { withCancellableProgress } from './progress';

export const RECONCILE_REPORT_SCHEME = 'actor-studio-reconcile';

/**
 * Reconcile Data's programmatic API (scripts, tests):
 * `executeCommand('actorStudio.reconcileData', actorIdOrNode, undefined, { fix: true })`.
 */
export interface ReconcileCommandOptions {
  /** Every actor, without the quick pick. */
  all?: boolean;
  /** `true` fixes drift at once, `false` never offers to; default: a notification offers Fix. */
  fix?: boolean;
}

export interface ReconcileCommandResult {
  report: ReconcileReport;
  /** When Fix ran (programmatically): what it did, and the reconcile after it. */
  fixed?: { summary: FixSummary; after: ReconcileReport };
}

/** Headings for each kind of drift, in the order the report lists them. */
export const DRIFT_KIND_LABELS: Record<DriftKind, string> = {
  untracked_file: 'Files not in the manifest',
  missing_file: 'Entries whose file is missing',
  s3_missing: 'Objects missing from S3',
  s3_extra: 'S3 objects no entry names',
  url_not_string: 'URLs that are not plain strings',
  duplicate_index: 'Duplicate indices',
  number_shared: 'Files sharing a number',
  prompt_metadata_out_of_step: 'prompt_metadata.json out of step',
  sha256_mismatch: 'sha256 mismatches',
  recovered_image: 'recovered paid images',
};

const FIX = 'Fix';

/** Reconcile Data: the clicked actor(s), an actor id, `{ all: true }`, or a quick pick (all or one). */
export function reconcileData(context: CommandContext, integrity: IntegrityController, reports: MarkdownReports) {
  return async (target?: StudioNode | string, nodes?: StudioNode[], options: ReconcileCommandOptions = {}): Promise<ReconcileCommandResult | undefined> => {
    const actorIds = await chooseActors(context, target, nodes, options);
    if (!actorIds || actorIds.length === 0) {
      return undefined;
    }
    const label = actorIds.length === 1 ? actorIds[0]! : `${actorIds.length} actors`;
    const report = await withCancellableProgress(`Actor Studio: reconciling ${label}`, (signal) => integrity.reconcile(actorIds, signal));
    const dataRoot = context.workspace.dataRoot ?? '';
    await reports.show(`Reconcile ${label}`, formatReconcileReport(report, dataRoot));
    if (report.total === 0) {
      void vscode.window.showInformationMessage(`Actor Studio: no drift in ${label}: the manifests agree with the files (and S3, when configured).`);
      return { report };
    }
    const fixAndShow = () => fixDrift(context, integrity, reports, report, actorIds, label);
    if (options.fix === true) {
      return requireTrust('fixing drift') ? { report, fixed: await fixAndShow() } : { report };
    }
    if (options.fix === undefined) {
      const actorsWithDrift = report.actors.filter((actor) => actor.findings.length > 0).length;
      const message = `Actor Studio: ${report.total} drift finding(s) in ${actorsWithDrift} actor(s); see the report.`;
      // Not awaited: the command is done once the report shows; Fix runs when (if) it is clicked.
      const offer = vscode.workspace.isTrusted ? vscode.window.showWarningMessage(message, FIX) : vscode.window.showWarningMessage(message);
      void offer.then(async (choice) => {
        if (choice === FIX && requireTrust('fixing drift')) {
          await fixAndShow().catch((error) => showError(context, error));
        }
      });
    }
    return { report };
  };
}

async function fixDrift(
  context: CommandContext,
  integrity: IntegrityController,
  reports: MarkdownReports,
  report: ReconcileReport,
  actorIds: string[],
  label: string,
): Promise<{ summary: FixSummary; after: ReconcileReport }> {
  const { summary, after } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Actor Studio: fixing drift in ${label}` },
    async (progress) => {
      const fixed = await integrity.fix(report);
      progress.report({ message: 'checking again' });
      // Reconciling again shows what is left and updates the badges.
      return { summary: fixed, after: await integrity.reconcile(actorIds) };
    },
  );
  await context.tree.refresh(actorIds);
  await reports.show(`Reconcile ${label}`, formatReconcileReport(after, context.workspace.dataRoot ?? '', summary));
  const message = `Actor Studio: fixed drift in ${label}: ${summary.applied.length} change(s)${summary.failed.length > 0 ? `, ${summary.failed.length} not fixed` : ''}; ${after.total} finding(s) left.`;
  void (summary.failed.length > 0 || after.total > 0 ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  return { summary, after };
}

async function chooseActors(
  context: CommandContext,
  target: StudioNode | string | undefined,
  nodes: StudioNode[] | undefined,
  options: ReconcileCommandOptions,
): Promise<string[] | undefined> {
  if (typeof target === 'string') {
    return [target];
  }
  const selected = (nodes && nodes.length > 0 ? nodes : target ? [target] : []).filter((each): each is ActorNode => each instanceof ActorNode);
  if (selected.length > 0) {
    return selected.map((node) => node.actorId);
  }
  const index = await context.workspace.index();
  const all = (index?.actors ?? []).map((actor) => actor.id);
  if (all.length === 0) {
    void vscode.window.showInformationMessage('Actor Studio: there are no actors in this workspace yet.');
    return undefined;
  }
  if (options.all) {
    return all;
  }
  const picked = await vscode.window.showQuickPick(
    [{ label: '$(list-tree) All actors', description: `${all.length}`, actorIds: all }, ...all.map((id) => ({ label: id, description: '', actorIds: [id] }))],
    { title: 'Actor Studio: Reconcile Data', placeHolder: 'Compare which manifests with the files on disk (and S3)?' },
  );
  return picked?.actorIds;
}

/** The core also names actors it could not compare (e.g. a manifest that is not JSON). */
type ReportWithSkipped = ReconcileReport & { skipped?: { actorId: string; reason: string }[] };

/** The report as Markdown, by actor and kind; with `fixed`, what Fix did comes first. */
export function formatReconcileReport(report: ReportWithSkipped, dataRoot: string, fixed?: FixSummary, when = new Date()): string {
  const withDrift = report.actors.filter((actor) => actor.findings.length > 0);
  const lines = [
    `# Reconcile: ${report.actors.length === 1 ? report.actors[0]!.actorId : `${report.actors.length} actors`}`,
    '',
    `${when.toLocaleString()} · ${report.total === 0 ? 'no drift' : `**${report.total}** finding(s) in **${withDrift.length}** actor(s)`}${fixed ? ' after the fix' : ''}.`,
  ];
  if (fixed) {
    lines.push('', `## Fixed (${fixed.applied.length})`, '');
    lines.push(...(fixed.applied.length > 0 ? fixed.applied.map((line) => `- ${plainMarkdown(line)}`) : ['Nothing was changed.']));
    if (fixed.failed.length > 0) {
      lines.push('', `## Not fixed (${fixed.failed.length})`, '');
      lines.push(...fixed.failed.map(({ finding, reason }) => `- ${finding.actorId}: ${plainMarkdown(finding.message)}: ${plainMarkdown(reason)}`));
    }
  }
  if (report.skipped && report.skipped.length > 0) {
    lines.push('', `## Not compared (${report.skipped.length})`, '');
    lines.push(...report.skipped.map((actor) => `- ${plainMarkdown(actor.actorId)}: ${plainMarkdown(actor.reason)}`));
  }
  for (const actor of report.actors) {
    lines.push('', `## ${plainMarkdown(actor.actorId)}`, '');
    if (actor.findings.length === 0) {
      lines.push('No drift.');
      continue;
    }
    for (const [kind, findings] of groupByKind(actor.findings)) {
      lines.push(`### ${DRIFT_KIND_LABELS[kind] ?? kind} (${findings.length})`, '');
      lines.push(...findings.map((finding) => `- ${describeFinding(finding, dataRoot)}`), '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Findings per kind, in DRIFT_KIND_LABELS order (kinds the core adds later come last). */
export function groupByKind(findings: readonly DriftFinding[]): [DriftKind, DriftFinding[]][] {
  const groups = new Map<DriftKind, DriftFinding[]>();
  findings.forEach((finding) => groups.set(finding.kind, [...(groups.get(finding.kind) ?? []), finding]));
  const order = Object.keys(DRIFT_KIND_LABELS);
  return [...groups].sort(([a], [b]) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1));
}

function describeFinding(finding: DriftFinding, dataRoot: string): string {
  const where = finding.filename
    ? codeSpan(finding.filename)
    : finding.file
      ? codeSpan(path.relative(dataRoot, finding.file).split(path.sep).join('/'))
      : undefined;
  return `${where ? `${where}: ` : ''}${plainMarkdown(finding.message)} (fix: ${plainMarkdown(finding.fix)})`;
}

function showError(context: CommandContext, error: unknown): void {
  context.logger.error(error as Error);
  void vscode.window.showErrorMessage(`Actor Studio: ${(error as Error).message}`);
}
