import * as vscode from 'vscode';
import { FileHasher } from '../../core/fs/files';
import { actorPlanPath } from '../../core/workspace/layout';
import { LazyActorFilesWatch } from '../../editor/dataFolderWatcher';
import type { GenerationController } from '../../editor/generationController';
import type { PlanningController } from '../../editor/planningController';
import type { StudioWorkspace } from '../../editor/studioWorkspace';
import type { ActorsTreeProvider } from '../../providers/actorsTree/actorsTreeProvider';
import type { PlanReviewModel } from './model';
import type { PlanLoad, ReviewItemView } from './protocol';

/** The model the offline generator records (see the generation feature). */
const LOCAL_MODEL = 'local/augment';
/** Thumbnails in the deletions list are shown at 160 px; 320 keeps them sharp on high-DPI screens. */
const THUMBNAIL_WIDTH = 320;

export interface StudioPlanReviewOptions {
  /** The Execute Plan command for one actor (the composition root wires it); true when it ran. */
  execute: (actorId: string, mode: 'dry-run' | 'execute') => Promise<boolean>;
  /** Keep Image (Reviewed) on one image; undefined when not possible here, else what failed. */
  keepImage: (image: { actorId: string; filename: string }) => Promise<{ kept: unknown[]; failed: { reason: string }[] } | undefined>;
  /** Delete Image on one image (its confirmation); true when it went to the trash. */
  deleteImage: (image: { actorId: string; filename: string }) => Promise<boolean>;
}

/**
 * The Plan Review panel's view of the extension: plans read from data/action_plans (checked for
 * staleness against the files now on disk), re-planning through the PlanningController, and the cost
 * priced with the model a generation would use now (and flux-kontext-pro for comparison).
 */
export class StudioPlanReviewModel implements PlanReviewModel, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private hasher?: FileHasher;
  private readonly files: LazyActorFilesWatch;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly planning: PlanningController,
    private readonly generation: GenerationController,
    tree: ActorsTreeProvider,
    private readonly options: StudioPlanReviewOptions,
  ) {
    this.subscriptions = [
      this.changed,
      planning.onDidChangeActors((actorIds) => actorIds.forEach((actorId) => this.changed.fire(actorId))),
      // The index is read again after files changed: any actor's plan may be stale now.
      tree.onDidIndex((index) => index.actors.forEach((actor) => this.changed.fire(actor.id))),
    ];
    this.files = new LazyActorFilesWatch(workspace, (actorId) => this.changed.fire(actorId));
  }

  async loadPlan(actorId: string): Promise<PlanLoad> {
    this.files.start(); // an open review turns stale, or shows a hand-edited plan, even when the Actors view reads nothing
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      throw new Error('open a folder with a data folder first');
    }
    const { loadPlanView } = await import('./planView');
    const index = await this.workspace.index();
    const actor = index?.actors.find((candidate) => candidate.id === actorId);
    this.hasher ??= new FileHasher();
    return loadPlanView({ dataRoot, actorId, actor, hasher: this.hasher, models: await this.models() });
  }

  async thumbnailDataUri(file: string): Promise<string> {
    const { thumbnailDataUri } = await import('../../core/image/imageFiles');
    return thumbnailDataUri(file, THUMBNAIL_WIDTH);
  }

  async openPlanFile(actorId: string): Promise<void> {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      throw new Error('open a folder with a data folder first');
    }
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(actorPlanPath(dataRoot, actorId)), { viewColumn: vscode.ViewColumn.Beside });
  }

  async replan(actorId: string): Promise<void> {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Actor Studio: planning ${actorId}`, cancellable: true },
      async (_progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          await this.planning.plan([actorId], { signal: controller.signal });
        } finally {
          cancel.dispose();
        }
      },
    );
  }

  runExecution(actorId: string, mode: 'dry-run' | 'execute'): Promise<boolean> {
    return this.options.execute(actorId, mode);
  }

  async loadReview(actorId: string): Promise<ReviewItemView[]> {
    const { buildReviewItems } = await import('./planView');
    const actors = await this.workspace.actors();
    return buildReviewItems(actors?.actor(actorId));
  }

  async keepImage(actorId: string, filename: string): Promise<boolean> {
    const result = await this.options.keepImage({ actorId, filename });
    if (!result) {
      throw new Error('keeping is not possible here (Restricted Mode, or no data folder)');
    }
    if (result.failed.length > 0) {
      throw new Error(result.failed[0].reason);
    }
    return result.kept.length > 0;
  }

  deleteImage(actorId: string, filename: string): Promise<boolean> {
    return this.options.deleteImage({ actorId, filename });
  }

  /** The model a generation would use now first, then the Replicate model for comparison. */
  private async models(): Promise<string[]> {
    const replicateModel = this.workspace.settings.generator.model;
    let current = replicateModel;
    try {
      const label = await this.generation.providerLabel();
      current = label.startsWith('Replicate ') ? label.slice('Replicate '.length) : LOCAL_MODEL;
    } catch {
      current = LOCAL_MODEL;
    }
    return [...new Set([current, replicateModel])];
  }

  dispose(): void {
    this.files.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
