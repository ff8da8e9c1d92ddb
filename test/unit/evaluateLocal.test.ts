import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { computeImageStats } from '../../src/core/evaluate/imageStats';
import type { ImageEvaluation } from '../../src/core/evaluate/types';
import { loadSharp } from '../../src/core/image/sharp';
import { makeTempDir, REPO_ROOT, SAMPLE_DATA } from './helpers/tempData';

const FACES = path.join(REPO_ROOT, 'fixtures', 'faces');
const ASTRONAUT = path.join(FACES, 'astronaut.png');
const CAMERAMAN = path.join(FACES, 'cameraman.png');

async function imagesOf(dir: string): Promise<{ filename: string; path: string; sha256: string }[]> {
  const names = (await fs.readdir(dir)).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
  return Promise.all(
    names.map(async (filename) => {
      const file = path.join(dir, filename);
      return {
        filename,
        path: file,
        sha256: createHash('sha256')
          .update(await fs.readFile(file))
          .digest('hex'),
      };
    }),
  );
}

/** Evaluations by file name, failing clearly when one is missing. */
function byName(evaluations: ImageEvaluation[]): (filename: string) => ImageEvaluation {
  const map = new Map(evaluations.map((evaluation) => [evaluation.filename, evaluation]));
  return (filename) => {
    const evaluation = map.get(filename);
    assert.ok(evaluation, `no evaluation for ${filename}`);
    return evaluation;
  };
}

describe('local checks on images with known defects', function () {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let result: (filename: string) => ImageEvaluation;

  before(async () => {
    temp = await makeTempDir();
    const sharp = await loadSharp();
    const out = (n: number, ext = 'jpg'): string => path.join(temp.dir, `t_${n}.${ext}`);
    // Each defect uses its own region of the photo, so defects do not also look like near duplicates of each other.
    const region = (left: number, top: number, width: number, height: number) => sharp(ASTRONAUT).extract({ left, top, width, height });
    await region(0, 0, 512, 288).resize(768, 432).jpeg({ quality: 85 }).toFile(out(0)); // clean, photo
    await region(100, 150, 400, 300).jpeg({ quality: 85 }).toFile(out(1)); // clean, photo
    await sharp(CAMERAMAN).extract({ left: 0, top: 100, width: 512, height: 288 }).jpeg({ quality: 85 }).toFile(out(2)); // clean, grey source
    await region(0, 224, 512, 288).blur(6).jpeg({ quality: 85 }).toFile(out(3));
    await region(16, 60, 480, 270).linear(0.2, 0).jpeg({ quality: 85 }).toFile(out(4));
    await region(0, 160, 480, 270).linear(0.2, 210).jpeg({ quality: 85 }).toFile(out(5));
    await region(32, 96, 448, 300).greyscale().toColourspace('srgb').jpeg({ quality: 85 }).toFile(out(6));
    await sharp(out(0)).resize(600, 338).jpeg({ quality: 60 }).toFile(out(7)); // near duplicate of _0
    const decoded = await sharp(out(1)).raw().toBuffer({ resolveWithObject: true });
    await sharp(decoded.data, { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } })
      .png()
      .toFile(out(8, 'png')); // exact duplicate of _1, other format
    await region(200, 40, 300, 300).resize(160, 90).jpeg({ quality: 85 }).toFile(out(9));
    await region(0, 380, 512, 120).resize(1280, 300).jpeg({ quality: 85 }).toFile(out(10));
    await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 140, g: 120, b: 100 } } })
      .jpeg()
      .toFile(out(11));
    const evaluations = await new LocalChecksEvaluator().evaluate({ actorId: 'test', images: await imagesOf(temp.dir) });
    result = byName(evaluations);
  });

  after(async () => {
    await temp?.cleanup();
  });

  it('does not flag the clean images', () => {
    for (const name of ['t_0.jpg', 't_1.jpg', 't_2.jpg']) {
      assert.deepEqual(result(name).issues, [], `${name}: ${result(name).reasons.join('; ')}`);
      assert.equal(result(name).quality, 10, name);
      assert.equal(result(name).duplicateOf, undefined, name);
    }
  });

  it('tells colour photos from grey ones (without a prompt a colour image stays unclassified)', () => {
    assert.equal(result('t_0.jpg').tone, 'colour');
    assert.equal(result('t_0.jpg').category, 'unknown');
    assert.equal(result('t_1.jpg').category, 'unknown');
    assert.equal(result('t_2.jpg').tone, 'grey');
    assert.equal(result('t_2.jpg').category, 'bw_stylized');
    assert.equal(result('t_2.jpg').categorySource, 'local');
  });

  it('catches the blurred image, and only as blurred', () => {
    assert.deepEqual(result('t_3.jpg').issues, ['blurry']);
    assert.ok(result('t_3.jpg').quality < 10);
  });

  it('catches the darkened and the brightened image (not as blurred)', () => {
    assert.deepEqual(result('t_4.jpg').issues, ['too_dark']);
    assert.deepEqual(result('t_5.jpg').issues, ['too_light']);
  });

  it('detects black-and-white from the pixels of an RGB JPEG', async () => {
    const sharp = await loadSharp();
    assert.equal((await sharp(path.join(temp.dir, 't_6.jpg')).metadata()).channels, 3);
    assert.equal(result('t_6.jpg').category, 'bw_stylized');
    assert.deepEqual(result('t_6.jpg').issues, []);
  });

  it('flags the resized, recompressed near duplicate and keeps the larger original', () => {
    assert.deepEqual(result('t_7.jpg').issues, ['near_duplicate']);
    assert.equal(result('t_7.jpg').duplicateOf, 't_0.jpg');
  });

  it('flags the PNG holding the same pixels as a JPEG as an exact duplicate of the lower number', () => {
    assert.deepEqual(result('t_8.png').issues, ['exact_duplicate']);
    assert.equal(result('t_8.png').duplicateOf, 't_1.jpg');
  });

  it('catches low resolution, odd aspect ratio and a flat image', () => {
    assert.deepEqual(result('t_9.jpg').issues, ['low_resolution']);
    assert.deepEqual(result('t_10.jpg').issues, ['odd_aspect_ratio']);
    assert.ok(result('t_11.jpg').issues.includes('low_information'), result('t_11.jpg').reasons.join('; '));
  });

  it('gives every issue a reason in words and a lower quality', () => {
    for (const name of ['t_3.jpg', 't_4.jpg', 't_5.jpg', 't_9.jpg', 't_10.jpg', 't_11.jpg']) {
      assert.equal(result(name).reasons.length, result(name).issues.length, name);
      assert.ok(result(name).quality < 10, name);
      assert.equal(result(name).evaluator, 'local');
    }
  });

  it('hashes pixels the same for a JPEG and a PNG of its decoded pixels, and differently for a recompressed copy', async () => {
    const [jpeg, png, recompressed] = await Promise.all(['t_1.jpg', 't_8.png', 't_7.jpg'].map((name) => computeImageStats(path.join(temp.dir, name))));
    assert.equal(jpeg.pixelHash, png.pixelHash);
    assert.notEqual(jpeg.pixelHash, recompressed.pixelHash);
    assert.equal(jpeg.dHash, png.dHash);
  });
});

