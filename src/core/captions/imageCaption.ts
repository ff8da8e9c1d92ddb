import type { ActorImage } from '../actors/types';
import type { CaptionSource, Category } from '../manifest/categories';
import { currentEvaluation } from '../manifest/manifestSchema';
import { escapeRegExp } from '../util/text';

/** Stands for the trigger word in stored captions (ai-toolkit's convention); the export puts the chosen word in. */
export const TRIGGER_TOKEN = '[trigger]';

export interface ImageCaption {
  text: string;
  source: CaptionSource;
}

/**
 * The caption an image trains with: the stored one (a person's edit, or a seed kept), else seeded
 * from the vision model's caption (what the image really shows), else from its prompt (what was
 * asked), else from its category. Seeds use TRIGGER_TOKEN for the subject.
 */
export function imageCaption(image: ActorImage, descriptor: string): ImageCaption {
  const entry = image.entry;
  if (entry?.caption !== undefined) {
    return { text: entry.caption, source: entry.caption_source ?? 'user' };
  }
  const visionCaption = (entry && currentEvaluation(entry)?.vision?.caption)?.trim();
  if (visionCaption) {
    return { text: captionFor(visionCaption, 'person', TRIGGER_TOKEN, image.category, descriptor), source: 'vision' };
  }
  if (entry?.prompt?.trim()) {
    return { text: captionFor(entry.prompt, descriptor, TRIGGER_TOKEN, image.category), source: 'prompt' };
  }
  return { text: captionFor(undefined, descriptor, TRIGGER_TOKEN, image.category), source: 'category' };
}

/** A caption as the trainer reads it: every TRIGGER_TOKEN replaced by the trigger word. */
export function withTrigger(caption: string, trigger: string): string {
  return caption.split(TRIGGER_TOKEN).join(trigger);
}

const CATEGORY_WORDS: Record<Category, string> = {
  photorealistic: 'photorealistic photo',
  bw_stylized: 'black and white stylized illustration',
  color_stylized: 'colour stylized illustration',
  unknown: '',
};

/**
 * A caption from the generation prompt: the subject ("the woman from the input image", "the
 * woman", "woman") becomes the trigger word, the sentences that only instruct the generator
 * ("Keep the person's identity ... from the input image") go, and trigger and class word come
 * first ("ohwx woman, ...") so kohya's keep_tokens and ai-toolkit both find them. Without a
 * prompt: trigger, class and category words.
 */
export function captionFor(prompt: string | null | undefined, descriptor: string, trigger: string, category: Category, className = descriptor): string {
  // Trigger, then class word: kohya ignores class_tokens once captions exist, so the caption says it.
  const lead = [trigger, className.trim()].filter(Boolean).join(' ');
  const text = (prompt ?? '').trim();
  if (!text) {
    return [lead, CATEGORY_WORDS[category]].filter(Boolean).join(', ');
  }
  const word = escapeRegExp(descriptor.trim());
  // A replacement function: the trigger's own "$" characters are not replacement patterns.
  const toTrigger = (): string => trigger;
  let caption = text
    .replace(/(^|[.!?]\s+)keep\b[^.!?]*\b(?:input|reference) image\b[^.!?]*[.!?]?/gi, '$1')
    .replace(new RegExp(`\\b(?:the|a|an)\\s+${word}\\s+(?:from|in|of|shown in)\\s+the\\s+(?:input|reference)\\s+image\\b`, 'gi'), toTrigger)
    .replace(new RegExp(`\\bthe\\s+${word}\\b`, 'gi'), toTrigger)
    .replace(new RegExp(`\\b${word}\\b`, 'gi'), toTrigger)
    .replace(/\s+(?:from|in) the (?:input|reference) image\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  // A prompt that starts with the subject keeps its sentence, with trigger and class word first.
  for (const start of [`${trigger},`, `${trigger} `]) {
    if (caption.startsWith(start)) {
      caption = caption.slice(start.length).trim();
    }
  }
  return caption && caption !== trigger ? `${lead}, ${caption}` : lead;
}
