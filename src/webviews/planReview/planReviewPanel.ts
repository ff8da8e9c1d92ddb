import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { isPlainName } from '../generator/failures';
import { panelOptions, registerPanelSerializer, WebviewHost, WebviewProbe } from '../webviewHost';
import type { PlanReviewModel } from './model';
import {
  isPlanView,
  PANEL_VIEW_TYPE,
  PlanLoad,
  PlanReviewHostMessage,
  PlanReviewRequests,
  PlanReviewUiMessage,
  PlanReviewUiState,
  PlanView,
  ReviewItemView,
  StateMessage,
} from './protocol';

const TITLE = 'Plan Review';
/** Plan and image changes come in bursts (a plan writes the plan and the summary): one state per burst. */

export type PlanReviewPanelProbe = WebviewProbe<PlanReviewHostMessage, PlanReviewUiMessage>;

/**
 * The Plan Review panel: one actor's action plan (deletions with thumbnails and reasons,
 * generations per category with their prompts, kept/target, estimated cost) with Open Plan File,
 * Re-plan, Dry Run and Execute.
 *
 * One panel per actor: plans are compared side by side, each tab is titled with its actor, a
 * panel restored after a reload knows its actor from its own state, and the model's change
 * events (by actor) go to the one panel they concern. Opening an actor that has a panel
 * reveals it.
 */
export class PlanReviewPanel extends WebviewHost<PlanReviewHostMessage, PlanReviewUiMessage, PlanReviewRequests> {
  private static readonly panels = new Map<string, PlanReviewPanel>();
  private static last: PlanReviewPanel | undefined;

  /** The panel opened, revealed or focused last, if it is still open. */
  static get current(): PlanReviewPanel | undefined {
    return PlanReviewPanel.last;
  }

  /** The open panel of `actorId`, if any. */
  static forActor(actorId: string): PlanReviewPanel | undefined {
    return PlanReviewPanel.panels.get(actorId);
  }

  /** Opens the actor's panel (or reveals it). */
  static show(extensionUri: vscode.Uri, model: PlanReviewModel, actorId: string, logger?: Logger): PlanReviewPanel {
    if (!isPlainName(actorId)) {
      throw new Error(`"${actorId}" is not an actor id`);
    }
    const open = PlanReviewPanel.panels.get(actorId);
    if (open) {
      PlanReviewPanel.last = open;
      open.panel.reveal();
      open.scheduleState();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      `${TITLE}: ${actorId}`,
      { viewColumn: vscode.ViewColumn.Active },
      panelOptions(extensionUri),
    );
    return new PlanReviewPanel(panel, extensionUri, model, actorId, logger);
  }

  /**
   * Restores the panels after a window reload, each on the actor its page stored. Register it in
   * activate() (package.json needs `onWebviewPanel:actorStudio.planReview`).
   */
  static registerSerializer(extensionUri: vscode.Uri, model: PlanReviewModel, logger?: Logger): vscode.Disposable {
    return registerPanelSerializer(PANEL_VIEW_TYPE, (panel, state: Partial<PlanReviewUiState>) => {
      const actorId = state.actorId;
      if (!isPlainName(actorId) || PlanReviewPanel.panels.has(actorId)) {
        panel.dispose();
        return;
      }
      new PlanReviewPanel(panel, extensionUri, model, actorId, logger);
    });
  }

  protected readonly requests = {
    openPlanFile: async () => {
      await this.model.openPlanFile(this.actorId);
      return null;
    },
    replan: async () => {
      this.requireTrust('re-planning');
      await this.whileBusy('re-planning', () => this.model.replan(this.actorId));
      return null;
    },
    runExecution: async (params: PlanReviewRequests['runExecution']['params']) => {
      const mode = params?.mode;
      if (mode !== 'dry-run' && mode !== 'execute') {
        throw new Error('mode must be "dry-run" or "execute"');
      }
      this.requireTrust(mode === 'execute' ? 'executing a plan' : 'a dry run');
      if (this.busy) {
        throw new Error(`busy: ${this.busy}`);
      }
      let ran = false;
      await this.whileBusy(mode === 'execute' ? 'executing' : 'dry run', async () => {
        ran = await this.model.runExecution(this.actorId, mode);
      });
      return { ran };
    },
    keepImage: async (params: PlanReviewRequests['keepImage']['params']) => {
      const filename = this.reviewedName(params?.filename);
      this.requireTrust('keeping an image');
      const kept = await this.model.keepImage(this.actorId, filename);
      await this.sendState();
      return { kept };
    },
    deleteImage: async (params: PlanReviewRequests['deleteImage']['params']) => {
      const filename = this.reviewedName(params?.filename);
      this.requireTrust('deleting an image');
      const deleted = await this.model.deleteImage(this.actorId, filename);
      await this.sendState();
      return { deleted };
    },
  };

