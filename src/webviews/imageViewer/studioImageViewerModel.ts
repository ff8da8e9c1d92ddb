import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveLocalCheckThresholds } from '../../core/evaluate/thresholds';
import { linkedOutsideReason, realPathInside } from '../../core/workspace/guards';
import { actorPaths, PLAIN_NAME } from '../../core/workspace/layout';
import type { GenerationController } from '../../editor/generationController';
import type { StudioWorkspace } from '../../editor/studioWorkspace';
import type { ActorsTreeProvider } from '../../providers/actorsTree/actorsTreeProvider';
import { buildImageView } from './imageView';
import type { ImageActions, ImageRef, ImageViewerModel, RegenerateSource } from './model';
import type { ImageView, Picture, RatingView } from './protocol';

/** The largest file the viewer shows itself (its bytes travel in one message); Open File shows any. */
const MAX_PICTURE_BYTES = 32 * 1024 * 1024;
const PICTURE_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

/**
 * The Image Viewer's view of the extension: images from the workspace index, ratings through the
 * Rate Image and Delete Image commands (the tree and the log follow), regeneration through the
 * GenerationController (which refreshes the tree).
 */
export class StudioImageViewerModel implements ImageViewerModel, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly generation: GenerationController,
    tree: ActorsTreeProvider,
    private readonly actions: ImageActions,
  ) {
    this.subscriptions = [this.changed, tree.onDidIndex((index) => index.actors.forEach((actor) => this.changed.fire(actor.id)))];
  }

  async loadImage(image: ImageRef): Promise<ImageView | undefined> {
    const actors = await this.workspace.actors();
    const record = actors?.actor(image.actorId);
    const threshold = resolveLocalCheckThresholds(this.workspace.settings.evaluation.thresholds).identityDriftDistance;
    return record && buildImageView(record, image.filename, threshold);
  }

  /** The actor's training folder: none for an id that is a path or folders that link out of the data folder (the core guard). */
  trainingFolder(actorId: string): { folder: vscode.Uri } | { refused: string } {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      return { refused: 'no data folder is open' };
    }
    if (!PLAIN_NAME.test(actorId)) {
      return { refused: `"${actorId}" is not an actor id` };
    }
    const outside = linkedOutsideReason(dataRoot, actorId);
    return outside ? { refused: outside } : { folder: vscode.Uri.file(actorPaths(dataRoot, actorId).trainingDir) };
  }

  async pictureKey(file: string): Promise<string | undefined> {
    const found = await this.checkedFile(file).catch(() => undefined);
    return found && 'key' in found ? found.key : undefined;
  }

  /**
   * The bytes as a data: URI, not a webview URI the page fetches: in the browser (code-server) one
   * service worker serves every panel's page, and a fetch still open when the page is hidden keeps
   * the next page from loading for 30 s (see docs/architecture.md). A data URI also keeps the data
   * folder out of the page's resource roots.
   */
  async picture(image: ImageRef): Promise<Picture> {
    try {
      const found = await this.pictureFile(image);
      if ('broken' in found) {
        return found;
      }
      if (found.size > MAX_PICTURE_BYTES) {
        return { broken: `${image.filename} is ${(found.size / 1024 / 1024).toFixed(0)} MB, too large to show here; Open File shows it` };
      }
      const type = PICTURE_TYPES[path.extname(found.file).toLowerCase()];
      if (!type) {
        return { broken: `${image.filename} is not a JPEG, PNG or WebP file` };
      }
      return { src: `data:${type};base64,${(await fs.readFile(found.file)).toString('base64')}`, key: found.key };
    } catch (error) {
      return { broken: `cannot read ${image.filename}: ${(error as Error).message}` };
    }
  }

  /** The image's file, checked (links resolved) to be inside the data folder, with the key of its bytes. */
  private async pictureFile(image: ImageRef): Promise<{ file: string; key: string; size: number } | { broken: string }> {
    const root = this.trainingFolder(image.actorId);
    if ('refused' in root) {
      return { broken: root.refused };
    }
    const view = await this.loadImage(image);
    if (!view?.path || view.missing) {
      return { broken: `${image.filename} is not on disk` };
    }
    return this.checkedFile(view.path);
  }

  /** `file` if it really is inside the data folder (links resolved), with the key of its bytes: size, time, inode. */
  private async checkedFile(file: string): Promise<{ file: string; key: string; size: number } | { broken: string }> {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      return { broken: 'no data folder is open' };
    }
    if (!realPathInside(await fs.realpath(dataRoot), file)) {
      return { broken: `${path.basename(file)} links outside the data folder` };
    }
    const stats = await fs.stat(file);
    return { file, key: `${stats.size}-${stats.mtimeMs}-${stats.ino}`, size: stats.size };
  }

  async rate(image: ImageRef, stars: number, feedback?: string): Promise<RatingView> {
    const result = await this.rateThroughCommand(image, { stars, ...(feedback !== undefined ? { feedback } : {}) });
    const rating = result.rated[0]?.rating;
    if (!rating) {
      throw new Error(`${image.filename} was not rated`);
    }
    return { stars: rating.stars, feedback: rating.feedback, ratedAt: rating.rated_at };
  }

  async clearRating(image: ImageRef): Promise<void> {
    await this.rateThroughCommand(image, { clear: true });
  }

  async deleteImage(image: ImageRef): Promise<boolean> {
    // The command's flow: the same confirmation, trash run and tree refresh as the context menu.
    return this.actions.deleteImage(image);
  }

  async keepImage(image: ImageRef): Promise<boolean> {
    // The command's flow: the manifest write under the actor's lock, the tree refresh, the status line.
    const result = await this.actions.keepImage(image);
    if (!result) {
      throw new Error('keeping is not possible here (Restricted Mode, or no data folder)');
    }
    if (result.failed.length > 0) {
      throw new Error(result.failed[0].reason);
    }
    return result.kept.length > 0;
  }

  async regenerate(request: ImageRef & RegenerateSource & { signal: AbortSignal; onProgress: (message: string) => void }): Promise<string> {
    const { actorId, signal, onProgress } = request;
    const source = 'promptId' in request ? { promptId: request.promptId } : { promptText: request.promptText, category: request.category };
    const image = await this.generation.generate({ actorId, ...source, signal, onProgress });
    return image.filename;
  }

  async openFile(image: ImageRef): Promise<void> {
    const root = this.trainingFolder(image.actorId);
    if ('folder' in root && path.basename(image.filename) === image.filename) {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.joinPath(root.folder, image.filename), {
        viewColumn: vscode.ViewColumn.Beside,
        preserveFocus: true,
      });
    }
  }

  async setCaption(image: ImageRef, text: string): Promise<void> {
    if (!(await this.actions.editCaption(image, text))) {
      throw new Error('editing captions is not possible here (Restricted Mode, or no data folder)');
    }
  }

  private async rateThroughCommand(image: ImageRef, options: { stars?: number; feedback?: string; clear?: boolean }) {
    const result = await this.actions.rateImage(image, options);
    if (!result) {
      throw new Error('rating is not possible here (Restricted Mode, or no data folder)');
    }
    if (result.failed.length > 0) {
      throw new Error(result.failed[0].reason);
    }
    return result;
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
