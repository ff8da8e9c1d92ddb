// One tile of the gallery grid: the thumbnail (or a placeholder saying why there is none), the
// name and the badges. Every text from the host goes in as text (h() never parses markup).
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import type { GalleryImage, ThumbnailResult } from '../protocol';

const CATEGORY_SHORT: Record<string, string> = { photorealistic: 'Photo', bw_stylized: 'B&W', color_stylized: 'Colour', unknown: 'Unclassified' };

/** A tile for `image` at `position` in the grid; `id` is unique in the page (the grid's aria-activedescendant names it). */
export function renderTile(image: GalleryImage, id: string, threshold: number): HTMLElement {
  const name = image.number !== undefined ? `#${image.number}` : image.filename;
  const tile = h(
    'div',
    {
      class: `tile category-${image.category}${image.plan === 'delete' ? ' planned-delete' : ''}`,
      id,
      attrs: {
        role: 'option',
        'aria-selected': 'false',
        'data-filename': image.filename,
      },
    },
    // The option's name comes from its content (what is seen), led by what the badges only show.
    h('span', { class: 'visually-hidden' }, `${image.filename}, ${describe(image, threshold)}. `),
    h('div', { class: 'thumb' }, h('div', { class: 'placeholder loading' }, codicon('loading'))),
    h('div', { class: 'tile-head' }, h('span', { class: 'tile-name', attrs: { title: image.filename } }, name), stars(image.rating)),
    h('div', { class: 'badges' }, ...badges(image, threshold)),
    h(
      'p',
      { class: 'caption', attrs: { title: `Caption (${image.caption.source}): ${image.caption.text}` } },
      h('span', { class: `caption-source source-${image.caption.source}` }, image.caption.source),
      ' ',
      image.caption.text,
    ),
  );
  if (image.missing) {
    showThumbnail(tile, { broken: 'in the manifest but not on disk' });
  }
  return tile;
}

/** Puts the thumbnail in (or the placeholder with the reason); `data-thumbnail` says once it is on screen. */
export function showThumbnail(tile: HTMLElement, result: ThumbnailResult): void {
  const frame = tile.querySelector('.thumb');
  if (!frame) {
    return;
  }
  if ('broken' in result) {
    replaceChildren(frame, h('div', { class: 'placeholder broken', attrs: { title: result.broken } }, codicon('warning'), h('span', {}, result.broken)));
    markShown(tile, 'broken');
    return;
  }
  if (frame.querySelector('img')?.dataset.key === result.key) {
    return;
  }
  // Lazy: tiles far from the view that show a thumbnail the page already holds decode it only when near.
  const img = h('img', { attrs: { src: result.src, alt: '', decoding: 'async', loading: 'lazy', draggable: 'false', 'data-key': result.key } });
  img.addEventListener('load', () => markShown(tile, 'shown'));
  img.addEventListener('error', () => showThumbnail(tile, { broken: 'the thumbnail could not be shown' }));
  replaceChildren(frame, img);
}

/** Tests wait on `data-thumbnail`; the benchmark reads when each appeared. */
function markShown(tile: HTMLElement, how: 'shown' | 'broken'): void {
  tile.dataset.thumbnail = how;
  tile.dataset.shownAt = performance.now().toFixed(1);
}

function stars(rating: number | undefined): HTMLElement {
  return h(
    'span',
    { class: rating ? 'stars rated' : 'stars', attrs: { title: rating ? `${rating} of 5 stars` : 'Not rated', 'aria-hidden': 'true' } },
    rating ? '★'.repeat(rating) + '☆'.repeat(5 - rating) : '☆☆☆☆☆',
  );
}

function badges(image: GalleryImage, threshold: number): HTMLElement[] {
  const list: HTMLElement[] = [
    badge(
      `category category-${image.category}`,
      `${CATEGORY_SHORT[image.category] ?? image.category}${image.categorySource ? ` · ${image.categorySource}` : ''}`,
      `${image.categoryLabel}${image.categorySource ? `, decided by ${image.categorySource}` : ''}`,
    ),
  ];
  if (!image.tracked) {
    list.push(badge('warning', 'untracked', 'On disk but not in the manifest (Reconcile Data adds it)'));
  }
  if (image.needsReview) {
    list.push(badge('warning', 'needs review', 'The checks could not judge the face: keep it or delete it'));
  }
  if (image.plan === 'delete') {
    list.push(badge('error', 'plan: delete', `The latest plan deletes it: ${image.planReason ?? ''}`));
  } else if (image.plan === 'new') {
    list.push(badge('info', 'new since plan', 'Added after the latest plan was made'));
  }
  if (image.identityDistance !== undefined || image.centroidDistance !== undefined) {
    const far = image.identityDistance !== undefined && image.identityDistance > threshold;
    const text = [image.identityDistance, image.centroidDistance].map((value) => (value === undefined ? '–' : value.toFixed(2))).join(' / ');
    list.push(badge(far ? 'error' : 'identity', `id ${text}`, `Face distance to the base image / to the set (limit ${threshold})`));
  }
  for (const issue of image.issues.filter((each) => each !== 'unscorable')) {
    list.push(badge('error', issue.replace(/_/g, ' '), `Issue: ${issue}`));
  }
  return list;
}

function badge(kind: string, text: string, title: string): HTMLElement {
  return h('span', { class: `badge ${kind}`, attrs: { title } }, text);
}

/** The tile in words, for screen readers (the badges' titles are not read). */
function describe(image: GalleryImage, threshold: number): string {
  return [
    image.categoryLabel,
    image.rating ? `${image.rating} stars` : 'not rated',
    image.needsReview ? 'needs review' : undefined,
    image.plan === 'delete' ? 'the plan deletes it' : image.plan === 'new' ? 'new since the plan' : undefined,
    image.identityDistance !== undefined && image.identityDistance > threshold ? 'face far from the base image' : undefined,
    image.issues.length > 0 ? `issues: ${image.issues.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}
