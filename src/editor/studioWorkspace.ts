import * as vscode from 'vscode';
import type { StudioContext } from '../core/app/context';
import { createServices, type StudioServices } from '../core/app/services';
import type { ResolvedSettings, StudioSettings } from '../core/config/studioSettings';
import { InputError } from '../core/errors';
import type { sharedFaceIdentity } from '../core/evaluate/createEvaluator';
import { FileHasher } from '../core/fs/files';
import type { Logger } from '../core/logger';
import { categoryTargets, CategoryTargets } from '../core/actors/targets';
import type { ActorIndex } from '../core/actors/dataIndex';
import type { DataIndex } from '../core/actors/types';
import type { Secrets } from './secrets';
import { affectsSettings, dataRootFor, primaryWorkspaceFolder, readSettings } from './settings';

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
  private current?: { folder: vscode.WorkspaceFolder; resolved: ResolvedSettings; dataRoot: string; index?: ActorIndex };
  /** Hashes and the face engine outlive a settings change: they depend on files, not settings. */
  readonly hasher = new FileHasher();
  private faces?: ReturnType<typeof sharedFaceIdentity>;

  constructor(
    private readonly logger: Logger,
    private readonly secrets: Secrets,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset('workspace folders changed')),
      vscode.workspace.onDidChangeConfiguration((event) => affectsSettings(event) && this.reset('settings changed')),
    );
  }

  get folder(): vscode.WorkspaceFolder | undefined {
    return this.ensure()?.folder;
  }

  get settings(): StudioSettings {
    return (this.ensure()?.resolved ?? readSettings()).settings;
  }

  /** Every setting with its value and source (the same table as `actor-studio config`). */
  get resolvedSettings(): ResolvedSettings {
    return this.ensure()?.resolved ?? readSettings();
  }

  /**
   * What the core's use cases work on: the data folder, and services built from the settings and
   * the keys as they are now (either may change at any time, so each call builds them anew).
   */
  /** The services the settings and keys give now (no data folder needed). */
  async services(): Promise<StudioServices> {
    return createServices(this.settings, await this.secrets.credentials(), this.logger);
  }

  async context(): Promise<StudioContext> {
    const dataRoot = this.dataRoot;
    if (!dataRoot) {
      throw new InputError('open a folder with a data folder first');
    }
    if (!this.faces) {
      // Inference runs in dist/faceWorker.js so the extension host stays responsive.
      const { sharedFaceIdentity } = await import('../core/evaluate/createEvaluator');
      this.faces ??= sharedFaceIdentity({ worker: true });
    }
    return { dataRoot, services: await this.services(), hasher: this.hasher, faces: this.faces.get };
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
      const { ActorIndex } = await import('../core/actors/dataIndex');
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
    void this.faces?.close();
  }

  private ensure(): StudioWorkspace['current'] {
    if (!this.current) {
      const folder = primaryWorkspaceFolder();
      if (folder) {
        const resolved = readSettings(folder);
        this.current = { folder, resolved, dataRoot: dataRootFor(folder, resolved.settings.dataFolder) };
        this.logger.info(`data folder: ${this.current.dataRoot}`);
        resolved.problems.forEach((problem) => this.logger.warn(problem));
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
