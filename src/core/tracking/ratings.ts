import { InputError, type StudioErrorOptions } from '../errors';
import type { ImageEntry } from '../manifest/manifestSchema';
import { changeImageEntry as changeEntry, type EntryChangeOptions } from './imageEntries';
import { logQuietly, recordRating, type LogOptions } from './generationLog';
import { isoTime } from '../util/time';

/*
 * Ratings: 1 to 5 stars with optional feedback on one image. The image's manifest entry holds the
 * current rating (what the tree, exports and analytics read); the generation log keeps every
 * rating ever given, so a re-rating replaces the first and appends to the second.
 */

export type Rating = NonNullable<ImageEntry['rating']>;

/** Feedback is free text, but a bounded one: a manifest is read whole on every refresh. */
export const MAX_FEEDBACK_LENGTH = 10_000;

/** Bad input: an unknown actor or image, stars out of range, feedback too long. */
export class RatingError extends InputError {
  constructor(message: string, options: StudioErrorOptions = {}) {
    super(message, options);
    this.name = 'RatingError';
  }
}

export interface RateRequest {
  actorId: string;
  filename: string;
  /** A whole number from 1 to 5. */
  stars: number;
  /** Kept as written (shown as text everywhere). Omitted keeps the earlier feedback; '' removes it. */
  feedback?: string;
}

export interface RateOutcome {
  rating: Rating;
  /** The image's manifest entry as written. */
  entry: ImageEntry;
  /** Set when the rating stands in the manifest but the log could not record it. */
  logWarning?: string;
}

export interface RatingOptions extends LogOptions, EntryChangeOptions {}

/** `★★★☆☆`; '' for no rating. */
export function stars(count: number | undefined): string {
  if (!count) {
    return '';
  }
  const clamped = Math.max(0, Math.min(5, Math.round(count)));
  return '★'.repeat(clamped) + '☆'.repeat(5 - clamped);
}

/** Quality tiers, the same everywhere (analytics, exports, stats): 4-5 stars high, 1-3 low. */
export const HIGH_TIER_MIN_STARS = 4;
export const LOW_TIER_MAX_STARS = 3;

export function isValidStars(stars: unknown): stars is number {
  return typeof stars === 'number' && Number.isInteger(stars) && stars >= 1 && stars <= 5;
}

/**
 * Rates an image: writes `rating` (stars, feedback, rated_at; other fields of an earlier rating
 * kept) into its manifest entry under the actor's lock, then appends the rating to the log.
 */
export async function rateImage(dataRoot: string, request: RateRequest, options: RatingOptions = {}): Promise<RateOutcome> {
  const { actorId, filename, stars, feedback } = request;
  if (!isValidStars(stars)) {
    throw new RatingError(`stars must be a whole number from 1 to 5, not ${JSON.stringify(stars)} (rating ${actorId}/${filename})`);
  }
  if (feedback !== undefined && feedback.length > MAX_FEEDBACK_LENGTH) {
    throw new RatingError(`feedback is ${feedback.length} characters long; at most ${MAX_FEEDBACK_LENGTH} are kept (rating ${actorId}/${filename})`);
  }
  const now = (options.now ?? (() => new Date()))();
  let rating: Rating | undefined;
  const entry = await changeImageEntry(dataRoot, actorId, filename, options, (image) => {
    const { feedback: earlierFeedback, ...earlier } = image.rating ?? {};
    const kept = feedback === undefined ? earlierFeedback : feedback.trim() === '' ? undefined : feedback;
    rating = { ...earlier, stars, ...(kept !== undefined ? { feedback: kept } : {}), rated_at: isoTime(now) };
    image.rating = rating;
  });
  const logWarning = await logQuietly(() =>
    recordRating(dataRoot, { actorId, filename, stars, ...(rating!.feedback !== undefined ? { feedback: rating!.feedback } : {}) }, options),
  );
  return { rating: rating!, entry, ...(logWarning ? { logWarning } : {}) };
}

/**
 * Removes an image's rating from its manifest entry, and records the clearing in the log (an
 * entry without stars): the log keeps the earlier ratings as history, but its newest entry for
 * the image says it is unrated, so prompt exports and analytics no longer count the old stars.
 */
export async function clearRating(
  dataRoot: string,
  request: { actorId: string; filename: string },
  options: RatingOptions = {},
): Promise<{ entry: ImageEntry; cleared?: Rating; logWarning?: string }> {
  let cleared: Rating | undefined;
  const entry = await changeImageEntry(dataRoot, request.actorId, request.filename, options, (image) => {
    cleared = image.rating ?? undefined;
    delete image.rating;
  });
  const logWarning = cleared
    ? await logQuietly(() => recordRating(dataRoot, { actorId: request.actorId, filename: request.filename, stars: null }, options))
    : undefined;
  return { entry, ...(cleared ? { cleared } : {}), ...(logWarning ? { logWarning } : {}) };
}

function changeImageEntry(
  dataRoot: string,
  actorId: string,
  filename: string,
  options: RatingOptions,
  change: (image: ImageEntry) => void,
): Promise<ImageEntry> {
  return changeEntry(dataRoot, actorId, filename, change, { ...options, error: (message, file) => new RatingError(message, { file }) });
}
