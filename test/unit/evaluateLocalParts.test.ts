import * as assert from 'node:assert/strict';
import { findDuplicates, imageNumber, type DuplicateCandidate } from '../../src/core/evaluate/duplicates';
import { hammingDistance, type ImageStats } from '../../src/core/evaluate/imageStats';
import { assessImage, guessCategory, LocalChecksEvaluator, pixelStyle } from '../../src/core/evaluate/localChecks';
import { DEFAULT_LOCAL_CHECK_THRESHOLDS, resolveLocalCheckThresholds } from '../../src/core/evaluate/thresholds';

function candidate(filename: string, overrides: Partial<DuplicateCandidate> = {}): DuplicateCandidate {
  return {
    filename,
    pixelHash: `pixels-${filename}`,
    dHash: '0000000000000000',
    width: 768,
    height: 432,
    quality: 10,
    category: 'photorealistic',
    ...overrides,
  };
}

/** Statistics of an ordinary, well exposed colour photo; tests change one value at a time. */
function photoStats(overrides: Partial<ImageStats> = {}): ImageStats {
  return {
    width: 768,
    height: 432,
    meanLuminance: 130,
    meanChroma: 40,
    p99Chroma: 150,
    maxChroma: 190,
    meanSaturation: 0.35,
    topColourShare: 0.45,
    laplacianVariance: 800,
    rawLaplacianVariance: 700,
    entropy: 7.4,
    pixelHash: 'x',
    dHash: '0123456789abcdef',
    ...overrides,
  };
}

describe('local check thresholds', () => {
  it('defaults when nothing is set', () => {
    assert.deepEqual(resolveLocalCheckThresholds(undefined), { ...DEFAULT_LOCAL_CHECK_THRESHOLDS });
    assert.deepEqual(resolveLocalCheckThresholds({}), { ...DEFAULT_LOCAL_CHECK_THRESHOLDS });
  });

  it('takes valid user values over the defaults and ignores invalid ones', () => {
    const merged = resolveLocalCheckThresholds({
      blurLaplacianVariance: 250,
      minShortSide: 512,
      darkMeanLuminance: Number.NaN,
      lightMeanLuminance: -3,
      nearDuplicateHamming: '9',
    });
    assert.equal(merged.blurLaplacianVariance, 250);
    assert.equal(merged.minShortSide, 512);
    assert.equal(merged.darkMeanLuminance, DEFAULT_LOCAL_CHECK_THRESHOLDS.darkMeanLuminance);
    assert.equal(merged.lightMeanLuminance, DEFAULT_LOCAL_CHECK_THRESHOLDS.lightMeanLuminance);
    assert.equal(merged.nearDuplicateHamming, DEFAULT_LOCAL_CHECK_THRESHOLDS.nearDuplicateHamming);
  });

  it('falls back to the default range when min and max cross', () => {
    const merged = resolveLocalCheckThresholds({ aspectRatioMin: 3, aspectRatioMax: 1 });
    assert.equal(merged.aspectRatioMin, DEFAULT_LOCAL_CHECK_THRESHOLDS.aspectRatioMin);
    assert.equal(merged.aspectRatioMax, DEFAULT_LOCAL_CHECK_THRESHOLDS.aspectRatioMax);
  });

  it('the evaluator uses merged thresholds', () => {
    assert.equal(new LocalChecksEvaluator({ thresholds: { minShortSide: 100 } }).thresholds.minShortSide, 100);
  });
});

describe('per-image assessment', () => {
  const thresholds = resolveLocalCheckThresholds();

  it('a clean photo has no issue and full quality', () => {
    // Pixels alone say colour, not which colour category (its prompt, the vision model or the user do).
    assert.deepEqual(assessImage(photoStats(), thresholds), { category: 'unknown', tone: 'colour', quality: 10, issues: [], reasons: [] });
  });

  it('each threshold turns its issue on, with a reason', () => {
    const cases: [Partial<ImageStats>, string][] = [
      [{ laplacianVariance: thresholds.blurLaplacianVariance - 1 }, 'blurry'],
      [{ meanLuminance: thresholds.darkMeanLuminance - 1 }, 'too_dark'],
      [{ meanLuminance: thresholds.lightMeanLuminance + 1 }, 'too_light'],
      [{ entropy: thresholds.minEntropy - 0.1 }, 'low_information'],
      [{ width: 1000, height: 300 }, 'odd_aspect_ratio'],
      [{ width: 300, height: 200 }, 'low_resolution'],
    ];
    for (const [overrides, issue] of cases) {
      const assessment = assessImage(photoStats(overrides), thresholds);
      assert.ok(assessment.issues.includes(issue as never), `${issue}: ${assessment.issues.join(',')}`);
      assert.equal(assessment.reasons.length, assessment.issues.length);
      assert.ok(assessment.quality < 10, issue);
    }
  });

  it('grey pixels are bw_stylized; any colour image is unknown from its pixels alone', () => {
    assert.equal(guessCategory(photoStats({ meanChroma: 0.5, p99Chroma: 2 }), thresholds).category, 'bw_stylized');
    assert.equal(guessCategory(photoStats({ meanChroma: 0.5, p99Chroma: 2 }), thresholds).tone, 'grey');
    assert.equal(guessCategory(photoStats({ entropy: 5.5, maxChroma: 255 }), thresholds).category, 'unknown');
    assert.equal(guessCategory(photoStats(), thresholds).category, 'unknown');
    // tinted grey (a split-tone photo) is colour, not black-and-white
    assert.equal(guessCategory(photoStats({ meanChroma: 29, p99Chroma: 40 }), thresholds).tone, 'colour');
  });

  it('the pixel style (for grouping near duplicates only) still tells posterised colour from photo-like', () => {
    assert.equal(pixelStyle(photoStats({ meanChroma: 0.5, p99Chroma: 2 }), thresholds), 'bw_stylized');
    assert.equal(pixelStyle(photoStats({ entropy: 5.5, maxChroma: 255 }), thresholds), 'color_stylized');
    assert.equal(pixelStyle(photoStats({ entropy: 6.6 }), thresholds), 'unknown');
    assert.equal(pixelStyle(photoStats({ entropy: 5.5, maxChroma: 120 }), thresholds), 'unknown');
    assert.equal(pixelStyle(photoStats({ meanChroma: 29, p99Chroma: 40 }), thresholds), 'photorealistic');
  });
});

