import * as assert from 'node:assert/strict';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { filterImages, issueKeys, restoreView, sortImages, visibleImages } from '../../src/webviews/gallery/filters';
import { buildGalleryView } from '../../src/webviews/gallery/galleryView';
import { NO_FILTER, type GalleryImage, type GalleryView } from '../../src/webviews/gallery/protocol';
import { click, EMPTY_SELECTION, move, retain, selectAll, targetsOf } from '../../src/webviews/gallery/selection';
import { ThumbnailStore } from '../../src/webviews/gallery/ui/thumbnails';
import { SAMPLE_DATA } from './helpers/tempData';

const EILEEN = '0000_european_45_female';

function image(number: number, fields: Partial<GalleryImage> = {}): GalleryImage {
  return {
    filename: `a_${number}.jpg`,
    number,
    category: 'photorealistic',
    categoryLabel: 'Photorealistic',
    tracked: true,
    missing: false,
    issues: [],
    needsReview: false,
    caption: { text: '[trigger], a photo', source: 'prompt' },
    ...fields,
  };
}

describe('Gallery: the view of an actor', () => {
  const index = new ActorIndex(SAMPLE_DATA);
  const targets = categoryTargets(DEFAULT_TARGET);

  it('gives every image with its category source, caption and rating, and the counts against the targets', () => {
    const actor = index.actor(EILEEN);
    const view = buildGalleryView(actor, targets, 0.6);
    assert.equal(view.actorId, EILEEN);
    assert.equal(view.baseImage, actor.baseImage?.filename);
    assert.deepEqual(
      view.images.map((each) => each.filename),
      actor.images.map((each) => each.filename),
    );
    assert.equal(view.target, 20);
    assert.equal(view.total, actor.total);
    const photo = view.counts.find((count) => count.category === 'photorealistic')!;
    assert.deepEqual(photo, { category: 'photorealistic', label: 'Photorealistic', count: actor.counts.photorealistic, target: 13 });
    const first = view.images[0];
    const entry = actor.images[0].entry!;
    assert.equal(first.categorySource, entry.category_source ?? 'prompt');
    assert.equal(first.rating, entry.rating?.stars);
    assert.ok(first.caption.text.startsWith('[trigger]'), first.caption.text);
    assert.ok(['user', 'vision', 'prompt', 'category'].includes(first.caption.source));
    assert.equal(view.planState, 'none');
    assert.ok(view.images.every((each) => each.plan === undefined));
  });

  it('marks what the latest plan deletes and what came after it, as Plan Review does', () => {
    const actor = index.actor(EILEEN);
    const [doomed, kept, ...rest] = actor.images.map((each) => each.filename);
    const seen = Object.fromEntries([doomed, kept, ...rest.slice(1)].map((name) => [name, 'a'.repeat(64)]));
    const view = buildGalleryView(actor, targets, 0.6, { state: 'stale', deletions: new Map([[doomed, 'blurry']]), seen });
    const byName = new Map(view.images.map((each) => [each.filename, each]));
    assert.equal(byName.get(doomed)?.plan, 'delete');
    assert.equal(byName.get(doomed)?.planReason, 'blurry');
    assert.equal(byName.get(kept)?.plan, undefined);
    assert.equal(byName.get(rest[0])?.plan, 'new');
    assert.equal(view.planState, 'stale');
  });

  it('takes issues and face distances from the evaluation of the current bytes only', () => {
    const actor = index.actor(EILEEN);
    const record = { ...actor, images: actor.images.map((each) => ({ ...each, entry: each.entry && { ...each.entry } })) };
    record.images[0].entry!.sha256 = 'b'.repeat(64);
    record.images[0].entry!.evaluation = { issues: ['identity_drift'], reasons: [], identity_distance: 0.7, centroid_distance: 0.5, sha256: 'b'.repeat(64) };
    record.images[1].entry!.sha256 = 'b'.repeat(64);
    record.images[1].entry!.evaluation = { issues: ['blurry'], reasons: [], identity_distance: 0.3, sha256: 'c'.repeat(64) };
    const [current, outdated] = buildGalleryView(record, targets, 0.6).images;
    assert.deepEqual([current.issues, current.identityDistance, current.centroidDistance], [['identity_drift'], 0.7, 0.5]);
    assert.deepEqual([outdated.issues, outdated.identityDistance], [[], undefined]);
  });
});

