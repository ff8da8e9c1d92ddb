import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveSettings, SETTINGS_SECTION, type ResolvedSettings, type SettingsSource } from '../core/config/studioSettings';

export const SECTION = SETTINGS_SECTION;

/**
 * VS Code's configuration as a settings source for core/config, which parses and validates it
 * the same way as the CLI's. Each value's origin is the scope that set it.
 */
function vscodeSettingsSource(scope?: vscode.ConfigurationScope): SettingsSource {
  // One inspect of the whole section: each inspect walks every configuration layer, and one per
  // setting (32) took 30 ms of activation. VS Code keeps dotted keys as nested objects.
  const inspected = vscode.workspace.getConfiguration(undefined, scope).inspect<Record<string, unknown>>(SECTION);
  const layers: [Record<string, unknown> | undefined, string][] = [
    [inspected?.workspaceFolderValue, 'workspace folder settings'],
    [inspected?.workspaceValue, 'workspace settings'],
    [inspected?.globalValue, 'user settings'],
  ];
  return {
    name: 'VS Code settings',
    get(key) {
      for (const [layer, origin] of layers) {
        const value = valueAt(layer, key);
        if (value !== undefined) {
          return { value, origin };
        }
      }
      return undefined;
    },
  };
}

/** The value of a dotted key (`target.total`) in a nested settings object. */
function valueAt(section: Record<string, unknown> | undefined, key: string): unknown {
  let value: unknown = section;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The `actorStudio.*` settings of a scope (the workspace folder), parsed by core/config. */
export function readSettings(scope?: vscode.ConfigurationScope): ResolvedSettings {
  return resolveSettings([vscodeSettingsSource(scope)]);
}

/** True when a change touched any setting of ours. */
export function affectsSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(SECTION);
}

/** The workspace folder Actor Studio works in: the first one (multi-root shows the first folder). */
export function primaryWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** Absolute path of the data folder for a workspace folder. */
export function dataRootFor(folder: vscode.WorkspaceFolder, dataFolder: string): string {
  return path.resolve(folder.uri.fsPath, dataFolder);
}
