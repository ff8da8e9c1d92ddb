import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { isPlainName } from '../generator/failures';
import { panelOptions, registerPanelSerializer, WebviewHost, WebviewProbe } from '../webviewHost';
import type { AnalyticsModel } from './model';
import { AnalyticsHostMessage, AnalyticsRequests, AnalyticsUiMessage, AnalyticsUiState, PANEL_VIEW_TYPE, StateMessage } from './protocol';

const TITLE = 'Actor Studio Analytics';
/** A generation or an execution writes the log and a manifest in a burst: one computation per burst. */
const CHANGE_DELAY_MS = 500;

export type AnalyticsPanelProbe = WebviewProbe<AnalyticsHostMessage, AnalyticsUiMessage>;

/**
 * The Analytics panel: usage, quality, failures, balance and spend, computed in core (the same
 * numbers as `actor-studio stats`) and drawn by the page. One panel for the workspace; its scope
 * (all actors or one) is picked in the page. It computes again when the data changes.
 */
export class AnalyticsPanel extends WebviewHost<AnalyticsHostMessage, AnalyticsUiMessage, AnalyticsRequests> {
  private static open: AnalyticsPanel | undefined;

  static get current(): AnalyticsPanel | undefined {
    return AnalyticsPanel.open;
  }

  /** Opens the panel (or reveals it), on `actorId` when given. */
  static show(extensionUri: vscode.Uri, model: AnalyticsModel, logger?: Logger, actorId?: string): AnalyticsPanel {
    const scope = isPlainName(actorId) ? actorId : undefined;
    const open = AnalyticsPanel.open;
    if (open) {
      if (scope !== undefined) {
        open.actorId = scope;
      }
      open.panel.reveal();
      open.scheduleState();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Active }, panelOptions(extensionUri));
    return new AnalyticsPanel(panel, extensionUri, model, scope ?? null, logger);
  }

  /** Restores the panel after a window reload on the scope its page stored. */
  static registerSerializer(extensionUri: vscode.Uri, model: AnalyticsModel, logger?: Logger): vscode.Disposable {
    return registerPanelSerializer(PANEL_VIEW_TYPE, (panel, state: Partial<AnalyticsUiState>) => {
      if (AnalyticsPanel.open) {
        panel.dispose();
        return;
      }
      new AnalyticsPanel(panel, extensionUri, model, isPlainName(state.actorId) ? state.actorId : null, logger);
    });
  }

  protected readonly requests = {
    refresh: async () => {
      await this.sendState();
      return null;
    },
    setScope: async (params: AnalyticsRequests['setScope']['params']) => {
      const actorId = params?.actorId ?? null;
      if (actorId !== null && !isPlainName(actorId)) {
        throw new Error(`"${String(actorId)}" is not an actor id`);
      }
      this.actorId = actorId;
      await this.sendState();
      return null;
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly model: AnalyticsModel,
    private actorId: string | null,
    logger: Logger | undefined,
  ) {
    super(panel, extensionUri, { bundle: 'analytics', title: TITLE, logger });
    AnalyticsPanel.open = this;
    panel.title = TITLE;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'actor-studio.svg');
    this.disposables.push(model.onDidChange(() => this.scheduleState(CHANGE_DELAY_MS)));
    this.render();
  }

  protected async onReady(): Promise<void> {
    await this.sendState();
  }

  protected async onMessage(message: AnalyticsUiMessage): Promise<void> {
    this.logger?.warn(`analytics panel: ignored a message of type ${JSON.stringify((message as { type: string }).type)}`);
  }

  protected override onDispose(): void {
    if (AnalyticsPanel.open === this) {
      AnalyticsPanel.open = undefined;
    }
  }

  protected async buildState(): Promise<StateMessage> {
    const computedAt = new Date().toISOString();
    try {
      const load = await this.model.load(this.actorId);
      if (this.actorId !== null && !load.actorIds.includes(this.actorId)) {
        // The actor is gone (renamed or deleted): show everyone rather than an empty scope.
        this.actorId = null;
        return this.buildState();
      }
      return { type: 'state', actorId: this.actorId, actorIds: load.actorIds, analytics: load.analytics, warnings: load.warnings, computedAt };
    } catch (error) {
      const problem = (error as Error).message;
      this.logger?.warn(`analytics panel: ${problem}`);
      return { type: 'state', actorId: this.actorId, actorIds: [], problem, warnings: [], computedAt };
    }
  }
}
