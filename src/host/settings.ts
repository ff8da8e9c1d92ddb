import * as path from 'node:path';
import * as vscode from 'vscode';
import { TRAINING_CATEGORIES, TrainingCategory } from '../core/manifest/categories';
import { DEFAULT_TARGET, TargetSettings } from '../core/plan/targets';

export const SECTION = 'actorStudio';

/** Typed view of the `actorStudio.*` settings. */
export interface Settings {
  /** The data folder as configured: relative to the workspace folder, or absolute. */
  dataFolder: string;
  target: TargetSettings;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const shares = config.get<Partial<Record<TrainingCategory, number>>>('target.shares') ?? {};
  const target: TargetSettings = {
    total: config.get<number>('target.total') ?? DEFAULT_TARGET.total,
    shares: Object.fromEntries(
      TRAINING_CATEGORIES.map((category) => [category, shares[category] ?? DEFAULT_TARGET.shares[category]]),
    ) as Record<TrainingCategory, number>,
  };
  return { dataFolder: config.get<string>('dataFolder')?.trim() || 'data', target };
}

/** True when a change touched any setting of ours that `readSettings` reads. */
export function affectsSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(SECTION);
}

/** The workspace folder Actor Studio works in: the first one (multi-root shows the first folder). */
export function primaryWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** Absolute path of the data folder for a workspace folder. */
export function dataRootFor(folder: vscode.WorkspaceFolder, settings: Settings): string {
  return path.resolve(folder.uri.fsPath, settings.dataFolder);
}
