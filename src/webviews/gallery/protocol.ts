// The Actor Gallery panel's messages, shared by the host (galleryPanel.ts) and the UI (ui/main.ts).
// No `vscode` import and no DOM types: both bundles compile this file.
import type { CaptionSource, Category, CategorySource } from '../../core/manifest/categories';
import type { BaseUiMessage, ReplyMessage } from '../webviewProtocol';

export const PANEL_VIEW_TYPE = 'actorStudio.gallery';

/** What the latest plan says of an image: the plan deletes it, or it came after the plan was made. */
export type PlanMark = 'delete' | 'new';

/** One training image as a tile of the grid. */
export interface GalleryImage {
  filename: string;
  /** The number in `<actorId>_<n>`, when the file is named that way. */
  number?: number;
  category: Category;
  categoryLabel: string;
  /** Who decided the category (absent for an untracked image). */
  categorySource?: CategorySource;
  /** In the manifest (only tracked images can be rated, categorised or captioned). */
  tracked: boolean;
  /** In the manifest but not on disk (no thumbnail). */
  missing: boolean;
  /** Issue keys of the current evaluation (e.g. "blurry", "identity_drift"). */
  issues: string[];
  /** The checks could not judge the face and nobody kept the image yet. */
  needsReview: boolean;
  /** Face distance to the base image, and to the centroid of the other accepted faces. */
  identityDistance?: number;
  centroidDistance?: number;
  rating?: number;
  plan?: PlanMark;
  /** The plan's reason for deleting it. */
  planReason?: string;
  caption: { text: string; source: CaptionSource };
  promptId?: string;
  /** When it was generated or added (ISO), for the date sort. */
  createdAt?: string;
  /**
   * Names the thumbnail's bytes when they were ready at once: a page that holds a thumbnail under
   * this key shows it without asking. Else the page asks when the tile comes into view.
   */
  thumbnailKey?: string;
}

export interface CategoryCount {
  category: Category;
  label: string;
  count: number;
  /** Undefined for Unclassified (it has no target). */
  target?: number;
}

/** One actor as the gallery shows it. */
export interface GalleryView {
  actorId: string;
  /** The identity the set is built around, pinned beside the grid. */
  baseImage?: string;
  /** The base image's thumbnail key when it was ready at once (as `thumbnailKey`). */
  baseThumbnailKey?: string;
  images: GalleryImage[];
  counts: CategoryCount[];
  /** Images on disk against the total target. */
  total: number;
  target: number;
  /** The face distance above which an image shows another person (the setting). */
  identityThreshold: number;
  /** The latest plan: none, one that no longer matches the files, a valid one, or an invalid file. */
  planState: 'none' | 'planned' | 'stale' | 'invalid';
}

// ---- host -> UI

export interface StateMessage {
  type: 'state';
  actorId: string;
  view?: GalleryView;
  /** Why writing actions are off (Restricted Mode), when they are. */
  blocked?: string;
  /** Why the actor could not be shown. */
  problem?: string;
}

export type GalleryHostMessage = StateMessage | ReplyMessage;

// ---- UI -> host

/**
 * A thumbnail as a data: URI with the key of its bytes, or why the image has none. Bytes in the
 * reply, not a webview URI the page fetches: see `thumbnailReply` in galleryPanel.ts.
 */
export type ThumbnailResult = { src: string; key: string } | { broken: string };

/** Images of the shown actor the action applies to (the selection, in grid order). */
export interface Targets {
  filenames: string[];
}

export type GalleryRequests = {
  /** The thumbnail of a training image (or of the base image with `base`); `large` for the side-by-side view. */
  thumbnail: { params: { filename: string; base?: boolean; large?: boolean }; result: ThumbnailResult };
  /** 1-5 stars, or 0 to clear, through Rate Image. */
  rate: { params: Targets & { stars: number }; result: null };
  /** Set Category (its quick pick). */
  setCategory: { params: Targets; result: null };
  /** Delete Image (its confirmation): the images go to the trash. */
  delete: { params: Targets; result: null };
  /** A new image from each image's prompt, or (`anotherPrompt`) from a prompt the user picks. */
  regenerate: { params: Targets & { anotherPrompt: boolean }; result: { generated: string[] } };
  /** Edit Caption / Edit Captions (the captions commands). */
  editCaptions: { params: Targets; result: null };
  /** The Image Viewer on one image. */
  openViewer: { params: { filename: string }; result: null };
};

export type GalleryUiMessage = BaseUiMessage<GalleryRequests>;

/** What the page keeps across reloads (vscode.setState); the serializer reopens the actor. */
export interface GalleryUiState {
  actorId?: string;
  filter?: GalleryFilter;
  sort?: GallerySort;
}

export const RATING_FILTERS = ['all', 'unrated', 'rated', '5', '4', '3', '2', '1'] as const;
export const REVIEW_FILTERS = ['all', 'needed', 'not_needed'] as const;
export const GALLERY_SORTS = ['number', 'rating', 'identity', 'date'] as const;
export type GallerySort = (typeof GALLERY_SORTS)[number];

export interface GalleryFilter {
  /** A category, or all. */
  category: Category | 'all';
  /** An issue key; `any` for images with an issue, `none` for those without, or all. */
  issue: string;
  rating: (typeof RATING_FILTERS)[number];
  review: (typeof REVIEW_FILTERS)[number];
}

export const NO_FILTER: GalleryFilter = { category: 'all', issue: 'all', rating: 'all', review: 'all' };
