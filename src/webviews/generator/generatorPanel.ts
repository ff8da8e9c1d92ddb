import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { panelOptions, registerPanelSerializer, WebviewHost, WebviewProbe } from '../webviewHost';
import { describeFailure, isPlainName } from './failures';
import { checkGenerateMessage, type CheckedGenerateRequest } from './generateRequest';
import type { GeneratorPanelModel } from './model';
import {
  ActorChoice,
  BaseImageOption,
  CustomPromptChoice,
  ErrorMessage,
  GeneratorHostMessage,
  GeneratorRequests,
  GeneratorUiMessage,
  GeneratorUiState,
  PANEL_VIEW_TYPE,
  PromptChoice,
  ResultMessage,
  StateMessage,
} from './protocol';

const TITLE = 'Generator';
/** Model changes come in bursts (a save touches several files): one state message per burst. */
const MAX_REQUEST_ID_LENGTH = 128;

interface InFlight {
  requestId: string;
  request: CheckedGenerateRequest;
  message: string;
  controller: AbortController;
}

export type GeneratorPanelProbe = WebviewProbe<GeneratorHostMessage, GeneratorUiMessage>;

/**
 * The Generator panel: pick an actor and a library prompt (with its usage for that actor), one of
 * the actor's custom prompts, or write a prompt (category chosen or taken from the text), and
 * the base image when the actor has several; generate one training image, see it. One instance; `show` reveals it. The page is rebuilt whenever the
 * panel is shown again (retainContextWhenHidden is off): the host keeps the selected actor, the
 * running generation and the last outcome, and replays them on `ready`.
 */
export class GeneratorPanel extends WebviewHost<GeneratorHostMessage, GeneratorUiMessage, GeneratorRequests> {
  private static instance: GeneratorPanel | undefined;

  /** The open panel, if any. */
  static get current(): GeneratorPanel | undefined {
    return GeneratorPanel.instance;
  }

