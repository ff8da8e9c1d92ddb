import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { computeAnalytics, loadAnalyticsInput } from '../../src/core/analytics/analytics';
import { parameterStats, pearson, promptCorrelation, saveMethodStats } from '../../src/core/analytics/patterns';
import type { RatedImage } from '../../src/core/analytics/types';
import { DEFAULT_TARGET } from '../../src/core/actors/targets';
import { generationLogSchema } from '../../src/core/manifest/dataFileSchemas';
import { writeAnalyticsFixture } from './helpers/analyticsFixture';
import { makeTempDir } from './helpers/tempData';

const A = '0000_european_45_female';
const B = '0001_european_35_male';
const FLUX = 'black-forest-labs/flux-kontext-pro';
const WIDE = { aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2 };
const PHOTO = { aspect_ratio: '3:2', output_format: 'jpg', safety_tolerance: 2 };

let minute = 0;
const base = (actor: string | undefined, promptId: string | null, saveMethod: string | undefined, model: string, parameters?: object) => ({
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString(),
  ...(actor ? { actor_id: actor } : {}),
  prompt_id: promptId,
  prompt: promptId ? `text of ${promptId}` : 'old text',
  model,
  ...(saveMethod ? { save_method: saveMethod } : {}),
  ...(parameters ? { parameters } : {}),
});
const success = (actor: string, file: string, promptId: string, saveMethod: string, model: string, parameters: object) => ({
  ...base(actor, promptId, saveMethod, model, parameters),
  result_path: `actors/${actor}/training_data/${file}`,
});
const failure = (reason: string, ...args: Parameters<typeof base>) => ({ ...base(...args), error_message: 'failed', failure_reason: reason });

/*
 * Successes (image: stars): s1 A p1 manual 16:9 seed 1 (A_1: 5), s2 A p1 auto 16:9 (A_2: 4),
 * s3 A p2 auto 16:9 (A_3: 2), s4 B p2 auto local, no safety tolerance (B_1: unrated),
 * s5 B p3 manual 3:2 seed 5 (B_2: 3), s6 B p3 manual 3:2 (B_3: 4).
 * Failures: f2 and f6 A p2 auto 16:9, f3 B p3 manual 3:2 seed 5, f4 B p2 cancelled (counts
 * nowhere), f5 an old entry with no actor, no save method, no parameters.
 */
const LOG = generationLogSchema.parse({
  successes: [
    success(A, `${A}_1.jpg`, 'p1', 'manual', FLUX, { ...WIDE, seed: 1 }),
    success(A, `${A}_2.jpg`, 'p1', 'auto', FLUX, WIDE),
    success(A, `${A}_3.jpg`, 'p2', 'auto', FLUX, WIDE),
    success(B, `${B}_1.jpg`, 'p2', 'auto', 'local/augment', { aspect_ratio: '16:9', output_format: 'jpg' }),
    success(B, `${B}_2.jpg`, 'p3', 'manual', FLUX, { ...PHOTO, seed: 5 }),
    success(B, `${B}_3.jpg`, 'p3', 'manual', FLUX, PHOTO),
  ],
  failures: [
    failure('rate_limit', A, 'p2', 'auto', FLUX, WIDE),
    failure('timeout', A, 'p2', 'auto', FLUX, WIDE),
    failure('content_filter', B, 'p3', 'manual', FLUX, { ...PHOTO, seed: 5 }),
    failure('cancelled', B, 'p2', 'auto', 'local/augment', { aspect_ratio: '16:9', output_format: 'jpg' }),
    failure('model_error', undefined, null, undefined, FLUX),
  ],
});
const rated = (actor: string, file: string, stars: number): RatedImage => ({
  actor_id: actor,
  filename: file,
  stars,
  feedback: null,
  prompt_id: null,
  prompt: null,
  category: 'photorealistic',
  source: 'manifest',
});
const RATED = [rated(A, `${A}_1.jpg`, 5), rated(A, `${A}_2.jpg`, 4), rated(A, `${A}_3.jpg`, 2), rated(B, `${B}_2.jpg`, 3), rated(B, `${B}_3.jpg`, 4)];

const row = (value: string, attempts: number, successes: number, successRate: number | null, ratedCount: number, meanRating: number | null) => ({
  value,
  attempts,
  successes,
  failures: attempts - successes,
  success_rate: successRate,
  rated: ratedCount,
  mean_rating: meanRating,
});

