import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createFaceIdentity, type FaceIdentity } from '../../src/core/evaluate/faceIdentity';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import type { ImageEvaluation } from '../../src/core/evaluate/types';
import { loadSharp } from '../../src/core/image/sharp';
import { evaluateActor } from '../../src/core/evaluate/evaluateActor';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData, makeTempDir, REPO_ROOT } from './helpers/tempData';

const FACES = path.join(REPO_ROOT, 'fixtures', 'faces');
const ASTRONAUT = path.join(FACES, 'astronaut.png');
const CAMERAMAN = path.join(FACES, 'cameraman.png');
const HOPPER = path.join(FACES, '..', 'faceCorpus', 'grace_hopper.jpg');

/** A photographic-looking 16:9 landscape with no one in it: sky, hills, textured grass. */
async function writeLandscape(file: string): Promise<void> {
  const width = 768;
  const height = 432;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 60;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const horizon = 220 + 40 * Math.sin(x / 90) + 15 * Math.sin(x / 23);
      const shade = 0.5 + 0.5 * Math.sin(x / 57) * Math.cos(y / 41);
      const i = (y * width + x) * 3;
      const [r, g, b] =
        y < horizon
          ? [40 + y * 0.8 + noise() / 4, 90 + y * 0.6 + noise() / 4, 200 + y / 8]
          : [30 + 120 * shade + noise(), 60 + 140 * shade + noise(), 20 + 60 * shade + noise() / 2];
      pixels[i] = Math.max(0, Math.min(255, r));
      pixels[i + 1] = Math.max(0, Math.min(255, g));
      pixels[i + 2] = Math.max(0, Math.min(255, b));
    }
  }
  const sharp = await loadSharp();
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .blur(0.6)
    .jpeg({ quality: 88 })
    .toFile(file);
}

