import * as vscode from 'vscode';
import type { StudioWorkspace } from '../../host/studioWorkspace';
import { actorOfPath } from '../planReview/studioPlanReviewModel';
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
  private watcher?: vscode.FileSystemWatcher;

  constructor(private readonly workspace: StudioWorkspace) {
    this.subscriptions = [
      this.changed,
      workspace.onDidChange(() => {
        this.watch();
        this.changed.fire();
      }),
    ];
  }

  /** Watches the data folder only while someone listens (the panel is open). */
  private watch(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      return;
    }
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dataRoot), WATCHED));
    const onEvent = (uri: vscode.Uri) => {
      const name = uri.fsPath.split(/[\\/]/).pop() ?? '';
      if (name.endsWith('.tmp') || name.endsWith('.lock')) {
        return; // transient files of atomic writes: the rename that follows is the change
      }
      const actorId = actorOfPath(dataRoot, uri.fsPath);
      if (actorId) {
        this.workspace.invalidate(actorId);
      }
      this.changed.fire();
    };
    this.watcher.onDidCreate(onEvent);
    this.watcher.onDidChange(onEvent);
    this.watcher.onDidDelete(onEvent);
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
    this.watcher ?? this.watch();
    // Loaded on first use, like the index: activation stays light.
    const [{ computeAnalytics, loadAnalyticsInput }, { formatProblem }] = await Promise.all([import('../../core/analytics/analytics'), import('../../cli/cliSupport')]);
    const input = await loadAnalyticsInput(dataRoot, { index });
    const analytics = computeAnalytics(input, this.workspace.settings.target, actorId ?? undefined);
    const invalidManifests = index.actors.flatMap((actor) => (actor.manifestState === 'invalid' ? actor.problems.filter((problem) => problem.severity === 'error') : []));
    return {
      analytics,
      actorIds: index.actors.map((actor) => actor.id),
      warnings: [...input.problems, ...invalidManifests].map((problem) => formatProblem(dataRoot, problem)),
    };
  }

  dispose(): void {
    this.watcher?.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
