import { DELETING_ISSUES } from '../manifest/issues';
import type { ImageEntry } from '../manifest/manifestSchema';
import { changeImageEntry, type EntryChangeOptions } from './imageEntries';
import { isoTime } from '../util/time';

/**
 * A person's review of an image the checks could not judge (a face too small, turned too far, or
 * none found): "keep" records the decision in the image's manifest entry, so the image no longer
 * shows as needing review, ranks last when its category is over quota, and is exported. Deleting
 * on review is Delete Image (the trash, undoable), so nothing here removes a file.
 */
export async function keepOnReview(
  dataRoot: string,
  image: { actorId: string; filename: string },
  options: EntryChangeOptions & { now?: () => Date } = {},
): Promise<ImageEntry> {
  const now = (options.now ?? (() => new Date()))();
  return changeImageEntry(
    dataRoot,
    image.actorId,
    image.filename,
    (entry) => {
      entry.review = { ...entry.review, decision: 'keep', at: isoTime(now) };
    },
    options,
  );
}

/**
 * True when the image's evaluation says it needs a person's review and nobody kept it yet. An
 * image the checks fail anyway (blurred, too dark...) is not asked about: the plan deletes it.
 */
export function needsReview(entry: Pick<ImageEntry, 'evaluation' | 'review' | 'sha256'> | undefined): boolean {
  const evaluation = entry?.evaluation;
  const current = !evaluation?.sha256 || !entry?.sha256 || evaluation.sha256 === entry.sha256;
  const issues = evaluation?.issues ?? [];
  return Boolean(current && issues.includes('unscorable') && !issues.some((issue) => DELETING_ISSUES.has(issue)) && entry?.review?.decision !== 'keep');
}

/**
 * Why the image needs review, in words: the evaluation's "needs review: …" reason without its
 * prefix (e.g. "no face found; identity not scored"), or a plain sentence when none is recorded.
 */
export function reviewReason(entry: Pick<ImageEntry, 'evaluation'> | undefined): string {
  const reason = entry?.evaluation?.reasons?.find((each) => each.startsWith('needs review'));
  const text = reason?.replace(/^needs review:?\s*/, '').trim();
  return text || 'the face could not be scored';
}

/** How many of an actor's images (on disk and in the manifest) need review. */
export function countNeedingReview(images: ReadonlyArray<{ tracked: boolean; missing: boolean; entry?: ImageEntry }>): number {
  return images.filter((image) => image.tracked && !image.missing && needsReview(image.entry)).length;
}
