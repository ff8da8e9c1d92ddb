import * as vscode from 'vscode';
import { actorOfPath, watchDataFolder } from '../../editor/dataFolderWatcher';
import type { StudioWorkspace } from '../../editor/studioWorkspace';
import type { AnalyticsLoad, AnalyticsModel } from './model';

/** The files the numbers come from, relative to the data folder. */
const WATCHED = '{tracking/generation_log*.json,actors/*/training_data/*,action_plans/*_action_plan.json,prompts.json}';

/**
 * The Analytics panel's view of the extension: the workspace's cached actor index (re-read only
 * for actors whose files changed), the generation log with its archives, the plans' recorded
 * vision usage and the targets from the settings; computed by core, as `actor-studio stats` does.
 */
export class StudioAnalyticsModel implements AnalyticsModel, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private watcher?: vscode.Disposable;

  constructor(private readonly workspace: StudioWorkspace) {
    this.subscriptions = [
      this.changed,
      workspace.onDidChange(() => {
        if (this.watcher) {
          this.watch(); // the data folder may have moved
        }
        this.changed.fire();
      }),
    ];
  }

  /** Watches the data folder from the first load on (the panel was opened), never at activation. */
  private watch(): void {
    this.watcher?.dispose();
    this.watcher = watchDataFolder(this.workspace.dataRoot, WATCHED, (file, dataRoot) => {
      const actorId = actorOfPath(dataRoot, file);
      if (actorId) {
        this.workspace.invalidate(actorId);
      }
      this.changed.fire();
    });
  }

  async load(actorId: string | null): Promise<AnalyticsLoad> {
    const dataRoot = this.workspace.dataRoot;
    const index = await this.workspace.index();
    if (!dataRoot || !index) {
      throw new Error('Open a folder with a data folder first.');
    }
    if (!index.exists) {
      throw new Error(`There is no data folder at ${dataRoot} (setting actorStudio.dataFolder).`);
    }
    if (!this.watcher) {
      this.watch();
    }
    // Loaded on first use, like the index: activation stays light.
    const [{ computeAnalytics, loadAnalyticsInput }, { formatProblem }] = await Promise.all([
      import('../../core/analytics/analytics'),
      import('../../core/workspace/formatProblem'),
    ]);
    const input = await loadAnalyticsInput(dataRoot, { index });
    const analytics = computeAnalytics(input, this.workspace.settings.target, actorId ?? undefined);
    return {
      analytics,
      actorIds: index.actors.map((actor) => actor.id),
      warnings: input.problems.map((problem) => formatProblem(dataRoot, problem)),
    };
  }

  dispose(): void {
    this.watcher?.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