describe('Gallery: filters and sorts', () => {
  const images = [
    image(3, { rating: 4, createdAt: '2025-01-03T00:00:00Z', identityDistance: 0.2 }),
    image(1, { category: 'bw_stylized', categoryLabel: 'B&W stylized', issues: ['blurry'], createdAt: '2025-01-05T00:00:00Z' }),
    image(2, { rating: 5, needsReview: true, issues: ['unscorable'], identityDistance: 0.7 }),
    image(10, { rating: 4, identityDistance: 0.4, createdAt: '2025-01-01T00:00:00Z' }),
  ];
  const names = (list: GalleryImage[]) => list.map((each) => each.number);

  it('filters by category, issue (one, any, none), rating and review state', () => {
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, category: 'bw_stylized' })), [1]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, issue: 'blurry' })), [1]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, issue: 'any' })), [1, 2]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, issue: 'none' })), [3, 10]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, rating: '4' })), [3, 10]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, rating: 'unrated' })), [1]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, rating: 'rated' })), [3, 2, 10]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, review: 'needed' })), [2]);
    assert.deepEqual(names(filterImages(images, { ...NO_FILTER, review: 'not_needed', rating: '4' })), [3, 10]);
    assert.deepEqual(issueKeys(images), ['blurry', 'unscorable']);
  });

  it('sorts by number (10 after 3), rating best first, identity farthest first and date newest first; missing values last', () => {
    assert.deepEqual(names(sortImages(images, 'number')), [1, 2, 3, 10]);
    assert.deepEqual(names(sortImages(images, 'rating')), [2, 3, 10, 1]);
    assert.deepEqual(names(sortImages(images, 'identity')), [2, 10, 3, 1]);
    assert.deepEqual(names(sortImages(images, 'date')), [1, 3, 10, 2]);
    assert.deepEqual(names(visibleImages(images, { ...NO_FILTER, rating: '4' }, 'identity')), [10, 3]);
  });

  it('restores a stored filter and sort, dropping parts that are not valid', () => {
    assert.deepEqual(restoreView({ filter: { category: 'bw_stylized', issue: 'blurry', rating: '5', review: 'needed' }, sort: 'date' }), {
      filter: { category: 'bw_stylized', issue: 'blurry', rating: '5', review: 'needed' },
      sort: 'date',
    });
    assert.deepEqual(restoreView({ filter: { category: 'x', issue: '<img>', rating: 9 }, sort: 'size' }), { filter: NO_FILTER, sort: 'number' });
    assert.deepEqual(restoreView({}), { filter: NO_FILTER, sort: 'number' });
  });
});

