import type * as vscode from 'vscode';
import type { ImageView, Picture, RatingView } from './protocol';
import type { Rating } from '../../core/tracking/ratings';
import type { TrainingCategory } from '../../core/manifest/categories';

/** One image of one actor. */
export interface ImageRef {
  actorId: string;
  filename: string;
}

/**
 * What the Image Viewer panel needs from the extension; the composition root implements it over
 * the workspace, the Rate Image command, the trash and the generation host. The panel never reads
 * or writes files itself.
 */
export interface ImageViewerModel {
  /** The image as the page shows it, with its absolute `path`; undefined when the actor has no such image. */
  loadImage(image: ImageRef): Promise<ImageView | undefined>;
  /**
   * The actor's training folder, or why the viewer does not show its images (no data folder, an
   * id that is a path, a folder linking outside).
   */
  trainingFolder(actorId: string): { folder: vscode.Uri } | { refused: string };
  /** The key of an image file's bytes as they are now (its `path` from loadImage), or undefined when it is not a file inside the data folder. */
  pictureKey(file: string): Promise<string | undefined>;
  /** The image file as a data: URI with that key, or why the page cannot show it. */
  picture(image: ImageRef): Promise<Picture>;
  /** Rates through the Rate Image command (so the tree and the log follow). */
  rate(image: ImageRef, stars: number, feedback?: string): Promise<RatingView>;
  clearRating(image: ImageRef): Promise<void>;
  /** Asks in a modal dialog, then moves the image to the trash; false when the user said no. */
  deleteImage(image: ImageRef): Promise<boolean>;
  /** Keeps an image that needs review through Keep Image (Reviewed) (the tree follows); throws with the reason when it could not. */
  keepImage(image: ImageRef): Promise<boolean>;
  /**
   * Generates a new image for the actor from its library prompt `promptId`, or from `promptText`
   * (a custom prompt, in `category` when given); resolves with its file name.
   */
  regenerate(request: ImageRef & RegenerateSource & { signal: AbortSignal; onProgress: (message: string) => void }): Promise<string>;
  /** Opens the file in an editor beside the panel. */
  openFile(image: ImageRef): Promise<void>;
  /** Sets the caption through the Edit Caption command (so the tree follows and Undo Caption Edit takes it back). */
  setCaption(image: ImageRef, text: string): Promise<void>;
  /** Fires with an actor whose images changed: the panel showing it sends its state again. */
  readonly onDidChange: vscode.Event<string>;
}

/**
 * The editor's own Delete Image and Rate Image flows (confirmation, trash run, log, tree refresh),
 * handed to the model by the composition root so the viewer behaves as the context menu does.
 */
export interface ImageActions {
  /** True when the image went to the trash (false: the user said no). */
  deleteImage(image: ImageRef): Promise<boolean>;
  /** Keep Image (Reviewed): undefined when keeping is not possible here; otherwise what failed, if anything. */
  keepImage(image: ImageRef): Promise<{ kept: ImageRef[]; failed: { reason: string }[] } | undefined>;
  /** Edit Caption with the text given: undefined when editing is not possible here. */
  editCaption(image: ImageRef, text: string): Promise<{ written: number } | undefined>;
  /** Undefined when rating is not possible here; otherwise what failed, if anything. */
  rateImage(
    image: ImageRef,
    options: { stars?: number; feedback?: string; clear?: boolean },
  ): Promise<{ rated: { rating: Rating | null }[]; failed: { reason: string }[] } | undefined>;
}

/** What an image was generated from: its library prompt, or the text of a custom prompt. */
export type RegenerateSource = { promptId: string } | { promptText: string; category?: TrainingCategory };
