import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { categoryTargets, CategoryTargets } from '../core/plan/targets';
import type { ActorIndex } from '../core/workspace/dataIndex';
import type { DataIndex } from '../core/workspace/types';
import { affectsSettings, dataRootFor, primaryWorkspaceFolder, readSettings, Settings } from './settings';

export type DataFolderState = 'noWorkspace' | 'missing' | 'present';

/**
 * The workspace as Actor Studio sees it: which folder, which data folder, and a cached index of
 * it. Everything that reads actors goes through here, so there is one cache and one truth.
 */
export class StudioWorkspace implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the folder, the settings, or the data folder's existence changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private current?: { folder: vscode.WorkspaceFolder; settings: Settings; dataRoot: string; index?: ActorIndex };

  constructor(private readonly logger: Logger) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset('workspace folders changed')),
      vscode.workspace.onDidChangeConfiguration((event) => affectsSettings(event) && this.reset('settings changed')),
    );
  }

  get folder(): vscode.WorkspaceFolder | undefined {
    return this.ensure()?.folder;
  }

  get settings(): Settings {
    return this.ensure()?.settings ?? readSettings();
  }

  get dataRoot(): string | undefined {
    return this.ensure()?.dataRoot;
  }

  get targets(): CategoryTargets {
    return categoryTargets(this.settings.target);
  }

  /**
   * The actor index of the data folder, or undefined with no folder open. Its module (schemas,
   * validators) loads on first use, not at activation, which keeps activation fast.
   */
  async actors(): Promise<ActorIndex | undefined> {
    const current = this.ensure();
    if (current && !current.index) {
      const { ActorIndex } = await import('../core/workspace/dataIndex');
      current.index ??= new ActorIndex(current.dataRoot);
    }
    return current?.index;
  }

  /** The whole index, reading only what is not cached (time-sliced). */
  async index(): Promise<DataIndex | undefined> {
    const actors = await this.actors();
    if (!actors) {
      return undefined;
    }
    const started = Date.now();
    const index = await actors.index();
    this.logger.trace(`indexed ${index.actors.length} actors in ${Date.now() - started} ms`);
    return index;
  }

  async state(): Promise<DataFolderState> {
    const actors = await this.actors();
    return !actors ? 'noWorkspace' : actors.list().exists ? 'present' : 'missing';
  }

  invalidate(actorId?: string): void {
    this.current?.index?.invalidate(actorId);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private ensure(): StudioWorkspace['current'] {
    if (!this.current) {
      const folder = primaryWorkspaceFolder();
      if (folder) {
        const settings = readSettings(folder);
        this.current = { folder, settings, dataRoot: dataRootFor(folder, settings) };
        this.logger.info(`data folder: ${this.current.dataRoot}`);
      }
    }
    return this.current;
  }

  private reset(reason: string): void {
    this.logger.info(`reloading: ${reason}`);
    this.current = undefined;
    this.changed.fire();
  }
}
