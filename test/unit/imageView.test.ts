import * as assert from 'node:assert/strict';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { buildImageView } from '../../src/webviews/imageViewer/imageView';
import { SAMPLE_DATA } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EILEEN = '0000_european_45_female';

describe('Image Viewer: the view of one image', () => {
  const index = new ActorIndex(SAMPLE_DATA);

  it('gives the prompt, the category, the rating and the neighbours for prev/next', () => {
    const carl = index.actor(CARL);
    const first = buildImageView(carl, `${CARL}_0.jpg`, 0.6)!;
    assert.equal(first.actorId, CARL);
    assert.equal(first.categoryLabel, 'Photorealistic');
    assert.equal(first.promptId, 'photo_golden_hour_rooftop');
    assert.match(first.prompt ?? '', /rooftop at golden hour/);
    assert.deepEqual(first.rating, { stars: 4, feedback: 'Convincing light; face slightly soft.', ratedAt: '2025-06-02T10:00:00.000Z' });
    assert.equal(first.tracked, true);
    assert.equal(first.missing, false);
    assert.match(first.path ?? '', /training_data\/0001_european_35_male_0\.jpg$/);
    assert.deepEqual([first.position, first.count, first.previous, first.next], [1, 6, undefined, `${CARL}_1.jpg`]);
    const last = buildImageView(carl, `${CARL}_5.jpg`, 0.6)!;
    assert.deepEqual([last.position, last.previous, last.next], [6, `${CARL}_4.jpg`, undefined]);
  });

  it('carries the evaluation: issues, reasons, identity distance and the limit it is judged against', () => {
    const carl = index.actor(CARL);
    const record = { ...carl, images: carl.images.map((image) => ({ ...image, entry: image.entry && { ...image.entry } })) };
    record.images[2].entry!.evaluation = {
      evaluator: 'local+face',
      quality: 4,
      issues: ['identity_drift'],
      reasons: ['face distance 0.71 > 0.6: another person?'],
      identity_distance: 0.71,
    };
    const view = buildImageView(record, record.images[2].filename, 0.6)!;
    assert.deepEqual(view.evaluation, {
      evaluator: 'local+face',
      quality: 4,
      issues: ['identity_drift'],
      reasons: ['face distance 0.71 > 0.6: another person?'],
      identityDistance: 0.71,
      centroidDistance: undefined,
      identityThreshold: 0.6,
      evaluatedAt: undefined,
    });
    assert.equal(buildImageView(carl, `${CARL}_1.jpg`, 0.6)!.evaluation, undefined, 'not evaluated: no evaluation');
  });

  it('an image whose face could not be scored needs review (with the reason) until kept; both distances are carried', () => {
    const carl = index.actor(CARL);
    const record = { ...carl, images: carl.images.map((image) => ({ ...image, entry: image.entry && { ...image.entry } })) };
    const entry = record.images[3].entry!;
    entry.evaluation = {
      evaluator: 'local+face',
      sha256: entry.sha256,
      quality: 7,
      issues: ['unscorable'],
      reasons: ['needs review: face too small (38 px); identity not scored'],
      identity_distance: 0.31,
      centroid_distance: 0.28,
    };
    const view = buildImageView(record, entry.filename, 0.65)!;
    assert.deepEqual(view.review, { state: 'needed', reason: 'face too small (38 px); identity not scored' });
    assert.equal(view.evaluation?.identityDistance, 0.31);
    assert.equal(view.evaluation?.centroidDistance, 0.28);
    entry.review = { decision: 'keep', at: '2026-12-06T09:00:00.000Z' };
    assert.deepEqual(buildImageView(record, entry.filename, 0.65)!.review, {
      state: 'kept',
      reason: 'face too small (38 px); identity not scored',
      at: '2026-12-06T09:00:00.000Z',
    });
    assert.equal(buildImageView(carl, `${CARL}_0.jpg`, 0.65)!.review, undefined, 'never needed review');
  });

  it('untracked images are shown but marked; unknown names give nothing', () => {
    const eileen = index.actor(EILEEN);
    const untracked = buildImageView(eileen, `${EILEEN}_12.jpg`, 0.6)!;
    assert.equal(untracked.tracked, false);
    assert.equal(untracked.rating, undefined);
    assert.equal(buildImageView(eileen, 'nope.jpg', 0.6), undefined);
  });

  it('carries the caption of a tracked image: text, source in words and lint findings; none for an untracked one', () => {
    const carl = index.actor(CARL);
    const seeded = buildImageView(carl, `${CARL}_0.jpg`, 0.6)!.caption!;
    assert.equal(seeded.source, 'prompt');
    assert.equal(seeded.sourceLabel, 'seeded from the prompt');
    assert.match(seeded.text, /^\[trigger\] (?:woman|man), Cinematic photorealistic film still/);
    assert.deepEqual(
      seeded.findings.map((finding) => finding.code),
      ['too_long'],
    );
    const record = { ...carl, images: carl.images.map((image) => ({ ...image, entry: image.entry && { ...image.entry } })) };
    Object.assign(record.images[0].entry!, { caption: '[trigger] man, rooftop at dusk', caption_source: 'user' });
    const edited = buildImageView(record, record.images[0].filename, 0.6)!.caption!;
    assert.deepEqual(edited, { text: '[trigger] man, rooftop at dusk', source: 'user', sourceLabel: 'your edit', findings: [] });
    const untracked = { ...record.images[1], tracked: false, entry: undefined };
    assert.equal(buildImageView({ ...record, images: [untracked] }, untracked.filename, 0.6)!.caption, undefined);
  });
});
