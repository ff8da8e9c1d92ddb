// The Image Viewer panel's messages, shared by the host (imageViewerPanel.ts) and the UI (ui/main.ts).
// No `vscode` import and no DOM types: both bundles compile this file.
import type { Category } from '../../core/manifest/categories';
import type { BaseUiMessage, ReplyMessage } from '../webviewProtocol';

export const PANEL_VIEW_TYPE = 'actorStudio.imageViewer';

export interface RatingView {
  stars: number;
  feedback?: string;
  ratedAt?: string;
}

export interface EvaluationView {
  evaluator?: string;
  quality?: number;
  /** Issue keys, e.g. "blurry", "identity_drift". */
  issues: string[];
  /** The evaluator's reasons in words. */
  reasons: string[];
  /** Face distance to the base image, when the face check ran and found a face. */
  identityDistance?: number;
  /** Face distance to the centroid of the other accepted faces of the set (leave-one-out), when measured. */
  centroidDistance?: number;
  /** The distance above which an image shows another person (the setting). */
  identityThreshold: number;
  evaluatedAt?: string;
}

/** One image of an actor as the page shows it. */
export interface ImageView {
  actorId: string;
  filename: string;
  /** Absolute path (host side only: the host swaps it for `pictureKey` before posting). */
  path?: string;
  /**
   * Names the file's bytes as they are now (size, time, inode); the page asks for the picture
   * (`picture`) when it shows another key. Absent when the file is missing.
   */
  pictureKey?: string;
  category: Category;
  categoryLabel: string;
  /** In the manifest (only tracked images can be rated or regenerated). */
  tracked: boolean;
  /** In the manifest but not on disk. */
  missing: boolean;
  promptId?: string;
  prompt?: string;
  model?: string;
  createdAt?: string;
  width?: number;
  height?: number;
  rating?: RatingView;
  evaluation?: EvaluationView;
  /**
   * A person's review: `needed` when the checks could not score the face (Keep or Delete), `kept`
   * when someone kept it; `reason` says why in words. Absent when the image never needed one.
   */
  review?: ReviewView;
  /** The training caption (images in the manifest only): stored or seeded, with its lint findings. */
  caption?: CaptionView;
  /** 1-based place among the actor's images, and their count, for prev/next. */
  position: number;
  count: number;
  previous?: string;
  next?: string;
}

export interface CaptionView {
  /** As stored; [trigger] stands for the trigger word chosen at export. */
  text: string;
  /** user, vision, prompt or category. */
  source: string;
  /** The source in words ("seeded from the prompt"). */
  sourceLabel: string;
  findings: { code: string; severity: 'error' | 'warning' | 'info'; message: string }[];
}

export interface ReviewView {
  state: 'needed' | 'kept';
  reason: string;
  /** When it was kept (ISO). */
  at?: string;
}

/** A regeneration the host runs or ran for this panel. */
export interface RegenerationView {
  state: 'running' | 'done' | 'failed';
  message: string;
  /** The new image (done). */
  filename?: string;
}

// ---- host -> UI

export interface StateMessage {
  type: 'state';
  actorId?: string;
  filename?: string;
  view?: ImageView;
  /** Why writing actions are off (Restricted Mode), when they are. */
  blocked?: string;
  /** Why the image could not be shown. */
  problem?: string;
  regeneration?: RegenerationView;
}

export type ImageViewerHostMessage = StateMessage | ReplyMessage;

// ---- UI -> host

/** Requests with a reply; each resolves when the action is done (or says why it could not run). */
export type ImageViewerRequests = {
  /** Sets the stars (1-5); `feedback` given replaces the feedback, omitted keeps it. */
  rate: { params: { stars: number; feedback?: string }; result: RatingView };
  clearRating: { params: null; result: null };
  /** Shows another image of the same actor. */
  show: { params: { filename: string }; result: null };
  /** Moves the image to the trash after a modal confirmation; `deleted: false` when the user said no. */
  delete: { params: null; result: { deleted: boolean } };
  /** Keeps an image that needs review (Keep Image (Reviewed)): it stays in the set and no longer needs review. */
  keep: { params: null; result: { kept: boolean } };
  /** Generates a new image from this image's prompt; resolves when it is saved (the panel then shows it). */
  regenerate: { params: null; result: { filename: string } };
  cancelRegeneration: { params: null; result: null };
  /** Opens the file in an editor beside the panel. */
  openFile: { params: null; result: null };
  /** The shown image's file as a data: URI with its key, or why it cannot be shown here. */
  picture: { params: { filename: string }; result: Picture };
  /** Sets the image's caption (the user's from then on; Undo Caption Edit takes it back). */
  setCaption: { params: { text: string }; result: CaptionView | null };
};

/** An image file for the page: its bytes as a data: URI (not a webview URI, see `StudioImageViewerModel.picture`). */
export type Picture = { src: string; key: string } | { broken: string };

export type ImageViewerUiMessage = BaseUiMessage<ImageViewerRequests>;

/** What the page keeps across reloads (vscode.setState); the serializer reopens the panel on this image. */
export interface ImageViewerUiState {
  actorId?: string;
  filename?: string;
  /** Feedback typed but not saved yet, for this image. */
  draft?: { filename: string; feedback: string };
}