describe('analytics: save methods, parameters and the success-rating correlation', () => {
  it('save method: manual against auto, attempts without cancellations, success rate and mean rating', () => {
    assert.deepEqual(saveMethodStats(LOG, RATED), [
      row('manual', 4, 3, 75, 3, 4), // s1 s5 s6 f3; stars 5 3 4
      row('auto', 5, 3, 60, 2, 3), // s2 s3 s4 f2 f6; s4 unrated; stars 4 2
      row('not recorded', 1, 0, 0, 0, null), // f5
    ]);
    assert.deepEqual(saveMethodStats(LOG, RATED, A), [row('manual', 1, 1, 100, 1, 5), row('auto', 4, 2, 50, 2, 3)]);
    assert.deepEqual(saveMethodStats(generationLogSchema.parse({}), []), [row('manual', 0, 0, null, 0, null), row('auto', 0, 0, null, 0, null)]);
  });

  it('parameters: per aspect ratio, model, safety tolerance and seed given or not, most attempts first', () => {
    assert.deepEqual(parameterStats(LOG, RATED), {
      // 16:9: s1-s4 f2 f6 (stars 5 4 2); 3:2: s5 s6 f3 (3 4)
      aspect_ratio: [row('16:9', 6, 4, 66.67, 3, 3.67), row('3:2', 3, 2, 66.67, 2, 3.5), row('not recorded', 1, 0, 0, 0, null)],
      model: [row(FLUX, 9, 5, 55.56, 5, 3.6), row('local/augment', 1, 1, 100, 0, null)],
      safety_tolerance: [row('2', 8, 5, 62.5, 5, 3.6), row('not recorded', 2, 1, 50, 0, null)],
      // seed given: s1 s5 f3 (5 3); no seed: s2 s3 s4 s6 f2 f6 (4 2 4)
      seed: [row('no seed', 6, 4, 66.67, 3, 3.33), row('seed given', 3, 2, 66.67, 2, 4), row('not recorded', 1, 0, 0, 0, null)],
    });
  });

  it('correlation: success rate against mean rating per prompt with enough data, with n', () => {
    const correlation = promptCorrelation(LOG, RATED);
    // p1: s1 s2 (100 %, 4.5); p2: s3 s4 f2 f6 (50 %, 2); p3: s5 s6 f3 (66.67 %, 3.5); "old text" has one attempt.
    assert.deepEqual(correlation.points, [
      { prompt: 'p2', attempts: 4, success_rate: 50, rated: 1, mean_rating: 2 },
      { prompt: 'p3', attempts: 3, success_rate: 66.67, rated: 2, mean_rating: 3.5 },
      { prompt: 'p1', attempts: 2, success_rate: 100, rated: 2, mean_rating: 4.5 },
    ]);
    assert.deepEqual([correlation.prompts, correlation.n, correlation.min_attempts, correlation.min_rated], [4, 3, 2, 1]);
    // Means 72.22 and 3.33; deviations (-22.22, -1.33), (-5.56, 0.17), (27.78, 1.17):
    // r = 61.11 / sqrt(1296.3 * 3.167) = 0.95.
    assert.equal(correlation.pearson_r, 0.95);
    // One actor: A has p1 (2 attempts) and p2 (3): two points are too few for r.
    const forA = promptCorrelation(LOG, RATED, A);
    assert.deepEqual([forA.n, forA.pearson_r], [2, null]);
  });

  it('pearson: exact on a line, null when a series does not vary', () => {
    assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
    assert.equal(pearson([1, 2, 3], [3, 2, 1]), -1);
    assert.equal(pearson([1, 2, 3], [4, 4, 4]), null);
  });

  it('computeAnalytics and stats read ratings from manifests and the log for these views too', async () => {
    const temp = await makeTempDir();
    try {
      const dataRoot = path.join(temp.dir, 'data');
      await writeAnalyticsFixture(dataRoot);
      const analytics = computeAnalytics(await loadAnalyticsInput(dataRoot), DEFAULT_TARGET);
      // The fixture's attempts are all manual: 4 successes, 3 failures besides the cancelled one;
      // only the deleted A_9 is both logged with its file and rated (3, in the log).
      assert.deepEqual(analytics.save_methods, [row('manual', 7, 4, 57.14, 1, 3), row('auto', 0, 0, null, 0, null)]);
      assert.deepEqual(analytics.parameters.seed, [row('not recorded', 7, 4, 57.14, 1, 3)]);
      // Every attempt used one library prompt: one point, too few for r.
      assert.deepEqual([analytics.correlation.n, analytics.correlation.pearson_r], [1, null]);
    } finally {
      await temp.cleanup();
    }
  });
});