describe('Gallery: selection with mouse and keyboard', () => {
  // A grid of 3 columns: a b c / d e f / g
  const order = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const selected = (state: { selected: ReadonlySet<string> }) => order.filter((item) => state.selected.has(item));

  it('click selects one, Ctrl/Cmd+click toggles, Shift+click selects the range from the anchor', () => {
    let state = click(EMPTY_SELECTION, order, 'b');
    assert.deepEqual(selected(state), ['b']);
    state = click(state, order, 'd', { toggle: true });
    assert.deepEqual(selected(state), ['b', 'd']);
    state = click(state, order, 'b', { toggle: true });
    assert.deepEqual(selected(state), ['d']);
    state = click(state, order, 'f', { shift: true });
    assert.deepEqual(selected(state), ['b', 'c', 'd', 'e', 'f'], 'the last Ctrl+click set the anchor');
    state = click(state, order, 'a', { shift: true });
    assert.deepEqual(selected(state), ['a', 'b'], 'the range is from the anchor, not from the last Shift+click');
    assert.equal(state.focus, 'a');
    state = click(state, order, 'g', { shift: true, toggle: true });
    assert.deepEqual(selected(state), order, 'Ctrl+Shift adds the range b..g');
    assert.equal(click(state, order, 'zzz'), state, 'a name not shown changes nothing');
  });

  it('arrows move the focus and the selection by one or by a row; Shift extends from the anchor; Ctrl moves the focus only', () => {
    let state = move(EMPTY_SELECTION, order, 'right', 3);
    assert.deepEqual([state.focus, selected(state)], ['a', ['a']], 'the first arrow lands on the first tile');
    state = move(state, order, 'down', 3);
    assert.deepEqual([state.focus, selected(state)], ['d', ['d']]);
    state = move(state, order, 'right', 3, { shift: true });
    state = move(state, order, 'down', 3, { shift: true });
    assert.deepEqual([state.focus, selected(state)], ['g', ['d', 'e', 'f', 'g']]);
    state = move(state, order, 'up', 3, { shift: true });
    assert.deepEqual([state.focus, selected(state)], ['d', ['d']]);
    state = move(state, order, 'left', 3, { toggle: true });
    assert.deepEqual([state.focus, selected(state)], ['c', ['d']]);
    assert.deepEqual(targetsOf(state, order), ['d'], 'actions take the selection, not the focus');
    state = move(state, order, 'end', 3);
    assert.deepEqual([state.focus, selected(state)], ['g', ['g']]);
    state = move(state, order, 'down', 3);
    assert.equal(state.focus, 'g', 'the edge holds');
    state = move(state, order, 'home', 3, { shift: true });
    assert.deepEqual(selected(state), order);
  });

  it('Ctrl/Cmd+A selects every tile shown; actions without a selection take the focused tile', () => {
    const all = selectAll(EMPTY_SELECTION, order);
    assert.deepEqual(selected(all), order);
    assert.deepEqual(targetsOf(all, order), order);
    assert.deepEqual(targetsOf({ selected: new Set(), focus: 'c' }, order), ['c']);
    assert.deepEqual(targetsOf(EMPTY_SELECTION, order), []);
  });

  it('keeps the selection of tiles still shown after a filter or a refresh; a focused tile that went passes the focus on', () => {
    const state = { selected: new Set(['b', 'c', 'e']), focus: 'c', anchor: 'b' };
    const shown = ['a', 'b', 'd', 'e', 'f'];
    const after = retain(state, shown, order);
    assert.deepEqual([...after.selected].sort(), ['b', 'e']);
    assert.equal(after.focus, 'd', 'the next tile still shown');
    assert.equal(after.anchor, 'b');
    assert.equal(retain({ selected: new Set(), focus: 'g' }, ['a', 'b'], order).focus, 'b', 'else the last');
    assert.deepEqual(retain(state, [], order), { selected: new Set(), focus: undefined, anchor: undefined });
  });
});

describe('Gallery: the thumbnails a page holds', () => {
  const key = (name: string) => `${name.replace(/\W/g, '')}-256.webp`;
  const asked: string[] = [];
  const store = () =>
    new ThumbnailStore(async (filename, base) => {
      asked.push(`${base ? 'base:' : ''}${filename}`);
      return filename.startsWith('gone') ? { broken: 'the file is not on disk' } : { src: `data:image/webp;base64,${filename}`, key: key(filename) };
    });

  it('keeps what the host sent by file name, the base image apart from a training image of the same name', async () => {
    const thumbnails = store();
    await thumbnails.fetch('a_1.jpg');
    await thumbnails.fetch('a_1.jpg', true);
    assert.equal(thumbnails.get('a_1.jpg')?.key, key('a_1.jpg'));
    assert.equal(thumbnails.get('a_1.jpg', true)?.src, 'data:image/webp;base64,a_1.jpg');
    assert.notEqual(thumbnails.get('a_1.jpg'), thumbnails.get('a_1.jpg', true));
    assert.deepEqual(asked.splice(0), ['a_1.jpg', 'base:a_1.jpg']);
  });

  it('keeps no placeholder: an image without a thumbnail is asked for again', async () => {
    const thumbnails = store();
    assert.deepEqual(await thumbnails.fetch('gone.jpg'), { broken: 'the file is not on disk' });
    assert.equal(thumbnails.get('gone.jpg'), undefined);
  });

  it('forgets the images a new view no longer has, and the base image when it changed', async () => {
    const thumbnails = store();
    await Promise.all([thumbnails.fetch('a_1.jpg'), thumbnails.fetch('a_2.jpg'), thumbnails.fetch('base.png', true)]);
    const view: GalleryView = { actorId: 'a', images: [], counts: [], total: 1, target: 20, identityThreshold: 0.6, planState: 'none' };
    thumbnails.forgetAllBut({ ...view, images: [image(1)], baseImage: 'base.png' });
    assert.ok(thumbnails.get('a_1.jpg') && thumbnails.get('base.png', true));
    assert.equal(thumbnails.get('a_2.jpg'), undefined);
    thumbnails.forgetAllBut({ ...view, images: [image(1)], baseImage: 'other.png' });
    assert.equal(thumbnails.get('base.png', true), undefined);
    thumbnails.forgetAllBut(undefined);
    assert.equal(thumbnails.get('a_1.jpg'), undefined);
  });
});
