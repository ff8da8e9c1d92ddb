import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveSettings, SETTINGS_SECTION, type ResolvedSettings, type SettingsSource } from '../core/config/studioSettings';

export const SECTION = SETTINGS_SECTION;

/**
 * VS Code's configuration as a settings source for core/config, which parses and validates it
 * the same way as the CLI's. Each value's origin is the scope that set it.
 */
function vscodeSettingsSource(scope?: vscode.ConfigurationScope): SettingsSource {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    name: 'VS Code settings',
    get(key) {
      const inspected = config.inspect(key);
      const scopes: [unknown, string][] = [
        [inspected?.workspaceFolderValue, 'workspace folder settings'],
        [inspected?.workspaceValue, 'workspace settings'],
        [inspected?.globalValue, 'user settings'],
      ];
      const set = scopes.find(([value]) => value !== undefined);
      return set && { value: set[0], origin: set[1] };
    },
  };
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