  /** Keep and Delete act on a plain file name of this actor only. */
  private reviewedName(filename: unknown): string {
    if (typeof filename !== 'string' || !isPlainName(filename)) {
      throw new Error('not an image file name');
    }
    return filename;
  }

  private busy: string | undefined;

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly model: PlanReviewModel,
    readonly actorId: string,
    logger: Logger | undefined,
  ) {
    super(panel, extensionUri, { bundle: 'planReview', title: `${TITLE}: ${actorId}`, logger });
    PlanReviewPanel.panels.set(actorId, this);
    PlanReviewPanel.last = this;
    panel.title = `${TITLE}: ${actorId}`;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'actor-studio.svg');
    this.disposables.push(
      model.onDidChange((changed) => changed === actorId && this.scheduleState()),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (webviewPanel.active) {
          PlanReviewPanel.last = this;
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleState()),
    );
    this.render();
  }

  protected async onReady(): Promise<void> {
    await this.sendState();
  }

  protected async onMessage(message: PlanReviewUiMessage): Promise<void> {
    this.logger?.warn(`plan review panel: ignored a message of type ${JSON.stringify((message as { type: string }).type)}`);
  }

  protected override onDispose(): void {
    if (PlanReviewPanel.panels.get(this.actorId) === this) {
      PlanReviewPanel.panels.delete(this.actorId);
    }
    if (PlanReviewPanel.last === this) {
      PlanReviewPanel.last = [...PlanReviewPanel.panels.values()].pop();
    }
  }

  private requireTrust(what: string): void {
    if (!vscode.workspace.isTrusted) {
      throw new Error(`${what} writes files, so it is disabled in Restricted Mode: trust this folder first`);
    }
  }

  private async whileBusy(what: string, work: () => Promise<void>): Promise<void> {
    if (this.busy) {
      throw new Error(`busy: ${this.busy}`);
    }
    this.busy = what;
    await this.sendState();
    try {
      await work();
    } finally {
      this.busy = undefined;
      await this.sendState();
    }
  }

  protected async buildState(): Promise<StateMessage> {
    let load: PlanLoad;
    let problem: string | undefined;
    try {
      load = await this.model.loadPlan(this.actorId);
      if (isPlanView(load)) {
        load = await this.withThumbnails(load);
      }
    } catch (error) {
      problem = `could not read the plan of ${this.actorId}: ${(error as Error).message}`;
      this.logger?.warn(`plan review panel: ${problem}`);
      load = { missing: true };
    }
    let review: ReviewItemView[] = [];
    try {
      review = await this.withReviewThumbnails(await this.model.loadReview(this.actorId));
    } catch (error) {
      this.logger?.warn(`plan review panel: could not list the images of ${this.actorId} that need review: ${(error as Error).message}`);
    }
    return {
      type: 'state',
      actorId: this.actorId,
      load,
      review,
      blocked: vscode.workspace.isTrusted
        ? undefined
        : 'Restricted Mode: re-planning, execution, keeping and deleting write files, so they are off until you trust this folder.',
      busy: this.busy,
      problem,
    };
  }

  /** Swaps each image's path for a data URI thumbnail, as for deletions. */
  private async withReviewThumbnails(items: ReviewItemView[]): Promise<ReviewItemView[]> {
    return Promise.all(
      items.map(async ({ path, ...item }) => {
        let thumbnail = '';
        if (path) {
          try {
            thumbnail = await this.model.thumbnailDataUri(path);
          } catch (error) {
            this.logger?.warn(`plan review panel: no thumbnail of ${item.filename}: ${(error as Error).message}`);
          }
        }
        return { ...item, thumbnail: thumbnail.startsWith('data:image/') ? thumbnail : '' };
      }),
    );
  }

  /** Swaps each deletion's path for a data URI thumbnail (the page cannot load files of the data folder). */
  private async withThumbnails(view: PlanView): Promise<PlanView> {
    const deletions = await Promise.all(
      view.deletions.map(async ({ path, ...deletion }) => {
        let thumbnail = deletion.thumbnail ?? '';
        if (!thumbnail && path) {
          try {
            thumbnail = await this.model.thumbnailDataUri(path);
          } catch (error) {
            this.logger?.warn(`plan review panel: no thumbnail of ${deletion.filename}: ${(error as Error).message}`);
          }
        }
        return { ...deletion, thumbnail: thumbnail.startsWith('data:image/') ? thumbnail : '' };
      }),
    );
    return { ...view, deletions };
  }
}
