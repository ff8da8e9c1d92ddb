import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Thumbnail } from '../../core/image/thumbnailCache';
import type { Logger } from '../../core/logger';
import { isValidStars } from '../../core/tracking/ratings';
import { isPlainName } from '../generator/failures';
import { panelOptions, registerPanelSerializer, WebviewHost, WebviewProbe } from '../webviewHost';
import type { GalleryAction, GalleryModel } from './model';
import {
  GalleryHostMessage,
  GalleryRequests,
  GalleryUiMessage,
  GalleryUiState,
  GalleryView,
  PANEL_VIEW_TYPE,
  StateMessage,
  Targets,
  ThumbnailResult,
} from './protocol';

const TITLE = 'Gallery';
/** Most images one action takes (a Ctrl+A of a large actor is a few hundred). */
const MAX_TARGETS = 5000;

export type GalleryPanelProbe = WebviewProbe<GalleryHostMessage, GalleryUiMessage>;

/**
 * The Actor Gallery: one actor's base image pinned beside a grid of its training images, with
 * badges, counts against the targets, filters, sorts and multi-selection; every change goes
 * through the editor's image commands. One panel per actor, titled with it. The page loads only
 * the built assets; thumbnails reach it as bytes in replies (`thumbnailReply`).
 */
export class GalleryPanel extends WebviewHost<GalleryHostMessage, GalleryUiMessage, GalleryRequests> {
  private static readonly panels = new Map<string, GalleryPanel>();
  private static last: GalleryPanel | undefined;

  /** The panel opened, revealed or focused last, if it is still open. */
  static get current(): GalleryPanel | undefined {
    return GalleryPanel.last;
  }

  /** Opens the actor's gallery (or reveals it). */
  static show(extensionUri: vscode.Uri, model: GalleryModel, actorId: string, logger?: Logger): GalleryPanel {
    if (!isPlainName(actorId)) {
      throw new Error(`"${actorId}" is not an actor id`);
    }
    const open = GalleryPanel.panels.get(actorId);
    if (open) {
      GalleryPanel.last = open;
      open.panel.reveal();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      `${TITLE}: ${actorId}`,
      { viewColumn: vscode.ViewColumn.Active },
      panelOptions(extensionUri),
    );
    return new GalleryPanel(panel, extensionUri, model, actorId, logger);
  }

  /** Restores the galleries after a window reload, each on the actor its page stored. */
  static registerSerializer(extensionUri: vscode.Uri, model: GalleryModel, logger?: Logger): vscode.Disposable {
    return registerPanelSerializer(PANEL_VIEW_TYPE, (panel, state: Partial<GalleryUiState>) => {
      if (!isPlainName(state.actorId) || GalleryPanel.panels.has(state.actorId)) {
        panel.dispose();
        return;
      }
      new GalleryPanel(panel, extensionUri, model, state.actorId, logger);
    });
  }

  protected readonly requests = {
    thumbnail: async (params: GalleryRequests['thumbnail']['params']): Promise<ThumbnailResult> => {
      const filename = plainFilename(params?.filename);
      return thumbnailReply(await this.model.thumbnail({ actorId: this.actorId, filename, base: params.base === true, large: params.large === true }));
    },
    rate: async (params: GalleryRequests['rate']['params']) => {
      const stars = params?.stars;
      if (stars !== 0 && !isValidStars(stars)) {
        throw new Error('stars must be a whole number from 0 (clear) to 5');
      }
      return this.act(stars === 0 ? { kind: 'clearRating' } : { kind: 'rate', stars }, params);
    },
    setCategory: (params: Targets) => this.act({ kind: 'setCategory' }, params),
    delete: (params: Targets) => this.act({ kind: 'delete' }, params),
    editCaptions: (params: Targets) => this.act({ kind: 'editCaptions' }, params),
    openViewer: async (params: GalleryRequests['openViewer']['params']) => {
      await this.model.run({ kind: 'openViewer' }, this.actorId, [plainFilename(params?.filename)]);
      return null;
    },
    regenerate: async (params: GalleryRequests['regenerate']['params']) => {
      this.requireTrust('regenerating');
      const generated = await this.model.regenerate(this.actorId, targetNames(params), params.anotherPrompt === true);
      await this.sendState();
      return { generated };
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly model: GalleryModel,
    readonly actorId: string,
    logger: Logger | undefined,
  ) {
    super(panel, extensionUri, { bundle: 'gallery', title: `${TITLE}: ${actorId}`, logger });
    GalleryPanel.panels.set(actorId, this);
    GalleryPanel.last = this;
    panel.title = `${TITLE}: ${actorId}`;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'actor-studio.svg');
    this.disposables.push(
      model.onDidChange((changed) => changed === actorId && this.scheduleState()),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (webviewPanel.active) {
          GalleryPanel.last = this;
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleState()),
    );
    this.render();
  }