describe('local checks with face identity (other person, no face)', function () {
  this.timeout(120000);

  let temp: { dir: string; cleanup: () => Promise<void> };
  let faces: FaceIdentity;
  let images: { filename: string; path: string; sha256: string }[];
  let result: (filename: string) => ImageEvaluation;

  before(async () => {
    temp = await makeTempDir('actor-studio-identity-');
    const sharp = await loadSharp();
    const file = (name: string) => path.join(temp.dir, name);
    // The same person as the base image: a reframed, colour-graded crop and a mirrored grey one.
    await sharp(ASTRONAUT)
      .extract({ left: 0, top: 40, width: 512, height: 288 })
      .resize(768, 432)
      .modulate({ saturation: 1.2 })
      .jpeg({ quality: 85 })
      .toFile(file('a_0.jpg'));
    await sharp(ASTRONAUT).extract({ left: 40, top: 100, width: 448, height: 252 }).flop().resize(768, 432).jpeg({ quality: 85 }).toFile(file('a_1.jpg'));
    // Another person's frontal photo (Grace Hopper, fixtures/faceCorpus), framed the same way.
    const hopper = await sharp(HOPPER).metadata();
    await sharp(HOPPER)
      .extract({ left: 0, top: Math.round(hopper.height! * 0.08), width: hopper.width!, height: Math.round((hopper.width! * 9) / 16) })
      .resize(768, 432)
      .jpeg({ quality: 85 })
      .toFile(file('a_2.jpg'));
    await writeLandscape(file('a_3.jpg'));
    images = await Promise.all(
      ['a_0.jpg', 'a_1.jpg', 'a_2.jpg', 'a_3.jpg'].map(async (filename) => ({
        filename,
        path: file(filename),
        sha256: createHash('sha256')
          .update(await fs.readFile(file(filename)))
          .digest('hex'),
        // The colour ones as if generated from photorealistic prompts: that is their category (pixels
        // alone do not say photorealistic); the grey photo of the other person has no prompt.
        ...(filename === 'a_2.jpg' ? {} : { declared: { category: 'photorealistic' as const, source: 'prompt' as const } }),
      })),
    );
    faces = await createFaceIdentity();
    const progress: [number, number][] = [];
    const evaluations = await new LocalChecksEvaluator({ faces: async () => faces }).evaluate({
      actorId: 'a',
      baseImagePath: ASTRONAUT,
      images,
      onProgress: (done, total) => progress.push([done, total]),
    });
    const byName = new Map(evaluations.map((evaluation) => [evaluation.filename, evaluation]));
    result = (filename) => byName.get(filename) ?? assert.fail(`no evaluation for ${filename}`);
    assert.deepEqual(progress.at(-1), [8, 8], 'progress counts the pixel checks and the face checks of 4 images');
  });

  after(async () => {
    await faces?.close();
    await temp?.cleanup();
  });

  it('does not flag the same person reframed and mirrored; a crop of the base photo itself is a near clone (ranked low, not deleted)', () => {
    const mirrored = result('a_1.jpg');
    assert.deepEqual(mirrored.issues, [], mirrored.reasons.join('; '));
    assert.ok(
      typeof mirrored.identityDistance === 'number' && mirrored.identityDistance < 0.65 && mirrored.identityDistance >= 0.14,
      `distance ${mirrored.identityDistance}`,
    );
    assert.equal(mirrored.quality, 10);
    const crop = result('a_0.jpg');
    assert.deepEqual(crop.issues, ['near_clone'], crop.reasons.join('; '));
    assert.ok(typeof crop.identityDistance === 'number' && crop.identityDistance < 0.14);
    assert.ok(crop.quality < 10 && crop.quality >= 5, 'a near clone ranks lower but is not a failed image');
  });

  it('a face turned too far to score is unscorable (needs review), never identity drift', async () => {
    const turned = path.join(temp.dir, 'turned.jpg');
    await (await loadSharp())(CAMERAMAN).extract({ left: 0, top: 60, width: 512, height: 288 }).resize(768, 432).jpeg({ quality: 85 }).toFile(turned);
    const [evaluation] = await new LocalChecksEvaluator({ faces: async () => faces }).evaluate({
      actorId: 'a',
      baseImagePath: ASTRONAUT,
      images: [{ filename: 'turned.jpg', path: turned, sha256: 'x'.repeat(64) }],
    });
    assert.deepEqual(evaluation.issues, ['unscorable'], evaluation.reasons.join('; '));
    assert.ok(evaluation.reasons.some((reason) => /needs review: face turned too far from the base image.s to score \(about \d+°, over 45°\)/.test(reason)));
    assert.equal(evaluation.quality, 10, 'review, not a penalty');
  });

  it("flags the other person's photo as identity drift, with the distance in the reason", () => {
    const evaluation = result('a_2.jpg');
    assert.ok(evaluation.issues.includes('identity_drift'), evaluation.reasons.join('; '));
    assert.ok(typeof evaluation.identityDistance === 'number' && evaluation.identityDistance > 0.65);
    assert.ok(evaluation.reasons.some((reason) => reason.includes(evaluation.identityDistance!.toFixed(2)) && reason.includes('0.65')));
    assert.ok(evaluation.quality < 10);
  });

  it('the landscape has no face: unscorable (needs review), with no distance', () => {
    const evaluation = result('a_3.jpg');
    assert.equal(evaluation.category, 'photorealistic', evaluation.reasons.join('; '));
    assert.deepEqual(evaluation.issues, ['unscorable']);
    assert.ok(evaluation.reasons.includes('needs review: no face found; identity not scored'));
    assert.equal(evaluation.identityDistance, null);
  });

  it('records itself as local+face, and a stricter threshold gives another fingerprint and flags more', async () => {
    assert.equal(result('a_0.jpg').evaluator, 'local+face');
    const strict = new LocalChecksEvaluator({ faces: async () => faces, thresholds: { identityDriftDistance: 0.01 } });
    assert.notEqual(strict.configKey, new LocalChecksEvaluator({ faces: async () => faces }).configKey);
    const [evaluation] = await strict.evaluate({ actorId: 'a', baseImagePath: ASTRONAUT, images: [images[0]] });
    assert.deepEqual(evaluation.issues, ['identity_drift']);
  });

  it('without a base image, says identity was not checked and flags nothing', async () => {
    const [evaluation] = await new LocalChecksEvaluator({ faces: async () => faces }).evaluate({ actorId: 'a', images: [images[2]] });
    assert.deepEqual(evaluation.issues, []);
    assert.ok(evaluation.reasons.some((reason) => reason.includes('no base image')));
  });

  it('loads the face engine only when images are evaluated, and not at all when it is off', async () => {
    let loads = 0;
    const evaluator = new LocalChecksEvaluator({ faces: async () => (loads++, faces) });
    assert.equal(loads, 0);
    await evaluator.evaluate({ actorId: 'a', baseImagePath: ASTRONAUT, images: [images[0]] });
    assert.equal(loads, 1);
    const off = new LocalChecksEvaluator();
    assert.equal(off.id, 'local');
    const [evaluation] = await off.evaluate({ actorId: 'a', baseImagePath: ASTRONAUT, images: [images[2]] });
    assert.deepEqual(evaluation.issues, []);
    assert.equal(evaluation.identityDistance, undefined);
  });

  it('compares each face once per base image: earlier comparisons of the same bytes are reused, a new base image measures again', async () => {
    const measured: string[] = [];
    let loads = 0;
    const counting: FaceIdentity = {
      ...faces,
      identityDistances: (base, paths) => {
        measured.push(...paths.map((file) => path.basename(file)));
        return faces.identityDistances(base, paths);
      },
    };
    const evaluator = new LocalChecksEvaluator({ faces: async () => (loads++, counting) });
    const first = await evaluator.evaluate({ actorId: 'a', baseImagePath: ASTRONAUT, images: images.slice(0, 3) });
    assert.deepEqual(measured.sort(), ['a_0.jpg', 'a_1.jpg', 'a_2.jpg']);
    assert.ok(
      first.every((evaluation) => evaluation.face?.baseSha256.length === 64),
      'each comparison records the base image it was made for',
    );

    // One image added: only its face is compared; the others keep their distances and verdicts.
    measured.length = 0;
    const previous = new Map(first.map((evaluation) => [evaluation.filename, evaluation]));
    const second = await evaluator.evaluate({ actorId: 'a', baseImagePath: ASTRONAUT, images, previous });
    assert.deepEqual(measured, ['a_3.jpg']);
    for (const evaluation of first) {
      const again = second.find((each) => each.filename === evaluation.filename)!;
      assert.deepEqual([again.identityDistance, again.issues], [evaluation.identityDistance, evaluation.issues], evaluation.filename);
    }
    assert.deepEqual(second.find((each) => each.filename === 'a_2.jpg')!.issues, ['identity_drift']);

    // Nothing new: face-api is not even loaded.
    loads = 0;
    measured.length = 0;
    await evaluator.evaluate({
      actorId: 'a',
      baseImagePath: ASTRONAUT,
      images,
      previous: new Map(second.map((evaluation) => [evaluation.filename, evaluation])),
    });
    assert.deepEqual([loads, measured], [0, []]);

    // Another base image: every face is compared again.
    await evaluator.evaluate({
      actorId: 'a',
      baseImagePath: CAMERAMAN,
      images,
      previous: new Map(second.map((evaluation) => [evaluation.filename, evaluation])),
    });
    assert.deepEqual(measured.sort(), ['a_0.jpg', 'a_1.jpg', 'a_2.jpg', 'a_3.jpg']);
  });

  it('keeps each comparison in the manifest, so evaluating an actor after one new image compares one face', async () => {
    const sample = await copySampleData();
    try {
      const CARL = '0001_european_35_male';
      const measured: string[] = [];
      const counting: FaceIdentity = {
        ...faces,
        identityDistances: (base, paths) => {
          measured.push(...paths.map((file) => path.basename(file)));
          return faces.identityDistances(base, paths);
        },
      };
      const evaluator = new LocalChecksEvaluator({ faces: async () => counting });
      const actor = () => new ActorIndex(sample.dataRoot).actor(CARL);
      await evaluateActor({ dataRoot: sample.dataRoot, actor: actor(), evaluator });
      const { trainingDir, manifest } = actorPaths(sample.dataRoot, CARL);
      const stored = (await loadManifest(manifest)).images.map((entry) => entry.evaluation?.face);
      assert.equal(measured.length, stored.length);
      assert.ok(
        stored.every((face) => face && face.base_sha256.length === 64),
        'every comparison is in the manifest',
      );

      measured.length = 0;
      const sharp = await loadSharp();
      await sharp(path.join(trainingDir, `${CARL}_0.jpg`))
        .flop()
        .jpeg({ quality: 90 })
        .toFile(path.join(trainingDir, `${CARL}_9.jpg`));
      await evaluateActor({ dataRoot: sample.dataRoot, actor: actor(), evaluator });
      assert.deepEqual(measured, [`${CARL}_9.jpg`]);
    } finally {
      await sample.cleanup();
    }
  });

  it('stops between images when cancelled', async () => {
    const controller = new AbortController();
    const evaluator = new LocalChecksEvaluator({ faces: async () => faces });
    const run = evaluator.evaluate({
      actorId: 'a',
      baseImagePath: ASTRONAUT,
      images,
      signal: controller.signal,
      onProgress: (done) => done === 5 && controller.abort(),
    });
    await assert.rejects(run, (error: Error) => error.name === 'AbortError');
  });
});
