// Which tiles the gallery shows and in what order. Pure and Node-free: the page imports it, and
// the unit tests run it in plain Node.
import { CATEGORIES, type Category } from '../../core/manifest/categories';
import { GALLERY_SORTS, NO_FILTER, RATING_FILTERS, REVIEW_FILTERS, type GalleryFilter, type GalleryImage, type GallerySort } from './protocol';

/** The images that pass every part of the filter. */
export function filterImages(images: readonly GalleryImage[], filter: GalleryFilter): GalleryImage[] {
  return images.filter(
    (image) =>
      (filter.category === 'all' || image.category === filter.category) &&
      matchesIssue(image, filter.issue) &&
      matchesRating(image, filter.rating) &&
      (filter.review === 'all' || image.needsReview === (filter.review === 'needed')),
  );
}

function matchesIssue(image: GalleryImage, issue: string): boolean {
  switch (issue) {
    case 'all':
      return true;
    case 'any':
      return image.issues.length > 0;
    case 'none':
      return image.issues.length === 0;
    default:
      return image.issues.includes(issue);
  }
}

function matchesRating(image: GalleryImage, rating: GalleryFilter['rating']): boolean {
  switch (rating) {
    case 'all':
      return true;
    case 'unrated':
      return image.rating === undefined;
    case 'rated':
      return image.rating !== undefined;
    default:
      return image.rating === Number(rating);
  }
}

/**
 * A sorted copy: by number (files without one last, by name); by rating, best first; by identity,
 * the face farthest from the base image first (the likeliest wrong person); by date, newest first.
 * Images without the value sort last; ties keep number order.
 */
export function sortImages(images: readonly GalleryImage[], sort: GallerySort): GalleryImage[] {
  const byNumber = (a: GalleryImage, b: GalleryImage) =>
    (a.number ?? Infinity) - (b.number ?? Infinity) || (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0);
  const descending = (value: (image: GalleryImage) => number | undefined) => (a: GalleryImage, b: GalleryImage) => {
    const [left, right] = [value(a), value(b)];
    if (left === undefined || right === undefined) {
      return (left === undefined ? 1 : 0) - (right === undefined ? 1 : 0) || byNumber(a, b);
    }
    return right - left || byNumber(a, b);
  };
  const compare = {
    number: byNumber,
    rating: descending((image) => image.rating),
    identity: descending((image) => image.identityDistance),
    date: descending((image) => timeOf(image.createdAt)),
  }[sort];
  return [...images].sort(compare);
}

function timeOf(iso: string | undefined): number | undefined {
  const time = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(time) ? undefined : time;
}

/** The images shown: filtered, then sorted. */
export function visibleImages(images: readonly GalleryImage[], filter: GalleryFilter, sort: GallerySort): GalleryImage[] {
  return sortImages(filterImages(images, filter), sort);
}

/** The issue keys present among the images, sorted, for the issue filter's options. */
export function issueKeys(images: readonly GalleryImage[]): string[] {
  return [...new Set(images.flatMap((image) => image.issues))].sort();
}

/** A filter and sort read back from the page's stored state, each part checked (a bad one is dropped). */
export function restoreView(stored: { filter?: unknown; sort?: unknown }): { filter: GalleryFilter; sort: GallerySort } {
  const raw = (typeof stored.filter === 'object' && stored.filter !== null ? stored.filter : {}) as Record<string, unknown>;
  const oneOf = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);
  return {
    filter: {
      category: oneOf<Category | 'all'>(raw.category, ['all', ...CATEGORIES], NO_FILTER.category),
      issue: typeof raw.issue === 'string' && /^[a-z_]{1,40}$/.test(raw.issue) ? raw.issue : NO_FILTER.issue,
      rating: oneOf(raw.rating, RATING_FILTERS, NO_FILTER.rating),
      review: oneOf(raw.review, REVIEW_FILTERS, NO_FILTER.review),
    },
    sort: oneOf(stored.sort, GALLERY_SORTS, 'number'),
  };
}
