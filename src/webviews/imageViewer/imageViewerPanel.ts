import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { isValidStars } from '../../core/tracking/ratings';
import { isPlainName } from '../generator/failures';
import { panelOptions, registerPanelSerializer, WebviewHost, WebviewProbe } from '../webviewHost';
import type { ImageRef, ImageViewerModel, RegenerateSource } from './model';
import { isTrainingCategory } from '../../core/manifest/categories';
import {
  ImageViewerHostMessage,
  ImageViewerRequests,
  ImageViewerUiMessage,
  ImageViewerUiState,
  PANEL_VIEW_TYPE,
  RegenerationView,
  StateMessage,
} from './protocol';

const TITLE = 'Image';

export type ImageViewerPanelProbe = WebviewProbe<ImageViewerHostMessage, ImageViewerUiMessage>;

/**
 * The Image Viewer: one image of an actor, large, with its prompt, evaluation and identity
 * distance, a star widget and feedback, Delete (to the trash) and Regenerate with the same prompt,
 * and prev/next through the actor's images. One panel; opening another image shows it there.
 * The page loads only the built assets; the image reaches it as bytes in a reply (`picture`).
 */
export class ImageViewerPanel extends WebviewHost<ImageViewerHostMessage, ImageViewerUiMessage, ImageViewerRequests> {
  private static instance: ImageViewerPanel | undefined;

  static get current(): ImageViewerPanel | undefined {
    return ImageViewerPanel.instance;
  }

