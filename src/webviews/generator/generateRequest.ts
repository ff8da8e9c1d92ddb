// What a `generate` message from the page asks for, checked before anything runs (no vscode, no DOM).
import { isTrainingCategory } from '../../core/manifest/categories';
import { isPlainName } from './failures';
import { MAX_PROMPT_TEXT_LENGTH, type PromptCategory } from './protocol';

/** A generation the page asked for, every field checked. */
export interface CheckedGenerateRequest {
  actorId: string;
  promptId?: string;
  promptText?: string;
  category?: PromptCategory;
  baseImage?: string;
  /** For progress and log lines: the prompt id, or "custom prompt". */
  promptLabel: string;
}

/**
 * The page's message as a request, or why it is refused: an actor (a plain name), and a library
 * prompt id or a prompt text (not blank, not longer than MAX_PROMPT_TEXT_LENGTH) with an optional
 * category; an optional base image (a plain file name). The page is ours, but its messages are
 * input all the same.
 */
export function checkGenerateMessage(message: {
  actorId?: unknown;
  promptId?: unknown;
  promptText?: unknown;
  category?: unknown;
  baseImage?: unknown;
}): CheckedGenerateRequest | { refused: string } {
  const { actorId, promptId, promptText, category, baseImage } = message;
  const hasId = typeof promptId === 'string' && promptId.length > 0;
  const hasText = typeof promptText === 'string' && promptText.trim().length > 0;
  if (!isPlainName(actorId) || (!hasId && !hasText)) {
    return { refused: 'choose an actor and a prompt first' };
  }
  if (hasId && hasText) {
    return { refused: 'choose a library prompt or write a prompt, not both' };
  }
  if (hasText && (promptText as string).length > MAX_PROMPT_TEXT_LENGTH) {
    return { refused: `the prompt is ${(promptText as string).length} characters long; at most ${MAX_PROMPT_TEXT_LENGTH} are sent` };
  }
  if (category !== undefined && (!hasText || !isTrainingCategory(category))) {
    return { refused: hasText ? `unknown category ${JSON.stringify(category)}` : 'a library prompt has its own category' };
  }
  if (baseImage !== undefined && !isPlainName(baseImage)) {
    return { refused: 'the base image must be a file of the actor’s base_image folder' };
  }
  return {
    actorId,
    ...(hasId ? { promptId: promptId as string } : { promptText: promptText as string }),
    ...(category !== undefined ? { category: category as PromptCategory } : {}),
    ...(baseImage !== undefined ? { baseImage: baseImage as string } : {}),
    promptLabel: hasId ? (promptId as string) : 'custom prompt',
  };
}
