// The Generator panel's messages, shared by the host (generatorPanel.ts) and the UI (ui/main.ts).
// No `vscode` import and no DOM types: both bundles compile this file.
import { FAILURE_REASONS } from '../../core/manifest/failureReasons';
import { CATEGORY_LABELS, TRAINING_CATEGORIES, TrainingCategory } from '../../core/manifest/categories';
import type { BaseUiMessage, ReplyMessage } from '../webviewProtocol';

export const PANEL_VIEW_TYPE = 'actorStudio.generator';

export type PromptCategory = TrainingCategory;

/** The three categories in the order the prompt list shows them. */
export const PROMPT_CATEGORIES: readonly PromptCategory[] = TRAINING_CATEGORIES;

export const PROMPT_CATEGORY_LABELS: Record<PromptCategory, string> = CATEGORY_LABELS;

/**
 * Why a generation failed: the core's failure reasons and `input` for a request that was refused
 * before anything ran.
 */
export const ERROR_REASONS = [...FAILURE_REASONS, 'input'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export interface ActorChoice {
  id: string;
  /** What the picker shows, e.g. the actor id. */
  label: string;
  /** Secondary text, e.g. "Carl (sample) · 6/20". */
  description: string;
  /** Without a base image nothing can be generated for the actor. */
  hasBaseImage: boolean;
}

export interface PromptChoice {
  id: string;
  label: string;
  category: PromptCategory;
  categoryLabel: string;
  /** The full prompt, descriptor ("man", "woman", "person") filled in. */
  text: string;
  /** Images of this actor made from the prompt. */
  usedByActor: number;
  /** Images of all actors made from the prompt. */
  usedTotal: number;
  /** `[unused]` or `[3x used]` (for this actor). */
  badge: string;
}

/** A prompt text of the actor's own that matches no library prompt (the old tool's, or a free text generated before). */
export interface CustomPromptChoice {
  /** Stable, derived from the text (`custom:<hash>`); never a library id. */
  id: string;
  text: string;
  /** Images of this actor made from the text. */
  usedByActor: number;
  badge: string;
  /** The category its words ask for, when they say (categoryFromPromptText). */
  category?: PromptCategory;
}

/** A file of the actor's base_image/ folder a generation can start from. */
export interface BaseImageOption {
  filename: string;
  /** The actor's base image: the default. */
  canonical: boolean;
}

export { MAX_PROMPT_TEXT_LENGTH } from '../../core/prompts/types';

/** A generation the host is running for this panel (so a reloaded page shows it again). */
export interface BusyState {
  requestId: string;
  actorId: string;
  promptId: string;
  message: string;
}

// ---- host -> UI

export interface StateMessage {
  type: 'state';
  actors: ActorChoice[];
  selectedActorId?: string;
  /** The prompts with the selected actor's usage. */
  prompts: PromptChoice[];
  /** The selected actor's custom prompts, most used first. */
  customPrompts: CustomPromptChoice[];
  /** The selected actor's base images, its own first; a choice is offered when there are several. */
  baseImages: BaseImageOption[];
  /** Which generator a click would use, e.g. "local (offline)" or "Replicate black-forest-labs/flux-kontext-pro". */
  provider: string;
  busy?: BusyState;
  /** Why Generate is off for every actor (Restricted Mode), when it is. */
  blocked?: string;
  /** Why actors or prompts could not be read, when they could not. */
  problem?: string;
}

export interface ProgressMessage {
  type: 'progress';
  requestId: string;
  message: string;
}

export interface ResultMessage {
  type: 'result';
  requestId: string;
  actorId: string;
  filename: string;
  /** A downscaled JPEG as a data URI ('' when no preview could be made): the data folder is not a webview resource root. */
  imageDataUri: string;
  promptId: string;
  model: string;
  /** Where the object store serves the image, when it was uploaded. */
  url?: string;
  /** Why the upload waits in the queue, when it failed (the local file stands). */
  uploadQueued?: string;
}

export interface ErrorMessage {
  type: 'error';
  requestId: string;
  reason: ErrorReason;
  message: string;
}

export type GeneratorHostMessage = StateMessage | ProgressMessage | ResultMessage | ErrorMessage | ReplyMessage;

// ---- UI -> host

/** Requests with a reply (the generic `request` envelope of webviewProtocol.ts). */
export type GeneratorRequests = {
  openImage: { params: { actorId: string; filename: string }; result: null };
};

export interface SelectActorMessage {
  type: 'selectActor';
  actorId: string;
}

export interface GenerateMessage {
  type: 'generate';
  requestId: string;
  actorId: string;
  /** A library prompt; or, instead, `promptText` (a custom prompt or a free text). */
  promptId?: string;
  promptText?: string;
  /** The category of `promptText`; absent: taken from its words. */
  category?: PromptCategory;
  /** A file of the actor's base_image/ folder; absent: its base image. */
  baseImage?: string;
}

export interface CancelMessage {
  type: 'cancel';
  requestId: string;
}

export type GeneratorUiMessage = BaseUiMessage<GeneratorRequests> | SelectActorMessage | GenerateMessage | CancelMessage;

/** What the page keeps across reloads (vscode.setState); VS Code hands it to the serializer after a window reload. */
export interface GeneratorUiState {
  actorId?: string;
  promptId?: string;
  /** The free text being written, so a reload keeps it. */
  freeText?: string;
}