describe('local checks on the sample actor 0000_european_45_female', () => {
  const actor = '0000_european_45_female';
  let result: (filename: string) => ImageEvaluation;
  const name = (n: number): string => `${actor}_${n}.jpg`;

  before(async () => {
    const images = await imagesOf(path.join(SAMPLE_DATA, 'actors', actor, 'training_data'));
    result = byName(await new LocalChecksEvaluator().evaluate({ actorId: actor, images }));
  });

  it('finds the blurred _8, the dark _9 and the low-resolution _11', () => {
    assert.ok(result(name(8)).issues.includes('blurry'), result(name(8)).reasons.join('; '));
    assert.ok(result(name(9)).issues.includes('too_dark'), result(name(9)).reasons.join('; '));
    assert.ok(result(name(11)).issues.includes('low_resolution'), result(name(11)).reasons.join('; '));
  });

  it('finds _3 as a near duplicate of _0 and keeps _0', () => {
    assert.ok(result(name(3)).issues.includes('near_duplicate'));
    assert.equal(result(name(3)).duplicateOf, name(0));
    assert.equal(result(name(0)).duplicateOf, undefined);
  });

  it('categorises the grey-as-RGB _6 and the greyscale _5 as bw_stylized; without prompts the posterised _7 and _13 stay unclassified', () => {
    assert.equal(result(name(6)).category, 'bw_stylized');
    assert.equal(result(name(5)).category, 'bw_stylized');
    // Pixels alone never choose between photorealistic and colour stylized (the prompt, the vision model or the user do).
    assert.equal(result(name(7)).category, 'unknown');
    assert.equal(result(name(13)).category, 'unknown');
    assert.equal(result(name(13)).tone, 'colour');
  });

  it('does not flag the clean _0, _1, _2 for blur or exposure, and sees colour in them', () => {
    for (const n of [0, 1, 2]) {
      const evaluation = result(name(n));
      for (const issue of ['blurry', 'too_dark', 'too_light'] as const) {
        assert.ok(!evaluation.issues.includes(issue), `${name(n)}: ${evaluation.reasons.join('; ')}`);
      }
      assert.equal(evaluation.tone, 'colour', name(n));
    }
  });
});
