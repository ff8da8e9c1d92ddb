// Pure helpers for the Generator panel's prompt list: usage badges, grouping by category, the
// default choice, and error reasons in words. Used by the host, the model and the UI (no vscode,
// no DOM).
import { usageBadge } from '../../core/prompts/badges';
import { categoryFromPromptText } from '../../core/prompts/promptCategory';
import { shorten } from '../../core/util/text';
import { CustomPromptChoice, ErrorReason, PROMPT_CATEGORIES, PROMPT_CATEGORY_LABELS, PromptCategory, PromptChoice } from './protocol';

export { usageBadge };

/** The preview's badge: "Unused" (green) or "Used 3x" (blue). */
export function usagePill(count: number): { text: string; tone: 'unused' | 'used' } {
  return count > 0 ? { text: `Used ${count}x`, tone: 'used' } : { text: 'Unused', tone: 'unused' };
}

/** The dropdown's text for a prompt: `Rain-slick street run [3x used]`. */
export function optionLabel(prompt: Pick<PromptChoice, 'label' | 'badge'>): string {
  return `${prompt.label} ${prompt.badge}`;
}

/** Builds a PromptChoice from a library prompt and its counts (the model's helper). */
export function toPromptChoice(
  prompt: { id: string; label: string; category: PromptCategory; text: string },
  usedByActor: number,
  usedTotal: number,
): PromptChoice {
  return {
    id: prompt.id,
    label: prompt.label,
    category: prompt.category,
    categoryLabel: PROMPT_CATEGORY_LABELS[prompt.category],
    text: prompt.text,
    usedByActor,
    usedTotal,
    badge: usageBadge(usedByActor),
  };
}

/** Builds a CustomPromptChoice from one of the actor's custom prompts (the core's CustomPromptUsage). */
export function toCustomPromptChoice(custom: { id: string; text: string; count: number }): CustomPromptChoice {
  const category = categoryFromPromptText(custom.text);
  return { id: custom.id, text: custom.text, usedByActor: custom.count, badge: usageBadge(custom.count), ...(category ? { category } : {}) };
}

/** The dropdown's text for a custom prompt: its start, then its badge. */
export function customOptionLabel(prompt: Pick<CustomPromptChoice, 'text' | 'badge'>, width = 60): string {
  return `${shorten(prompt.text, width)} ${prompt.badge}`;
}

export interface PromptGroup {
  category: PromptCategory;
  label: string;
  prompts: PromptChoice[];
}

/**
 * The prompts by category, in the fixed category order (Photorealistic, B&W stylized, Colour
 * stylized), keeping the library's order inside each; empty categories are left out. A prompt
 * with a category outside the three (a future or hand-edited one) lands in a group of its own
 * at the end rather than vanishing.
 */
export function groupPrompts(prompts: readonly PromptChoice[]): PromptGroup[] {
  const groups = new Map<string, PromptGroup>();
  for (const category of PROMPT_CATEGORIES) {
    groups.set(category, { category, label: PROMPT_CATEGORY_LABELS[category], prompts: [] });
  }
  for (const prompt of prompts) {
    let group = groups.get(prompt.category);
    if (!group) {
      group = { category: prompt.category, label: prompt.categoryLabel || String(prompt.category), prompts: [] };
      groups.set(prompt.category, group);
    }
    group.prompts.push(prompt);
  }
  return [...groups.values()].filter((group) => group.prompts.length > 0);
}

/** The prompt list's "Write a prompt…" option (never a prompt id: library ids are `[a-z0-9_.-]+`, custom ones `custom:<hex>`). */
export const FREE_TEXT_CHOICE = '#free';

/**
 * Which prompt to select: the wanted one while it exists (a library prompt, one of the actor's
 * custom prompts, or the free text), else the one remembered from before a reload, else the
 * least-used library prompt for this actor (first in list order among equals).
 */
export function choosePrompt(
  prompts: readonly PromptChoice[],
  wanted?: string,
  remembered?: string,
  customPrompts: readonly Pick<CustomPromptChoice, 'id'>[] = [],
): string | undefined {
  for (const id of [wanted, remembered]) {
    if (id && (id === FREE_TEXT_CHOICE || prompts.some((prompt) => prompt.id === id) || customPrompts.some((prompt) => prompt.id === id))) {
      return id;
    }
  }
  let best: PromptChoice | undefined;
  for (const prompt of groupPrompts(prompts).flatMap((group) => group.prompts)) {
    if (!best || prompt.usedByActor < best.usedByActor) {
      best = prompt;
    }
  }
  return best?.id;
}

const REASON_LABELS: Record<ErrorReason, string> = {
  content_filter: 'Blocked by the content filter',
  rate_limit: 'Rate limited',
  timeout: 'Timed out',
  network: 'Network error',
  auth: 'Not authorised',
  billing: 'Billing problem',
  invalid_input: 'Invalid input',
  model_error: 'Model error',
  output_download: 'Download of the result failed',
  storage: 'Saving failed',
  cancelled: 'Cancelled',
  input: 'Cannot generate',
};

/** A failure reason in words, for the error box's heading. */
export function reasonLabel(reason: ErrorReason): string {
  return REASON_LABELS[reason] ?? String(reason);
}
