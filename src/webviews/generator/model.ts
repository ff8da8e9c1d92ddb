import type * as vscode from 'vscode';
import type { ActorChoice, BaseImageOption, CustomPromptChoice, PromptCategory, PromptChoice } from './protocol';

export interface GeneratorRequest {
  actorId: string;
  /** A library prompt; or, instead, `promptText` (recorded with no library id). */
  promptId?: string;
  promptText?: string;
  /** The category of `promptText`; absent: taken from its words. */
  category?: PromptCategory;
  /** A file of the actor's base_image/ folder; absent: its base image. */
  baseImage?: string;
  /** Aborted when the user presses Cancel or closes the panel. */
  signal: AbortSignal;
  /** Short human-readable status ("generating with local/augment", "saving", "uploading"). */
  onProgress: (message: string) => void;
}

export interface GeneratedImageInfo {
  filename: string;
  /** Absolute path of the saved image. */
  path: string;
  /** The library prompt's id, or the custom prompt id of the text (customPromptId). */
  promptId: string;
  model: string;
  url?: string;
  uploadQueued?: string;
}

/**
 * What the Generator panel needs from the extension; the composition root implements it over
 * the workspace, the prompt library and the generation service. The panel never reads files
 * itself.
 *
 * `generate` rejects with an error that has a `reason` (a GenerationError of
 * src/core/generate/types.ts) or with any other Error for bad input (shown as reason `input`);
 * the panel shows the message as given.
 */
export interface GeneratorPanelModel {
  listActors(): Promise<ActorChoice[]>;
  /** The prompt library with this actor's usage (see toPromptChoice in prompts.ts), and the actor's custom prompts. */
  promptChoices(actorId: string): Promise<{ prompts: PromptChoice[]; customPrompts: CustomPromptChoice[] }>;
  /** The images a generation for this actor can start from, its base image first. */
  baseImages(actorId: string): Promise<BaseImageOption[]>;
  /** Which provider a generation would use now, e.g. "local (offline)". */
  providerLabel(): Promise<string>;
  generate(request: GeneratorRequest): Promise<GeneratedImageInfo>;
  /** A small JPEG data URI of an image of the data folder (the panel cannot load files itself). */
  thumbnailDataUri(path: string): Promise<string>;
  /** Actors, images, prompts or the provider changed: the panel sends its state again. */
  readonly onDidChange: vscode.Event<void>;
  /** Opens an actor's training image in an editor. */
  openImage(actorId: string, filename: string): Promise<void>;
}
