import type { Category } from '../manifest/categories';
import { DELETING_ISSUES } from '../manifest/issues';
import type { ActorImage } from '../actors/types';
import { escapeRegExp } from '../util/text';

/** Why an image stays out of a training set, or undefined when it goes in. */
export type Verdict = { ok: true; evaluated: boolean; category: Category; visionCaption?: string } | { ok: false; reason: string };

/**
 * The planner's "failed checks" rule applied to the stored evaluation, so an export never ships
 * an image the plan would delete: a deleting issue, a vision model's "delete", or a duplicate of
 * another image on disk; nor one that waits for review (a face that could not be scored). An image nobody evaluated
 * (or whose evaluation was made for other bytes) passes and is reported as "not evaluated".
 */
export function judgeImage(image: ActorImage, present: ReadonlySet<string>, minRating: number | undefined): Verdict {
  if (image.missing) {
    return { ok: false, reason: 'in the manifest but not on disk' };
  }
  const entry = image.entry;
  let evaluation = entry?.evaluation ?? undefined;
  if (evaluation?.sha256 && entry?.sha256 && evaluation.sha256 !== entry.sha256) {
    evaluation = undefined; // made for bytes that are no longer there
  }
  // The actor's index already counts the evaluator's category, as the planner does.
  const category = image.category;
  if (evaluation) {
    const failing = (evaluation.issues ?? []).filter((issue) => (DELETING_ISSUES as ReadonlySet<string>).has(issue));
    if (failing.length > 0) {
      return { ok: false, reason: `failed checks: ${[...new Set(failing)].join(', ')}` };
    }
    if (evaluation.issues?.includes('unscorable') && entry?.review?.decision !== 'keep') {
      return { ok: false, reason: 'needs review: its face could not be scored (keep it on review to export it)' };
    }
    if (evaluation.vision && !evaluation.vision.keep) {
      return { ok: false, reason: `vision model says delete: ${evaluation.vision.reason}` };
    }
    if (evaluation.duplicate_of && present.has(evaluation.duplicate_of)) {
      return { ok: false, reason: `duplicate of ${evaluation.duplicate_of}` };
    }
  }
  if (minRating !== undefined) {
    const stars = entry?.rating?.stars;
    if (stars === undefined) {
      return { ok: false, reason: `not rated (minimum rating ${minRating})` };
    }
    if (stars < minRating) {
      return { ok: false, reason: `rated ${stars}, below the minimum ${minRating}` };
    }
  }
  const visionCaption = evaluation?.vision?.caption?.trim();
  return { ok: true, evaluated: evaluation !== undefined, category, ...(visionCaption ? { visionCaption } : {}) };
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
 * ("Keep the person's identity ... from the input image") go, and the trigger comes first so
 * kohya's keep_tokens and ai-toolkit both find it. Without a prompt: trigger and category words.
 */
export function captionFor(prompt: string | null | undefined, descriptor: string, trigger: string, category: Category): string {
  const text = (prompt ?? '').trim();
  if (!text) {
    return [trigger, CATEGORY_WORDS[category]].filter(Boolean).join(', ');
  }
  const word = escapeRegExp(descriptor.trim());
  let caption = text
    .replace(/(^|[.!?]\s+)keep\b[^.!?]*\b(?:input|reference) image\b[^.!?]*[.!?]?/gi, '$1')
    .replace(new RegExp(`\\b(?:the|a|an)\\s+${word}\\s+(?:from|in|of|shown in)\\s+the\\s+(?:input|reference)\\s+image\\b`, 'gi'), trigger)
    .replace(new RegExp(`\\bthe\\s+${word}\\b`, 'gi'), trigger)
    .replace(new RegExp(`\\b${word}\\b`, 'gi'), trigger)
    .replace(/\s+(?:from|in) the (?:input|reference) image\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (caption === trigger || caption.startsWith(`${trigger},`)) {
    return caption;
  }
  // A prompt that starts with the subject keeps its sentence, with the trigger still first.
  if (caption.startsWith(`${trigger} `)) {
    caption = caption.slice(trigger.length + 1);
  }
  return `${trigger}, ${caption}`;
}