  /** Opens the panel (or reveals the open one), on `actorId` when given. */
  static show(extensionUri: vscode.Uri, model: GeneratorPanelModel, actorId?: string, logger?: Logger): GeneratorPanel {
    const open = GeneratorPanel.instance;
    if (open) {
      if (actorId) {
        open.selectActor(actorId);
      }
      open.panel.reveal();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Active }, panelOptions(extensionUri));
    return new GeneratorPanel(panel, extensionUri, model, actorId, logger);
  }

  /**
   * Restores the panel after a window reload. `state` is what the page last stored with
   * vscode.setState (the selected actor and prompt); the page itself restores the prompt.
   * Register it in activate() (package.json needs `onWebviewPanel:actorStudio.generator`).
   */
  static registerSerializer(extensionUri: vscode.Uri, model: GeneratorPanelModel, logger?: Logger): vscode.Disposable {
    return registerPanelSerializer(PANEL_VIEW_TYPE, (panel, state: Partial<GeneratorUiState>) => {
      if (GeneratorPanel.instance) {
        // One instance: a second restored panel (two editor groups had one) is closed.
        panel.dispose();
        return;
      }
      new GeneratorPanel(panel, extensionUri, model, isPlainName(state.actorId) ? state.actorId : undefined, logger);
    });
  }

  protected readonly requests = {
    openImage: async ({ actorId, filename }: GeneratorRequests['openImage']['params']) => {
      if (!isPlainName(actorId) || !isPlainName(filename)) {
        throw new Error('not an image of the data folder');
      }
      await this.model.openImage(actorId, filename);
      return null;
    },
  };

  private actorId: string | undefined;
  private inFlight: InFlight | undefined;
  /** The last result or error, replayed when the page is rebuilt. */
  private lastOutcome: ResultMessage | ErrorMessage | undefined;

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly model: GeneratorPanelModel,
    actorId: string | undefined,
    logger: Logger | undefined,
  ) {
    super(panel, extensionUri, { bundle: 'generator', title: TITLE, logger });
    GeneratorPanel.instance = this;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'actor-studio.svg');
    this.setActor(actorId);
    this.disposables.push(
      model.onDidChange(() => this.scheduleState()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleState()),
      vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('actorStudio') && this.scheduleState()),
    );
    this.render();
  }

  /** Switches the panel to another actor (the tree's "Open Generator" on an open panel). */
  selectActor(actorId: string): void {
    if (!isPlainName(actorId)) {
      return;
    }
    this.setActor(actorId);
    void this.sendState();
  }

  protected async onReady(): Promise<void> {
    await this.sendState();
    const running = this.inFlight;
    if (running) {
      await this.post({ type: 'progress', requestId: running.requestId, message: running.message });
    } else if (this.lastOutcome) {
      await this.post(this.lastOutcome);
    }
  }

  protected async onMessage(message: GeneratorUiMessage): Promise<void> {
    switch (message.type) {
      case 'selectActor':
        this.selectActor(message.actorId);
        return;
      case 'generate':
        this.startGeneration(message.requestId, message);
        return;
      case 'cancel':
        if (this.inFlight && this.inFlight.requestId === message.requestId && !this.inFlight.controller.signal.aborted) {
          this.inFlight.message = 'cancelling';
          this.inFlight.controller.abort();
          await this.post({ type: 'progress', requestId: message.requestId, message: 'cancelling' });
        }
        return;
      default:
        this.logger?.warn(`generator panel: ignored a message of type ${JSON.stringify((message as { type: string }).type)}`);
    }
  }

  protected override onDispose(): void {
    // Closing the panel cancels its generation (a result that already arrived is still saved).
    this.inFlight?.controller.abort();
    if (GeneratorPanel.instance === this) {
      GeneratorPanel.instance = undefined;
    }
  }

  private setActor(actorId: string | undefined): void {
    this.actorId = actorId;
    this.panel.title = actorId ? `${TITLE}: ${actorId}` : TITLE;
  }

  protected async buildState(): Promise<StateMessage> {
    const problems: string[] = [];
    const attempt = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        this.logger?.warn(`generator panel: ${what}: ${(error as Error).message}`);
        problems.push(`${what}: ${(error as Error).message}`);
        return fallback;
      }
    };
    const [actors, provider] = await Promise.all([
      attempt<ActorChoice[]>('could not list the actors', () => this.model.listActors(), []),
      attempt('could not tell the provider', () => this.model.providerLabel(), 'unknown'),
    ]);
    const selected = actors.find((actor) => actor.id === this.actorId) ?? actors.find((actor) => actor.hasBaseImage) ?? actors[0];
    if (selected && selected.id !== this.actorId) {
      this.setActor(selected.id);
    }
    const noPrompts = { prompts: [] as PromptChoice[], customPrompts: [] as CustomPromptChoice[] };
    const [{ prompts, customPrompts }, baseImages] = selected
      ? await Promise.all([
          attempt('could not read the prompts', () => this.model.promptChoices(selected.id), noPrompts),
          attempt<BaseImageOption[]>('could not list the base images', () => this.model.baseImages(selected.id), []),
        ])
      : [noPrompts, []];
    const running = this.inFlight;
    return {
      type: 'state',
      actors,
      selectedActorId: selected?.id,
      prompts,
      customPrompts,
      baseImages,
      provider,
      busy: running && { requestId: running.requestId, actorId: running.request.actorId, promptId: running.request.promptLabel, message: running.message },
      blocked: vscode.workspace.isTrusted ? undefined : 'Restricted Mode: generating writes files, so it is off until you trust this folder.',
      problem: problems.length > 0 ? problems.join('\n') : undefined,
    };
  }

  private startGeneration(requestId: unknown, message: Parameters<typeof checkGenerateMessage>[0]): void {
    if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) {
      this.logger?.warn('generator panel: ignored a generate message without a usable request id');
      return;
    }
    const refuse = (why: string) => {
      this.lastOutcome = { type: 'error', requestId, reason: 'input', message: why };
      void this.post(this.lastOutcome);
    };
    const request = checkGenerateMessage(message);
    if ('refused' in request) {
      refuse(request.refused);
      return;
    }
    if (!vscode.workspace.isTrusted) {
      refuse('generating is disabled in Restricted Mode: trust this folder to generate images');
      return;
    }
    if (this.inFlight) {
      refuse(`a generation is already running (${this.inFlight.request.promptLabel} for ${this.inFlight.request.actorId}); wait for it or cancel it`);
      return;
    }
    const running: InFlight = { requestId, request, message: 'starting', controller: new AbortController() };
    this.inFlight = running;
    this.lastOutcome = undefined;
    void this.post({ type: 'progress', requestId, message: running.message });
    void this.generate(running);
  }

  private async generate(running: InFlight): Promise<void> {
    const { requestId, request, controller } = running;
    const { actorId, promptLabel, ...chosen } = request;
    let outcome: ResultMessage | ErrorMessage;
    try {
      const image = await this.model.generate({
        actorId,
        ...chosen,
        signal: controller.signal,
        onProgress: (message) => {
          if (this.inFlight === running && !controller.signal.aborted) {
            running.message = message;
            void this.post({ type: 'progress', requestId, message });
          }
        },
      });
      let imageDataUri = '';
      try {
        imageDataUri = await this.model.thumbnailDataUri(image.path);
      } catch (error) {
        this.logger?.warn(`generator panel: no preview of ${image.filename}: ${(error as Error).message}`);
      }
      outcome = {
        type: 'result',
        requestId,
        actorId,
        filename: image.filename,
        imageDataUri,
        promptId: image.promptId,
        model: image.model,
        url: image.url,
        uploadQueued: image.uploadQueued,
      };
    } catch (error) {
      const { reason, message } = describeFailure(error, controller.signal.aborted);
      if (reason !== 'cancelled' && reason !== 'input') {
        this.logger?.warn(`generator panel: ${actorId} / ${promptLabel} failed (${reason}): ${message}`);
      }
      outcome = { type: 'error', requestId, reason, message };
    } finally {
      if (this.inFlight === running) {
        this.inFlight = undefined;
      }
    }
    this.lastOutcome = outcome;
    await this.post(outcome);
  }
}
