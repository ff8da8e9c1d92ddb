import * as path from 'node:path';
import * as vscode from 'vscode';
import { evaluationFromSettings, EvaluationSettings, SETTINGS_SECTION, targetFromSettings } from '../core/config/studioSettings';
import { DEFAULT_CONCURRENCY } from '../core/execute/types';
import { DEFAULT_ASPECT_RATIO, DEFAULT_REPLICATE_MODEL, ProviderChoice } from '../core/generate/providerConfig';
import type { TargetSettings } from '../core/plan/targets';
import { DEFAULT_KEY_PREFIX } from '../core/storage/types';

export const SECTION = SETTINGS_SECTION;

/** Typed view of the `actorStudio.*` settings. Secrets are never settings (see secrets.ts). */
export interface Settings {
  /** The data folder as configured: relative to the workspace folder, or absolute. */
  dataFolder: string;
  target: TargetSettings;
  generator: { provider: ProviderChoice; model: string; aspectRatio: string };
  evaluation: EvaluationSettings;
  /** Another server speaking OpenAI's API (a proxy); empty for OpenAI's own. */
  openaiBaseUrl: string;
  s3: { bucket: string; region: string; endpoint: string; keyPrefix: string; publicBaseUrl: string };
  /** Model requests in flight at once across all actors while executing plans (1-8). */
  execution: { concurrency: number };
}

/** Bounds of `actorStudio.execution.concurrency` (package.json declares the same). */
export const EXECUTION_CONCURRENCY = { default: DEFAULT_CONCURRENCY, min: 1, max: 8 } as const;

/** A whole number within the bounds; anything else (a hand-edited 0, 2.5 or "4") falls back sensibly. */
export function executionConcurrency(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return EXECUTION_CONCURRENCY.default;
  }
  return Math.min(EXECUTION_CONCURRENCY.max, Math.max(EXECUTION_CONCURRENCY.min, Math.floor(value)));
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const get = (key: string): unknown => config.get(key);
  return {
    dataFolder: config.get<string>('dataFolder')?.trim() || 'data',
    target: targetFromSettings(get),
    evaluation: evaluationFromSettings(get),
    openaiBaseUrl: config.get<string>('openai.baseUrl')?.trim() ?? '',
    generator: {
      provider: config.get<ProviderChoice>('generator.provider') ?? 'auto',
      model: config.get<string>('replicate.model')?.trim() || DEFAULT_REPLICATE_MODEL,
      aspectRatio: config.get<string>('replicate.aspectRatio')?.trim() || DEFAULT_ASPECT_RATIO,
    },
    s3: {
      bucket: config.get<string>('s3.bucket')?.trim() ?? '',
      region: config.get<string>('s3.region')?.trim() ?? '',
      endpoint: config.get<string>('s3.endpoint')?.trim() ?? '',
      keyPrefix: config.get<string>('s3.keyPrefix') ?? DEFAULT_KEY_PREFIX,
      publicBaseUrl: config.get<string>('s3.publicBaseUrl')?.trim() ?? '',
    },
    execution: { concurrency: executionConcurrency(config.get('execution.concurrency')) },
  };
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
