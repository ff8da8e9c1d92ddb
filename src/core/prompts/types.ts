import type { TrainingCategory } from '../manifest/categories';

/** A prompt as defined: built in, or from the user library `data/prompts.json`. */
export interface PromptDefinition {
  /** Stable id, lower-case letters, digits, `_ . -`; recorded in manifests as `prompt_id`. */
  id: string;
  label: string;
  category: TrainingCategory;
  /** Prompt text with a `{descriptor}` slot ("man", "woman" or "person"). */
  template: string;
}

export interface LibraryPrompt extends PromptDefinition {
  source: 'builtin' | 'user';
}

/** How often a prompt was used: for one actor and across all actors. */
export interface PromptUsage {
  promptId: string;
  actorCount: number;
  totalCount: number;
}

/** Longest prompt text of the user's own that is sent to a model (a prompt, not a document). */
export const MAX_PROMPT_TEXT_LENGTH = 4000;
