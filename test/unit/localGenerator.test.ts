import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { computeImageStats, hammingDistance, type ImageStats } from '../../src/core/evaluate/imageStats';
import { isGrey, LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { framingFor, LocalGenerator } from '../../src/core/generate/localGenerator';
import type { TrainingCategory } from '../../src/core/manifest/categories';
import { makeTempDir, SAMPLE_DATA } from './helpers/tempData';

/** What the balanced set of one actor asks for: 13 photorealistic, 4 black-and-white, 3 colour stylized. */
const REQUESTS: { category: TrainingCategory; promptId: string }[] = [
  ...Array.from({ length: 13 }, (_, i) => ({ category: 'photorealistic' as const, promptId: `photo_${i}` })),
  ...Array.from({ length: 4 }, (_, i) => ({ category: 'bw_stylized' as const, promptId: `bw_${i}` })),
  ...Array.from({ length: 3 }, (_, i) => ({ category: 'color_stylized' as const, promptId: `color_${i}` })),
];

const range = (values: number[]): string => `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`;

describe('local generator: a set that passes the local checks', function () {
  this.timeout(180_000);

  it('gives each sample actor 13 + 4 + 3 images with no failed check, no near duplicate and the colour of their category', async () => {
    const temp = await makeTempDir();
    const generator = new LocalGenerator();
    const evaluator = new LocalChecksEvaluator(); // pixel checks; face identity is measured in the face tests
    const report: string[] = [];
    try {
      const actors = (await fs.readdir(path.join(SAMPLE_DATA, 'actors'))).sort();
      assert.equal(actors.length, 3);
      for (const actorId of actors) {
        const baseDir = path.join(SAMPLE_DATA, 'actors', actorId, 'base_image');
        const baseImagePath = path.join(baseDir, (await fs.readdir(baseDir))[0]);
        const images: { filename: string; path: string; sha256: string }[] = [{ filename: path.basename(baseImagePath), path: baseImagePath, sha256: 'base' }];
        const category = new Map<string, TrainingCategory>();
        const stats = new Map<string, ImageStats>();
        let milliseconds = 0;
        for (const [offset, request] of REQUESTS.entries()) {
          const number = 20 + offset;
          const started = Date.now();
          const result = await generator.generate({ actorId, baseImagePath, promptId: request.promptId, prompt: 'x', category: request.category, number });
          milliseconds += Date.now() - started;
          const filename = `${actorId}_${number}.jpg`;
          const file = path.join(temp.dir, filename);
          await fs.writeFile(file, result.bytes);
          images.push({ filename, path: file, sha256: filename });
          category.set(filename, request.category);
          stats.set(filename, await computeImageStats(file));
        }
        stats.set(images[0].filename, await computeImageStats(baseImagePath));

        const evaluations = await evaluator.evaluate({ actorId, baseImagePath, images });
        for (const evaluation of evaluations) {
          assert.deepEqual(evaluation.issues, [], `${evaluation.filename}: ${evaluation.reasons.join('; ')}`);
        }
        const names = images.map((image) => image.filename);
        let closest = Number.POSITIVE_INFINITY;
        let closestSameCategory = Number.POSITIVE_INFINITY;
        for (let i = 0; i < names.length; i += 1) {
          for (let j = i + 1; j < names.length; j += 1) {
            const distance = hammingDistance(stats.get(names[i])!.dHash, stats.get(names[j])!.dHash);
            closest = Math.min(closest, distance);
            if ((category.get(names[i]) ?? 'photorealistic') === (category.get(names[j]) ?? 'photorealistic')) {
              closestSameCategory = Math.min(closestSameCategory, distance);
            }
          }
        }
        assert.ok(closestSameCategory > evaluator.thresholds.nearDuplicateHamming, `${actorId}: two images of one category ${closestSameCategory} apart`);

        const chroma = (wanted: TrainingCategory) => [...category].filter(([, c]) => c === wanted).map(([name]) => stats.get(name)!);
        for (const photo of chroma('photorealistic')) {
          assert.ok(
            !isGrey(photo, evaluator.thresholds) && photo.meanChroma > 3 * evaluator.thresholds.greyChromaTolerance,
            `photo chroma ${photo.meanChroma}`,
          );
        }
        for (const ink of chroma('bw_stylized')) {
          assert.ok(isGrey(ink, evaluator.thresholds), `bw chroma ${ink.meanChroma}`);
        }
        for (const colour of chroma('color_stylized')) {
          assert.ok(!isGrey(colour, evaluator.thresholds), `colour chroma ${colour.meanChroma}`);
        }
        report.push(
          `${actorId}: min dHash ${closestSameCategory} within a category (${closest} across categories, base included); ` +
            `mean chroma photo ${range(chroma('photorealistic').map((s) => s.meanChroma))}, ` +
            `bw ${range(chroma('bw_stylized').map((s) => s.meanChroma))}, colour ${range(chroma('color_stylized').map((s) => s.meanChroma))}; ` +
            `base ${stats.get(images[0].filename)!.meanChroma.toFixed(1)}; ${Math.round(milliseconds / REQUESTS.length)} ms an image`,
        );
      }
    } finally {
      await temp.cleanup();
      console.log(report.map((line) => `      ${line}`).join('\n'));
    }
  });

  it('is reproducible, and spreads the framings of consecutive image numbers', async () => {
    const generator = new LocalGenerator();
    const baseImagePath = path.join(SAMPLE_DATA, 'actors', '0000_european_45_female', 'base_image', '0000_european_45_female_base.png');
    const request = { actorId: 'a', baseImagePath, promptId: 'p', prompt: 'x', category: 'photorealistic' as const, number: 7 };
    assert.deepEqual((await generator.generate(request)).bytes, (await generator.generate(request)).bytes);
    assert.notDeepEqual((await generator.generate({ ...request, number: 8 })).bytes, (await generator.generate(request)).bytes);
    const framings = Array.from({ length: 40 }, (_, number) => framingFor(number, 'ab'.repeat(32)));
    assert.ok(
      framings.every((f) => Math.abs(f.faceX - 0.5) >= 0.07),
      'the face is off-centre',
    );
    assert.ok(new Set(framings.map((f) => f.faceX < 0.5)).size === 2 && new Set(framings.map((f) => f.mirror)).size === 2);
    for (let i = 1; i < framings.length; i += 1) {
      const [a, b] = [framings[i - 1], framings[i]];
      const apart = Math.abs(a.faceX - b.faceX) + Math.abs(a.scale - b.scale) + Math.abs(a.faceY - b.faceY) + (a.mirror !== b.mirror ? 1 : 0);
      assert.ok(apart > 0.1, `framings ${i - 1} and ${i} too alike`);
    }
  });
});