describe('duplicate grouping', () => {
  it('counts differing bits of 64-bit hashes', () => {
    assert.equal(hammingDistance('0000000000000000', '0000000000000000'), 0);
    assert.equal(hammingDistance('0000000000000000', 'ffffffffffffffff'), 64);
    assert.equal(hammingDistance('8000000000000001', '0000000000000000'), 2);
  });

  it('reads image numbers from file names', () => {
    assert.equal(imageNumber('0000_european_45_female_12.jpg'), 12);
    assert.equal(imageNumber('notes.png'), Number.POSITIVE_INFINITY);
  });

  it('keeps the higher quality, then the larger, then the lower number', () => {
    const byQuality = findDuplicates([candidate('a_1.jpg', { quality: 6 }), candidate('a_2.jpg', { quality: 9 })], 6);
    assert.deepEqual(byQuality, [{ filename: 'a_1.jpg', kind: 'near_duplicate', duplicateOf: 'a_2.jpg', distance: 0 }]);
    const bySize = findDuplicates([candidate('a_1.jpg', { width: 600, height: 338 }), candidate('a_2.jpg')], 6);
    assert.equal(bySize[0].duplicateOf, 'a_2.jpg');
    const byNumber = findDuplicates([candidate('a_10.jpg'), candidate('a_9.jpg')], 6);
    assert.deepEqual(
      byNumber.map((finding) => [finding.filename, finding.duplicateOf]),
      [['a_10.jpg', 'a_9.jpg']],
    );
  });

  it('same pixels are exact duplicates whatever the hash or category; near ones need the threshold and one category', () => {
    const findings = findDuplicates(
      [
        candidate('a_1.jpg', { pixelHash: 'same' }),
        candidate('a_2.png', { pixelHash: 'same', dHash: 'ffffffffffffffff', category: 'unknown' }),
        candidate('a_3.jpg', { dHash: '000000000000003f' }), // 6 bits off: near
        candidate('a_4.jpg', { dHash: '000000000000007f' }), // 7 bits off a_1, 1 off a_3: joins through a_3
        candidate('a_5.jpg', { dHash: '0000000000000001', category: 'color_stylized' }), // close hash, other category
        candidate('a_6.jpg', { dHash: 'ff00ff00ff00ff00' }), // far
      ],
      6,
    );
    assert.deepEqual(
      findings.map((finding) => [finding.filename, finding.kind, finding.duplicateOf]),
      [
        ['a_2.png', 'exact_duplicate', 'a_1.jpg'],
        ['a_3.jpg', 'near_duplicate', 'a_1.jpg'],
        ['a_4.jpg', 'near_duplicate', 'a_1.jpg'],
      ],
    );
    assert.equal(findings[2].distance, 7);
  });
});

describe('local evaluator robustness', () => {
  it('reports an undecodable file and goes on with the others', async () => {
    const evaluator = new LocalChecksEvaluator({
      statsOf: async (file) => {
        if (file.endsWith('bad.jpg')) {
          throw new Error('corrupt header');
        }
        return photoStats({ pixelHash: file });
      },
    });
    const evaluations = await evaluator.evaluate({
      actorId: 'x',
      images: [
        { filename: 'bad.jpg', path: '/d/bad.jpg', sha256: 'a' },
        { filename: 'good.jpg', path: '/d/good.jpg', sha256: 'b' },
      ],
    });
    assert.deepEqual(
      evaluations.map((evaluation) => [evaluation.filename, evaluation.issues, evaluation.quality]),
      [
        ['bad.jpg', ['other'], 0],
        ['good.jpg', [], 10],
      ],
    );
    assert.match(evaluations[0].reasons[0], /corrupt header/);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const evaluator = new LocalChecksEvaluator({ statsOf: async () => photoStats() });
    await assert.rejects(evaluator.evaluate({ actorId: 'x', images: [{ filename: 'a.jpg', path: '/a.jpg', sha256: 'a' }], signal: controller.signal }));
  });
});