  /** Runs an image command on the targets (writing ones only in a trusted folder), then sends the state. */
  private async act(action: GalleryAction, params: Targets): Promise<null> {
    if (action.kind !== 'openViewer') {
      this.requireTrust('changing images');
    }
    await this.model.run(action, this.actorId, targetNames(params));
    await this.sendState();
    return null;
  }

  protected async onReady(): Promise<void> {
    await this.sendState();
  }

  protected async onMessage(message: GalleryUiMessage): Promise<void> {
    this.logger?.warn(`gallery: ignored a message of type ${JSON.stringify((message as { type: string }).type)}`);
  }

  protected override onDispose(): void {
    if (GalleryPanel.panels.get(this.actorId) === this) {
      GalleryPanel.panels.delete(this.actorId);
    }
    if (GalleryPanel.last === this) {
      GalleryPanel.last = [...GalleryPanel.panels.values()].pop();
    }
  }

  protected async buildState(): Promise<StateMessage> {
    const blocked = vscode.workspace.isTrusted
      ? undefined
      : 'Restricted Mode: rating, setting categories, captions, deleting and regenerating write files, so they are off until you trust this folder.';
    try {
      const view = await this.model.loadView(this.actorId);
      return view
        ? { type: 'state', actorId: this.actorId, view: await this.withReadyThumbnails(view), blocked }
        : { type: 'state', actorId: this.actorId, blocked, problem: `There is no actor ${this.actorId} in the data folder.` };
    } catch (error) {
      this.logger?.warn(`gallery: ${this.actorId}: ${(error as Error).message}`);
      return { type: 'state', actorId: this.actorId, blocked, problem: `Cannot show ${this.actorId}: ${(error as Error).message}.` };
    }
  }

  /** Names the thumbnails ready at once in the (freshly built) view, so a page that holds them shows them without asking. */
  private async withReadyThumbnails(view: GalleryView): Promise<GalleryView> {
    const ready = await this.model.readyThumbnails(view.actorId);
    for (const image of view.images) {
      const file = ready.images.get(image.filename);
      if (file) {
        image.thumbnailKey = thumbnailKey(file);
      }
    }
    if (ready.base) {
      view.baseThumbnailKey = thumbnailKey(ready.base);
    }
    return view;
  }

  private requireTrust(what: string): void {
    if (!vscode.workspace.isTrusted) {
      throw new Error(`${what} writes files, so it is disabled in Restricted Mode: trust this folder first`);
    }
  }
}

/** A cache file is named by the hash of the image's bytes and the size, so its name is the key of its bytes. */
const thumbnailKey = (file: string) => path.basename(file);

/**
 * The thumbnail's bytes as a data: URI. Not a webview URI: in the browser (code-server) every
 * panel's page is served by one shared service worker, and a fetch still open when a panel is
 * hidden keeps the next page's worker from starting for 30 s (its resource timeout), so the next
 * Actor Studio panel shown stayed blank that long. A gallery loading its thumbnails opened that
 * window for seconds; replies keep the page's only fetches to its own assets at load.
 */
async function thumbnailReply(thumbnail: Thumbnail): Promise<ThumbnailResult> {
  if ('broken' in thumbnail) {
    return thumbnail;
  }
  const bytes = await fs.readFile(thumbnail.file);
  return { src: `data:image/webp;base64,${bytes.toString('base64')}`, key: thumbnailKey(thumbnail.file) };
}

function plainFilename(filename: unknown): string {
  if (!isPlainName(filename)) {
    throw new Error('not an image file name');
  }
  return filename;
}

/** The file names an action names: plain names, at least one. */
function targetNames(params: Targets | undefined): string[] {
  const names = params?.filenames;
  if (!Array.isArray(names) || names.length === 0 || names.length > MAX_TARGETS) {
    throw new Error('select an image first');
  }
  return names.map(plainFilename);
}