  /** Opens the viewer on `image` (or shows it in the open viewer). */
  static show(extensionUri: vscode.Uri, model: ImageViewerModel, image: ImageRef, logger?: Logger): ImageViewerPanel {
    if (!isPlainName(image.actorId) || !isPlainName(image.filename)) {
      throw new Error(`"${image.actorId}/${image.filename}" is not an image of the data folder`);
    }
    const open = ImageViewerPanel.instance;
    if (open) {
      open.showImage(image);
      open.panel.reveal();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Active }, panelOptions(extensionUri));
    return new ImageViewerPanel(panel, extensionUri, model, image, logger);
  }

  /** Restores the viewer after a window reload on the image its page stored. */
  static registerSerializer(extensionUri: vscode.Uri, model: ImageViewerModel, logger?: Logger): vscode.Disposable {
    return registerPanelSerializer(PANEL_VIEW_TYPE, (panel, state: Partial<ImageViewerUiState>) => {
      if (ImageViewerPanel.instance || !isPlainName(state.actorId) || !isPlainName(state.filename)) {
        panel.dispose();
        return;
      }
      new ImageViewerPanel(panel, extensionUri, model, { actorId: state.actorId, filename: state.filename }, logger);
    });
  }

  protected readonly requests = {
    rate: async ({ stars, feedback }: ImageViewerRequests['rate']['params']) => {
      this.requireTrust('rating');
      if (!isValidStars(stars) || (feedback !== undefined && typeof feedback !== 'string')) {
        throw new Error('stars must be a whole number from 1 to 5');
      }
      const rating = await this.model.rate(this.image, stars, feedback);
      await this.sendState();
      return rating;
    },
    clearRating: async () => {
      this.requireTrust('clearing a rating');
      await this.model.clearRating(this.image);
      await this.sendState();
      return null;
    },
    show: async ({ filename }: ImageViewerRequests['show']['params']) => {
      if (!isPlainName(filename)) {
        throw new Error('not an image file name');
      }
      this.showImage({ actorId: this.image.actorId, filename });
      return null;
    },
    delete: async () => {
      this.requireTrust('deleting');
      const shown = this.image;
      const neighbour = (await this.model.loadImage(shown)) ?? undefined;
      if (!(await this.model.deleteImage(shown))) {
        return { deleted: false };
      }
      // The next image takes its place (else the one before); with none left the page says so.
      const following = neighbour?.next ?? neighbour?.previous;
      this.showImage(following ? { actorId: shown.actorId, filename: following } : shown);
      return { deleted: true };
    },
    keep: async () => {
      this.requireTrust('keeping');
      const kept = await this.model.keepImage(this.image);
      await this.sendState();
      return { kept };
    },
    setCaption: async ({ text }: ImageViewerRequests['setCaption']['params']) => {
      this.requireTrust('editing the caption');
      if (typeof text !== 'string' || !text.trim()) {
        throw new Error('a caption cannot be empty');
      }
      await this.model.setCaption(this.image, text);
      await this.sendState();
      return (await this.model.loadImage(this.image))?.caption ?? null;
    },
    regenerate: async () => this.regenerate(),
    cancelRegeneration: async () => {
      this.regeneration?.controller.abort();
      return null;
    },
    openFile: async () => {
      await this.model.openFile(this.image);
      return null;
    },
    picture: async ({ filename }: ImageViewerRequests['picture']['params']) => {
      if (filename !== this.image.filename) {
        return { broken: `${String(filename)} is no longer the image shown` };
      }
      return this.model.picture(this.image);
    },
  };

  private image: ImageRef;
  private regeneration: (RegenerationView & { controller: AbortController }) | undefined;

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly model: ImageViewerModel,
    image: ImageRef,
    logger: Logger | undefined,
  ) {
    super(panel, extensionUri, { bundle: 'imageViewer', title: TITLE, logger });
    ImageViewerPanel.instance = this;
    this.image = image;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'actor-studio.svg');
    this.disposables.push(
      model.onDidChange((actorId) => actorId === this.image.actorId && this.scheduleState()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleState()),
    );
    this.render();
  }

  /** Switches to another image (of any actor). */
  showImage(image: ImageRef): void {
    if (!isPlainName(image.actorId) || !isPlainName(image.filename)) {
      return;
    }
    this.image = image;
    void this.sendState();
  }

  protected async onReady(): Promise<void> {
    await this.sendState();
  }

  protected async onMessage(message: ImageViewerUiMessage): Promise<void> {
    this.logger?.warn(`image viewer: ignored a message of type ${JSON.stringify((message as { type: string }).type)}`);
  }

  protected override onDispose(): void {
    this.regeneration?.controller.abort();
    if (ImageViewerPanel.instance === this) {
      ImageViewerPanel.instance = undefined;
    }
  }

  protected async buildState(): Promise<StateMessage> {
    const { actorId, filename } = this.image;
    this.panel.title = `${TITLE}: ${filename}`;
    const regeneration = this.regeneration && { state: this.regeneration.state, message: this.regeneration.message, filename: this.regeneration.filename };
    const blocked = vscode.workspace.isTrusted
      ? undefined
      : 'Restricted Mode: rating, captions, keeping, deleting and regenerating write files, so they are off until you trust this folder.';
    const root = this.model.trainingFolder(actorId);
    if ('refused' in root) {
      return { type: 'state', actorId, filename, blocked, regeneration, problem: `Cannot show ${filename}: ${root.refused}.` };
    }
    try {
      const loaded = await this.model.loadImage(this.image);
      if (!loaded) {
        return { type: 'state', actorId, filename, blocked, regeneration, problem: `${filename} is no longer among the images of ${actorId}.` };
      }
      const { path, ...view } = loaded;
      const pictureKey = path && !view.missing ? await this.model.pictureKey(path) : undefined;
      return { type: 'state', actorId, filename, view: { ...view, pictureKey }, blocked, regeneration };
    } catch (error) {
      this.logger?.warn(`image viewer: ${actorId}/${filename}: ${(error as Error).message}`);
      return { type: 'state', actorId, filename, blocked, regeneration, problem: `could not read ${actorId}: ${(error as Error).message}` };
    }
  }

  private async regenerate(): Promise<{ filename: string }> {
    this.requireTrust('regenerating');
    if (this.regeneration?.state === 'running') {
      throw new Error('a regeneration is already running; wait for it or cancel it');
    }
    const source = this.image;
    const view = await this.model.loadImage(source);
    if (!view?.promptId && !view?.prompt) {
      throw new Error(`${source.filename} records no prompt, so there is nothing to generate from again`);
    }
    // A custom prompt (a text with no library id) is generated again from its text, in the image's category.
    const from: RegenerateSource = view.promptId
      ? { promptId: view.promptId }
      : { promptText: view.prompt!, ...(isTrainingCategory(view.category) ? { category: view.category } : {}) };
    const promptName = view.promptId ?? 'its custom prompt';
    const running = { state: 'running' as const, message: `generating from ${promptName}`, controller: new AbortController() };
    this.regeneration = running;
    await this.sendState();
    try {
      const filename = await this.model.regenerate({
        ...source,
        ...from,
        signal: running.controller.signal,
        onProgress: (message) => {
          if (this.regeneration === running) {
            running.message = message;
            this.scheduleState(50);
          }
        },
      });
      this.regeneration = {
        state: 'done',
        message: `${filename} generated from ${promptName} (the original stays)`,
        filename,
        controller: running.controller,
      };
      this.showImage({ actorId: source.actorId, filename });
      return { filename };
    } catch (error) {
      const cancelled = running.controller.signal.aborted;
      this.regeneration = {
        state: 'failed',
        message: cancelled ? 'regeneration cancelled' : `regeneration failed: ${(error as Error).message}`,
        controller: running.controller,
      };
      await this.sendState();
      throw error;
    }
  }

  private requireTrust(what: string): void {
    if (!vscode.workspace.isTrusted) {
      throw new Error(`${what} writes files, so it is disabled in Restricted Mode: trust this folder first`);
    }
  }
}
