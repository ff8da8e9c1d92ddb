import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { exportTrainingSet, previewTrainingSet } from '../core/app/integrity';
import { DATASET_FORMATS, folderWordProblem, type DatasetExportReport, type DatasetFormat } from '../core/export/dataset';
import { ActorNode, type StudioNode } from '../providers/actorsTree/nodes';
import { CommandContext, requireTrust } from './commandContext';
import { formatExportPreview } from './exportPreviewReport';
import type { MarkdownReports } from './markdownReports';
import { withCancellableProgress } from './progress';

/**
 * Export Dataset's programmatic API (scripts, tests):
 * `executeCommand('actorStudio.exportDataset', undefined, undefined, { actorIds, format, outDir, confirm: false })`.
 * Without `outDir` and `preview`, it offers Preview / Export / Cancel before asking for the folder.
 */
export interface ExportDatasetOptions {
  /** Default: the clicked or selected actors, else a pick from every actor. */
  actorIds?: string[];
  /** Skips the format quick pick. */
  format?: DatasetFormat;
  /** Skips the folder dialog. */
  outDir?: string;
  /** One actor only; skips the input box (default: the actor id). */
  trigger?: string;
  /** Default: the `actorStudio.export.minRating` setting. */
  minRating?: number;
  /** `false` replaces the exported actors' folders in a non-empty folder without asking (default: ask). */
  confirm?: boolean;
  /** `true` shows the preview, `false` skips it; default: offer it, unless `outDir` is given. */
  preview?: boolean;
  /** After the preview: `true` exports, `false` stops (default: ask). */
  exportAfterPreview?: boolean;
  /** The training resolution of the buckets and of kohya's dataset.toml (default 1024). */
  resolution?: number;
}

const FORMAT_ITEMS: (vscode.QuickPickItem & { format: DatasetFormat })[] = [
  {
    format: 'kohya',
    label: 'kohya sd-scripts',
    description: 'kohya',
    detail: '<repeats>_<trigger> <class>/ with a .txt caption beside each image, dataset.toml, metadata.jsonl',
  },
  {
    format: 'ai-toolkit',
    label: 'ai-toolkit',
    description: 'ai-toolkit',
    detail: 'images/ with .txt captions, control/ with the base image for Kontext training, metadata.jsonl',
  },
];

/**
 * Export Dataset: the images of the chosen actors that pass the checks (and the minimum rating
 * setting) as a training set a trainer reads as it is. Writes outside the data folder, into the
 * folder the user picks, so it asks before replacing anything and needs a trusted workspace.
 */
export function exportDatasetCommand(context: CommandContext, previews: MarkdownReports) {
  return async (node?: StudioNode, nodes?: StudioNode[], options: ExportDatasetOptions = {}): Promise<DatasetExportReport | undefined> => {
    if (!requireTrust('exporting a dataset')) {
      return undefined;
    }
    const dataRoot = context.workspace.dataRoot;
    const actorIds = options.actorIds ?? (await chooseActors(context, node, nodes));
    if (!dataRoot || !actorIds || actorIds.length === 0) {
      return undefined;
    }
    const format =
      options.format ??
      (await vscode.window.showQuickPick(FORMAT_ITEMS, { title: 'Actor Studio: Export Dataset', placeHolder: 'Which trainer is the set for?' }))?.format;
    if (!format || !DATASET_FORMATS.includes(format)) {
      return undefined;
    }
    const trigger = actorIds.length === 1 ? (options.trigger ?? (await askTrigger(actorIds[0]!))) : undefined;
    if (actorIds.length === 1 && trigger === undefined) {
      return undefined;
    }
    const studio = await context.workspace.context();
    const minRating = options.minRating ?? studio.services.settings.export.minRating;
    const choices = { actorIds, format, trigger, minRating, resolution: options.resolution };
    const step = await previewOrExport(options);
    if (step === undefined) {
      return undefined;
    }
    if (step === 'preview') {
      const preview = await withCancellableProgress('Actor Studio: previewing the export', (signal) => previewTrainingSet(studio, { ...choices, signal }));
      await previews.show(`Export Preview ${actorIds.length === 1 ? actorIds[0]! : `${actorIds.length} actors`}`, formatExportPreview(preview));
      if (!(options.exportAfterPreview ?? (await askExportAfterPreview(preview.images.length, preview.warnings.length)))) {
        return undefined;
      }
    }
    const outDir = options.outDir ?? (await pickFolder());
    if (!outDir) {
      return undefined;
    }
    const nonEmpty = (await fs.readdir(outDir).catch(() => [])).length > 0;
    if (nonEmpty && options.confirm !== false && !(await confirmReplace(outDir, actorIds))) {
      return undefined;
    }
    const label = actorIds.length === 1 ? actorIds[0]! : `${actorIds.length} actors`;
    const report = await withCancellableProgress(`Actor Studio: exporting ${label} for ${format}`, (signal, progress) =>
      exportTrainingSet(studio, {
        ...choices,
        outDir,
        force: nonEmpty,
        signal,
        onActorExported: (actor, done, total) => progress(`${actor.actorId}: ${actor.exported} image(s) (${done}/${total})`, 100 / total),
      }),
    );
    context.logger.info(`exported ${report.exported} image(s) of ${label} as ${format} to ${report.outDir}`);
    void showExported(report, minRating);
    return report;
  };
}

