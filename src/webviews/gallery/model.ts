import type * as vscode from 'vscode';
import type { Thumbnail } from '../../core/image/thumbnailCache';
import type { GalleryView } from './protocol';

/** Which thumbnail: of a training image or the base image; grid size or large (side by side). */
export interface ThumbnailRequest {
  actorId: string;
  filename: string;
  base?: boolean;
  large?: boolean;
}

/**
 * What the Actor Gallery panel needs from the extension; the composition root implements it over
 * the workspace, the thumbnail cache and the editor commands (the same ones the tree runs). The
 * panel never reads or writes data files itself.
 */
export interface GalleryModel {
  /** The actor's images as tiles; undefined when there is no such actor. Throws with what is wrong (no data folder). */
  loadView(actorId: string): Promise<GalleryView | undefined>;
  /** A thumbnail from the cache (made on demand), or why there is none. Throws for a name that is not an image of the actor. */
  thumbnail(request: ThumbnailRequest): Promise<Thumbnail>;
  /**
   * The grid thumbnails of the actor's images (and its base image, under `base`) that are ready
   * without reading an image, by file name: each state names them by key, so a page that already
   * holds them (a state after a change) shows them without asking again.
   */
  readyThumbnails(actorId: string): Promise<{ images: Map<string, string>; base?: string }>;
  /** Runs an image command on these images of the actor, as the tree's context menu does. */
  run(action: GalleryAction, actorId: string, filenames: readonly string[]): Promise<void>;
  /** Generates a new image from each image's prompt, or from one the user picks; resolves with the new file names. */
  regenerate(actorId: string, filenames: readonly string[], anotherPrompt: boolean): Promise<string[]>;
  /** Fires with an actor whose files, manifest or plan changed. */
  readonly onDidChange: vscode.Event<string>;
}

export type GalleryAction =
  { kind: 'rate'; stars: number } | { kind: 'clearRating' } | { kind: 'setCategory' } | { kind: 'delete' } | { kind: 'editCaptions' } | { kind: 'openViewer' };
