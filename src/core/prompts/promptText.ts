import { createHash } from 'node:crypto';
import { escapeRegExp } from '../util/text';
import { DESCRIPTOR_SLOT, fillPrompt } from './library';
import type { LibraryPrompt } from './types';

/**
 * Prompt texts as recorded (manifests, the old tool's prompt_metadata.json, the generation log)
 * compared with the library: the old tool and hand edits wrap lines, change case, drop the final
 * full stop, and wrote "woman" where this project's descriptor says "person" (an actor whose id it
 * could not parse). Texts that match no library prompt are the actor's custom prompts.
 */

/** One word of a subject ("woman", "middle-aged", "30-year-old"): letters and digits, inner hyphens and apostrophes. */
const DESCRIPTOR_WORD = "[\\p{L}\\p{N}][\\p{L}\\p{N}'’-]*";
/** What may stand where a template has its slot: one to four such words ("man", "young south asian woman"). */
const DESCRIPTOR_PHRASE = `${DESCRIPTOR_WORD}(?: ${DESCRIPTOR_WORD}){0,3}`;
/** Stands for the slot while a template is normalised (a control character: neither space nor punctuation). */
const SLOT_MARK = '\u0000';

/** The form texts are compared in: whitespace runs as one space, lower case, no spaces or punctuation at either end. */
export function normalisePromptText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

/** A prompt text as shown: whitespace runs as one space, trimmed; case and wording as recorded. */
export function tidyPromptText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A stable id for a text outside the library, for lists and messages (files record such a text
 * with `prompt_id: null`). The colon keeps it apart from library ids (`[a-z0-9_.-]`).
 */
export function customPromptId(text: string): string {
  return `custom:${createHash('sha256').update(normalisePromptText(text)).digest('hex').slice(0, 12)}`;
}

/** Is `id` one of customPromptId's? */
export function isCustomPromptId(id: string): boolean {
  return /^custom:[0-9a-f]{12}$/.test(id);
}

interface SlotPattern {
  id: string;
  /** The template's longest literal part: a text without it cannot match (cheap test first). */
  anchor: string;
  pattern: RegExp;
}

/**
 * Finds the library prompt a text was filled from. First the text filled for the actor's own
 * descriptor (exact after normalisation), then any template whose slots all hold the same
 * descriptor-like phrase. Two prompts that fit: the first in library order.
 */
export class PromptTextMatcher {
  private readonly byDescriptor = new Map<string, Map<string, string>>();
  private readonly slotPatterns: SlotPattern[];

  constructor(private readonly prompts: readonly LibraryPrompt[]) {
    this.slotPatterns = prompts.flatMap((prompt) => (prompt.template.includes(DESCRIPTOR_SLOT) ? [slotPattern(prompt)] : []));
  }

  match(text: string, descriptor: string): string | undefined {
    const normalised = normalisePromptText(text);
    const exact = this.filledFor(descriptor).get(normalised);
    if (exact) {
      return exact;
    }
    return this.slotPatterns.find(({ anchor, pattern }) => normalised.includes(anchor) && pattern.test(normalised))?.id;
  }

  private filledFor(descriptor: string): Map<string, string> {
    let texts = this.byDescriptor.get(descriptor);
    if (!texts) {
      texts = new Map();
      for (const prompt of this.prompts) {
        const filled = normalisePromptText(fillPrompt(prompt.template, descriptor));
        if (!texts.has(filled)) {
          texts.set(filled, prompt.id);
        }
      }
      this.byDescriptor.set(descriptor, texts);
    }
    return texts;
  }
}

function slotPattern(prompt: LibraryPrompt): SlotPattern {
  const literals = normalisePromptText(fillPrompt(prompt.template, SLOT_MARK)).split(SLOT_MARK);
  // The first slot captures the phrase; every later one must repeat it.
  const body = literals.map((literal, position) => (position === 0 ? '' : position === 1 ? `(${DESCRIPTOR_PHRASE})` : '\\1') + escapeRegExp(literal)).join('');
  const anchor = literals.reduce((longest, literal) => (literal.length > longest.length ? literal : longest), '');
  return { id: prompt.id, anchor, pattern: new RegExp(`^${body}$`, 'u') };
}
