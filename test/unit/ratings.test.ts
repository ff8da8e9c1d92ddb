import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { generationLogSchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { listGenerationArchives, readGenerationLog } from '../../src/core/tracking/generationLog';
import { generationLogPath } from '../../src/core/workspace/layout';
import { clearRating, rateImage, RatingError } from '../../src/core/tracking/ratings';
import { loadAnalyticsInput } from '../../src/core/analytics/analytics';
import { ratedImages } from '../../src/core/analytics/quality';
import { deleteImagesToTrash } from '../../src/core/execute/deleteImage';
import { buildPromptTrainingData, exportPromptData } from '../../src/core/export/promptExport';
import { recordRating, recordSuccess } from '../../src/core/tracking/generationLog';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData } from './helpers/tempData';

const run = promisify(execFile);
const CARL = '0001_european_35_male';
const FIRST = `${CARL}_0.jpg`;
const SECOND = `${CARL}_1.jpg`;
const HOSTILE = '<b>x</b><script>alert(1)</script> & "quotes"';

async function entryOf(dataRoot: string, actorId: string, filename: string) {
  const manifest = await loadManifest(actorPaths(dataRoot, actorId).manifest);
  return manifest.images.find((image) => image.filename === filename);
}

describe('ratings', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('writes stars, feedback and the time into the manifest entry, keeping unknown fields', async () => {
    const file = actorPaths(sample.dataRoot, CARL).manifest;
    const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
    manifest.images[1].my_note = 'keep me';
    manifest.images[1].rating = { stars: 2, feedback: 'old', mood: 'grumpy' };
    await fs.writeFile(file, JSON.stringify(manifest, null, 2));
    const now = new Date('2026-01-02T03:04:05.000Z');

    const outcome = await rateImage(sample.dataRoot, { actorId: CARL, filename: SECOND, stars: 5, feedback: HOSTILE }, { now: () => now });

    assert.deepEqual(outcome.rating, { stars: 5, feedback: HOSTILE, rated_at: now.toISOString().replace(/Z$/, '+00:00'), mood: 'grumpy' });
    assert.equal(outcome.logWarning, undefined);
    const saved = JSON.parse(await fs.readFile(file, 'utf8'));
    const image = saved.images[1];
    assert.equal(image.filename, SECOND);
    assert.equal(image.my_note, 'keep me', 'unknown image fields survive');
    assert.equal(image.rating.mood, 'grumpy', 'unknown rating fields survive');
    assert.equal(image.rating.stars, 5);
    assert.equal(image.rating.feedback, HOSTILE, 'feedback is kept verbatim, markup and all');
    assert.equal(image.rating.rated_at, '2026-01-02T03:04:05.000+00:00');
    assert.deepEqual(saved.images[0].rating, manifest.images[0].rating, 'other images untouched');
    assert.equal((await entryOf(sample.dataRoot, CARL, SECOND))?.rating?.feedback, HOSTILE, 'reads back through the schema');
  });

  it('appends every rating to the log; a re-rating replaces the manifest rating and adds history', async () => {
    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 2, feedback: 'too soft' });
    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 4 });
    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 3, feedback: '' });

    const rating = (await entryOf(sample.dataRoot, CARL, FIRST))?.rating;
    assert.equal(rating?.stars, 3);
    assert.equal(rating?.feedback, undefined, "'' removes the feedback");
    const checked = validateJsonText(await fs.readFile(generationLogPath(sample.dataRoot), 'utf8'), generationLogSchema);
    assert.ok(checked.ok, 'the log passes its schema');
    const ratings = checked.value.ratings;
    assert.deepEqual(
      ratings.map((entry) => [entry.actor_id, entry.filename, entry.stars, entry.feedback]),
      [
        [CARL, FIRST, 2, 'too soft'],
        [CARL, FIRST, 4, 'too soft'], // omitted feedback keeps the earlier one
        [CARL, FIRST, 3, undefined],
      ],
    );
    assert.equal(new Set(ratings.map((entry) => entry.id)).size, 3, 'each entry has its own id');
    assert.ok(ratings.every((entry) => !Number.isNaN(Date.parse(entry.timestamp))));
  });

  it('clears a rating from the manifest; the log keeps its history', async () => {
    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 1 });
    const { cleared, entry } = await clearRating(sample.dataRoot, { actorId: CARL, filename: FIRST });
    assert.equal(cleared?.stars, 1);
    assert.equal(entry.rating, undefined);
    assert.equal((await entryOf(sample.dataRoot, CARL, FIRST))?.rating, undefined);
    const log = await readGenerationLog(sample.dataRoot);
    assert.deepEqual(
      log.ratings.map((rating) => rating.stars),
      [1, null],
      'the earlier rating stays as history; the clearing is the newest entry',
    );
    const again = await clearRating(sample.dataRoot, { actorId: CARL, filename: FIRST });
    assert.equal(again.cleared, undefined, 'clearing an unrated image is a no-op');
    assert.equal((await readGenerationLog(sample.dataRoot)).ratings.length, 2, 'and logs nothing');
  });

  it('the prompt export takes the rating in the manifest, hand edits included, for images still in one', async () => {
    const file = path.join(actorPaths(sample.dataRoot, CARL).trainingDir, FIRST);
    await recordSuccess(sample.dataRoot, {
      actorId: CARL,
      promptId: 'p',
      prompt: 'The man on a pier.',
      model: 'm',
      category: 'photorealistic',
      saveMethod: 'auto', // an unrated image saved by hand would count as good by itself
      resultPath: file,
    });
    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 5 });
    const good = async () =>
      (await exportPromptData({ dataRoot: sample.dataRoot, outFile: path.join(sample.dir, 'prompts.json'), force: true })).data.good_prompts.map((prompt) => [
        prompt.prompt,
        prompt.rating,
      ]);
    assert.deepEqual(await good(), [['The man on a pier.', 5]]);
    const manifest = actorPaths(sample.dataRoot, CARL).manifest;
    const edit = async (change: (entry: { rating?: unknown }) => void) => {
      const data = JSON.parse(await fs.readFile(manifest, 'utf8'));
      change(data.images.find((entry: { filename: string }) => entry.filename === FIRST));
      await fs.writeFile(manifest, `${JSON.stringify(data, null, 2)}\n`);
    };
    await edit((entry) => (entry.rating = { stars: 2 }));
    assert.deepEqual(await good(), [], 'lowered by hand to 2 stars: not a good prompt any more');
    await edit((entry) => delete entry.rating);
    assert.deepEqual(await good(), [], 'removed by hand: unrated');
  });

  it('a cleared rating no longer counts in the prompt export or, once the image is deleted, in analytics', async () => {
    const file = path.join(actorPaths(sample.dataRoot, CARL).trainingDir, FIRST);
    await recordSuccess(sample.dataRoot, {
      actorId: CARL,
      promptId: 'p',
      prompt: 'The man on a pier.',
      model: 'm',
      category: 'photorealistic',
      saveMethod: 'auto', // an unrated image saved by hand would count as good by itself
      resultPath: file,
    });
    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 5 });
    const good = (log: Awaited<ReturnType<typeof readGenerationLog>>) =>
      buildPromptTrainingData(log, { minQualityRating: 4 }, new Date()).good_prompts.map((prompt) => prompt.prompt);
    assert.deepEqual(good(await readGenerationLog(sample.dataRoot)), ['The man on a pier.']);
    await clearRating(sample.dataRoot, { actorId: CARL, filename: FIRST });
    assert.deepEqual(good(await readGenerationLog(sample.dataRoot)), [], 'unrated now');

    await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 4 });
    await deleteImagesToTrash({ dataRoot: sample.dataRoot, images: [{ actorId: CARL, filename: FIRST }], reason: 'test' });
    let input = await loadAnalyticsInput(sample.dataRoot);
    assert.deepEqual(
      ratedImages(input.index, input.log)
        .filter((image) => image.filename === FIRST)
        .map((image) => image.stars),
      [4],
      'a deleted image keeps its newest rating from the log',
    );
    await recordRating(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: null });
    input = await loadAnalyticsInput(sample.dataRoot);
    assert.deepEqual(
      ratedImages(input.index, input.log).filter((image) => image.filename === FIRST),
      [],
      'a clearing in the log leaves it unrated',
    );
  });

  it('refuses bad input with a clear message naming the file, and writes nothing', async () => {
    const manifestFile = actorPaths(sample.dataRoot, CARL).manifest;
    const before = await fs.readFile(manifestFile, 'utf8');
    for (const stars of [0, 6, 2.5, Number.NaN, '4' as unknown as number]) {
      await assert.rejects(rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars }), (error: Error) => {
        assert.ok(error instanceof RatingError);
        assert.match(error.message, /stars must be a whole number from 1 to 5/);
        assert.match(error.message, new RegExp(`${CARL}/${CARL}_0\\.jpg`));
        return true;
      });
    }
    await assert.rejects(
      rateImage(sample.dataRoot, { actorId: '0099_nobody_20_male', filename: FIRST, stars: 3 }),
      /unknown actor "0099_nobody_20_male": there is no folder .*actors\/0099_nobody_20_male/,
    );
    await assert.rejects(rateImage(sample.dataRoot, { actorId: '../actors', filename: FIRST, stars: 3 }), RatingError);
    await assert.rejects(
      rateImage(sample.dataRoot, { actorId: CARL, filename: `${CARL}_77.jpg`, stars: 3 }),
      new RegExp(`${CARL}/training_data/manifest\\.json: no image "${CARL}_77\\.jpg" in this manifest`),
    );
    await assert.rejects(rateImage(sample.dataRoot, { actorId: CARL, filename: '../manifest.json', stars: 3 }), /is not an image file name/);
    await assert.rejects(
      rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 3, feedback: 'x'.repeat(10_001) }),
      /feedback is 10001 characters long/,
    );
    assert.equal(await fs.readFile(manifestFile, 'utf8'), before, 'the manifest is unchanged');
    await assert.rejects(fs.access(generationLogPath(sample.dataRoot)), 'nothing was logged');
    await assert.rejects(fs.access(path.join(sample.dataRoot, 'actors', '0099_nobody_20_male')), 'no folder was made for the unknown actor');
  });

  it('an actor without a manifest has no image to rate (its images are untracked)', async () => {
    await assert.rejects(
      rateImage(sample.dataRoot, { actorId: '0002_mixed_30_nonbinary', filename: '0002_mixed_30_nonbinary_0.jpg', stars: 4 }),
      /manifest\.json: no image "0002_mixed_30_nonbinary_0\.jpg"/,
    );
  });

  it('an invalid manifest is reported and left as it is', async () => {
    const manifestFile = actorPaths(sample.dataRoot, CARL).manifest;
    await fs.writeFile(manifestFile, '{ "images": {} }');
    await assert.rejects(rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 4 }), /manifest\.json is not a valid manifest/);
    assert.equal(await fs.readFile(manifestFile, 'utf8'), '{ "images": {} }');
  });

  it('a log that cannot be written leaves the rating in the manifest and says so', async () => {
    const log = generationLogPath(sample.dataRoot);
    await fs.mkdir(log, { recursive: true }); // a folder where the log file should be
    const outcome = await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 5 });
    assert.match(outcome.logWarning ?? '', /the generation log was not updated/);
    assert.equal((await entryOf(sample.dataRoot, CARL, FIRST))?.rating?.stars, 5);
  });

  it('ratings are capped in the live log like the other kinds; older ones go to an archive', async () => {
    for (let stars = 1; stars <= 5; stars++) {
      await rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars }, { cap: 2 });
    }
    assert.deepEqual(
      (await readGenerationLog(sample.dataRoot)).ratings.map((entry) => entry.stars),
      [4, 5],
    );
    assert.deepEqual(await listGenerationArchives(sample.dataRoot), [1, 2]);
    const all = await readGenerationLog(sample.dataRoot, { withArchives: true });
    assert.deepEqual(
      all.ratings.map((entry) => entry.stars),
      [1, 2, 3, 4, 5],
      'none lost, oldest first',
    );
  });

  it('two ratings at once both land, in this process and from another', async () => {
    const module = path.join(__dirname, '..', '..', 'src', 'core', 'tracking', 'ratings.js');
    const worker = `
      const { rateImage } = require(${JSON.stringify(module)});
      rateImage(process.argv[1], { actorId: process.argv[2], filename: process.argv[3], stars: 1, feedback: 'from a child' })
        .catch((error) => { console.error(error); process.exit(1); });`;
    await Promise.all([
      rateImage(sample.dataRoot, { actorId: CARL, filename: FIRST, stars: 5, feedback: 'first' }),
      rateImage(sample.dataRoot, { actorId: CARL, filename: SECOND, stars: 2, feedback: 'second' }),
      run(process.execPath, ['-e', worker, sample.dataRoot, CARL, `${CARL}_2.jpg`]),
    ]);
    assert.equal((await entryOf(sample.dataRoot, CARL, FIRST))?.rating?.feedback, 'first');
    assert.equal((await entryOf(sample.dataRoot, CARL, SECOND))?.rating?.feedback, 'second');
    assert.equal((await entryOf(sample.dataRoot, CARL, `${CARL}_2.jpg`))?.rating?.feedback, 'from a child');
    const logged = (await readGenerationLog(sample.dataRoot)).ratings.map((entry) => entry.filename).sort();
    assert.deepEqual(logged, [FIRST, SECOND, `${CARL}_2.jpg`].sort());
  });
});
