import type { Category } from '../manifest/categories';
import { DELETING_ISSUES } from '../manifest/issues';
import type { ActorImage } from '../actors/types';
import { currentEvaluation } from '../manifest/manifestSchema';

/** Why an image stays out of a training set, or undefined when it goes in. */
export type Verdict = { ok: true; evaluated: boolean; category: Category } | { ok: false; reason: string };

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
  const evaluation = entry && currentEvaluation(entry);
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
  return { ok: true, evaluated: evaluation !== undefined, category };
}