/** The selected actors (multi-select), the clicked one, else a pick from every actor (all ticked). */
async function chooseActors(context: CommandContext, node?: StudioNode, nodes?: StudioNode[]): Promise<string[] | undefined> {
  const selected = (nodes && nodes.length > 0 ? nodes : node ? [node] : []).filter((each): each is ActorNode => each instanceof ActorNode);
  if (selected.length > 0) {
    return selected.map((each) => each.actorId);
  }
  const index = await context.workspace.index();
  if (!index?.exists || index.actors.length === 0) {
    void vscode.window.showInformationMessage('Actor Studio: there are no actors in this workspace yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    index.actors.map((actor) => ({ label: actor.id, description: actor.info.displayName, picked: true })),
    { title: 'Actor Studio: Export Dataset', placeHolder: 'Actors to export', canPickMany: true, matchOnDescription: true },
  );
  return picked?.map((item) => item.label);
}

/** Preview (writes nothing), Export, or undefined for Cancel; scripts that name the folder export. */
async function previewOrExport(options: ExportDatasetOptions): Promise<'preview' | 'export' | undefined> {
  if (options.preview !== undefined) {
    return options.preview ? 'preview' : 'export';
  }
  if (options.outDir !== undefined) {
    return 'export';
  }
  const items: (vscode.QuickPickItem & { step?: 'preview' | 'export' })[] = [
    {
      step: 'preview',
      label: '$(eye) Preview',
      detail: 'Captions as the trainer reads them, its aspect-ratio buckets and crops, and warnings; writes nothing',
    },
    { step: 'export', label: '$(export) Export', detail: 'Choose the folder and write the training set' },
    { label: '$(close) Cancel' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Actor Studio: Export Dataset', placeHolder: 'Preview the training set first?' });
  return picked?.step;
}

async function askExportAfterPreview(images: number, warnings: number): Promise<boolean> {
  const exportChoice = 'Export...';
  const answer = await vscode.window.showInformationMessage(
    `Actor Studio: preview of ${images} image(s)${warnings > 0 ? ` with ${warnings} warning(s)` : ''}; nothing was written. Export them?`,
    exportChoice,
    'Cancel',
  );
  return answer === exportChoice;
}

async function pickFolder(): Promise<string | undefined> {
  const [folder] =
    (await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: 'Export Here',
      title: 'Actor Studio: folder for the training set (outside the data folder)',
    })) ?? [];
  return folder?.fsPath;
}

async function askTrigger(actorId: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Actor Studio: Export Dataset',
    prompt: "Trigger word: the word that stands for this actor in every caption (and in kohya's folder name)",
    value: actorId,
    validateInput: (value) => (value === '' ? 'A trigger word is needed' : folderWordProblem(value)),
  });
}

async function confirmReplace(outDir: string, actorIds: string[]): Promise<boolean> {
  const names = `${actorIds.slice(0, 3).join(', ')}${actorIds.length > 3 ? ` and ${actorIds.length - 3} more` : ''}`;
  const replace = 'Replace';
  const answer = await vscode.window.showWarningMessage(
    "Replace the exported actors' folders?",
    { modal: true, detail: `${outDir} is not empty. The folders of ${names} in it are replaced; everything else in it stays.` },
    replace,
  );
  return answer === replace;
}

async function showExported(report: DatasetExportReport, minRating: number | undefined): Promise<void> {
  const skipped = report.actors.reduce((sum, actor) => sum + actor.skipped.length, 0);
  const notEvaluated = report.actors.reduce((sum, actor) => sum + actor.notEvaluated.length, 0);
  const warnings = report.actors.flatMap((actor) => actor.warnings.map((warning) => `${actor.actorId}: ${warning}`));
  const parts = [
    `exported ${report.exported} image(s) of ${report.actors.length} actor(s) as ${report.format}`,
    skipped > 0 ? `${skipped} skipped (failed checks${minRating ? `, under ${minRating} stars` : ''})` : undefined,
    notEvaluated > 0 ? `${notEvaluated} not evaluated, exported unchecked` : undefined,
    ...warnings,
    ...report.failed.map((failure) => `${failure.actorId} not exported: ${failure.reason}`),
  ].filter(Boolean);
  const reveal = 'Reveal in Explorer';
  const open = 'Open Folder';
  const choice = await vscode.window.showInformationMessage(`Actor Studio: ${parts.join('; ')}.`, reveal, open);
  const folder = vscode.Uri.file(report.outDir);
  if (choice === reveal) {
    await vscode.commands.executeCommand('revealFileInOS', folder);
  } else if (choice === open) {
    await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true });
  }
}
