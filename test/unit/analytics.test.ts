import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { computeAnalytics, loadAnalyticsInput, type AnalyticsInput } from '../../src/core/analytics/analytics';
import { ratedImages } from '../../src/core/analytics/quality';
import { DEFAULT_TARGET } from '../../src/core/actors/targets';
import { countPromptUsage } from '../../src/core/prompts/usage';
import { GenerationLogFileError } from '../../src/core/tracking/generationLog';
import { generationLogPath } from '../../src/core/workspace/layout';
import { ACTOR_A, ACTOR_B, FIXTURE_PROMPTS, FLUX, LOCAL, TEXTS, writeAnalyticsFixture } from './helpers/analyticsFixture';
import { makeTempDir, writeActor } from './helpers/tempData';

const { photo1, photo2, bw1, colour1 } = FIXTURE_PROMPTS;

describe('analytics', function () {
  this.timeout(30000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataRoot: string;
  let input: AnalyticsInput;

  beforeEach(async () => {
    temp = await makeTempDir();
    dataRoot = path.join(temp.dir, 'data');
    await writeAnalyticsFixture(dataRoot);
    const loaded = await loadAnalyticsInput(dataRoot);
    // A four-prompt library, so unused prompts and suggestions are short enough to spell out.
    const prompts = [photo1, photo2, bw1, colour1];
    input = { ...loaded, prompts, usage: await countPromptUsage(loaded.index, prompts) };
  });
  afterEach(() => temp.cleanup());

  describe('usage', () => {
    it('counts each prompt across actors and per actor, lists unused prompts and least-used picks', () => {
      const { usage } = computeAnalytics(input, DEFAULT_TARGET);
      assert.deepEqual(
        usage.prompts.map((row) => [row.id, row.used, row.total, row.by_actor]),
        [
          [photo1.id, 3, 3, { [ACTOR_A]: 2, [ACTOR_B]: 1 }],
          [photo2.id, 1, 1, { [ACTOR_B]: 1 }],
          [bw1.id, 1, 1, { [ACTOR_A]: 1 }],
          [colour1.id, 0, 0, {}],
        ],
      );
      assert.deepEqual(usage.unused, [colour1.id]);
      assert.deepEqual(usage.least_used, { photorealistic: [photo2.id, photo1.id], bw_stylized: [bw1.id], color_stylized: [colour1.id] });
      assert.deepEqual(usage.unlisted, {});
    });

    it('for one actor: used is that actor’s, total stays everyone’s, suggestions favour what the actor has not used', () => {
      const { usage } = computeAnalytics(input, DEFAULT_TARGET, ACTOR_A);
      assert.deepEqual(
        usage.prompts.map((row) => [row.id, row.used, row.total]),
        [
          [photo1.id, 2, 3],
          [photo2.id, 0, 1],
          [bw1.id, 1, 1],
          [colour1.id, 0, 0],
        ],
      );
      assert.deepEqual(usage.unused, [photo2.id, colour1.id]);
      assert.deepEqual(usage.least_used.photorealistic, [photo2.id, photo1.id]);
    });

    it('the loader uses the whole library, built-ins and data/prompts.json, and reports prompt ids it does not know', async () => {
      const disabled = [colour1.id, photo2.id].map((id) => ({ id, disabled: true }));
      await fs.writeFile(path.join(dataRoot, 'prompts.json'), JSON.stringify({ prompts: disabled }));
      const loaded = await loadAnalyticsInput(dataRoot);
      const { usage } = computeAnalytics(loaded, DEFAULT_TARGET);
      assert.equal(usage.prompts.find((row) => row.id === photo1.id)?.total, 3);
      assert.ok(!usage.prompts.some((row) => row.id === colour1.id));
      assert.equal(usage.unused.length, loaded.prompts.length - 2);
      assert.deepEqual(usage.unlisted, { [photo2.id]: 1 });
    });
  });

  describe('quality', () => {
    it('the rating distribution and mean: manifest ratings, plus the newest log rating of deleted images', () => {
      const { quality } = computeAnalytics(input, DEFAULT_TARGET);
      assert.equal(quality.rated, 5);
      assert.deepEqual(quality.distribution, { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 });
      assert.equal(quality.mean_stars, 3);
      const deleted = (group: typeof quality.low) => group.prompts.some((image) => image.filename === `${ACTOR_A}_9.jpg`);
      assert.ok(deleted(quality.low) && !deleted(quality.high), 'the deleted image is rated 3: low (1-3)');
    });

    it('high (4-5) versus low (1-3) rated prompts: mean length, words, special characters and category mix', () => {
      const { quality } = computeAnalytics(input, DEFAULT_TARGET);
      assert.deepEqual(
        quality.high.prompts.map((image) => [image.filename, image.stars, image.prompt, image.feedback]),
        [
          [`${ACTOR_A}_1.jpg`, 5, TEXTS.a1, '<script>alert(1)</script> great'],
          [`${ACTOR_A}_2.jpg`, 4, TEXTS.a2, null],
        ],
      );
      assert.deepEqual([quality.high.images, quality.high.mean_length, quality.high.mean_word_count, quality.high.mean_special_characters], [2, 7.5, 4, 0.5]);
      // Low: A_3 (1 star; 4 characters, 2 words, 1 special), B_1 (2; 15, 2, 3) and the deleted A_9 (3; 18, 2, 5).
      assert.deepEqual(
        quality.low.prompts.map((image) => [image.filename, image.stars]),
        [
          [`${ACTOR_A}_3.jpg`, 1],
          [`${ACTOR_B}_1.jpg`, 2],
          [`${ACTOR_A}_9.jpg`, 3],
        ],
      );
      assert.deepEqual([quality.low.images, quality.low.mean_length, quality.low.mean_word_count, quality.low.mean_special_characters], [3, 12.33, 2, 3]);
      assert.deepEqual(quality.high.categories, { photorealistic: 2, bw_stylized: 0, color_stylized: 0, unknown: 0 });
      assert.deepEqual(quality.low.categories, { photorealistic: 1, bw_stylized: 1, color_stylized: 1, unknown: 0 });
      assert.deepEqual(quality.difference, { length: -4.83, word_count: 2, special_characters: -2.5 });
    });

    it('a deleted image keeps the prompt and category its success entry recorded', () => {
      const deleted = ratedImages(input.index, input.log, ACTOR_A).find((image) => image.filename === `${ACTOR_A}_9.jpg`);
      assert.deepEqual(deleted, {
        actor_id: ACTOR_A,
        filename: `${ACTOR_A}_9.jpg`,
        stars: 3,
        feedback: 'fine',
        prompt_id: photo1.id,
        prompt: TEXTS.gone,
        category: 'color_stylized',
        source: 'log',
      });
      const { quality } = computeAnalytics(input, DEFAULT_TARGET, ACTOR_A);
      assert.equal(quality.rated, 4);
      assert.deepEqual(quality.distribution, { 1: 1, 2: 0, 3: 1, 4: 1, 5: 1 });
      assert.equal(quality.mean_stars, 3.25);
      // Low: A_3 (4 characters, 1 special) and A_9 (18, 5); high: A_1 and A_2 (7.5, 0.5 on average).
      assert.equal(quality.low.images, 2);
      assert.deepEqual(quality.difference, { length: -3.5, word_count: 2, special_characters: -2.5 });
    });
  });

  describe('failures', () => {
    it('counts per reason, failure rate per model (cancellations apart) and attempts per day with gaps filled', () => {
      const { failures } = computeAnalytics(input, DEFAULT_TARGET);
      assert.deepEqual([failures.attempts, failures.successes, failures.failures], [8, 4, 4]);
      assert.deepEqual(
        Object.entries(failures.by_reason).filter(([, count]) => count > 0),
        [
          ['content_filter', 2],
          ['rate_limit', 1],
          ['cancelled', 1],
        ],
      );
      assert.equal(failures.by_reason.timeout, 0);
      assert.deepEqual(failures.by_model, [
        { model: FLUX, successes: 3, failures: 3, cancelled: 0, failure_rate: 50 },
        { model: LOCAL, successes: 1, failures: 0, cancelled: 1, failure_rate: 0 },
      ]);
      assert.deepEqual(failures.by_day, [
        { day: '2026-12-01', successes: 2, failures: 2 },
        { day: '2026-12-02', successes: 0, failures: 0 },
        { day: '2026-12-03', successes: 2, failures: 2 },
      ]);
    });

    it('for one actor: only its attempts', () => {
      const { failures } = computeAnalytics(input, DEFAULT_TARGET, ACTOR_A);
      assert.deepEqual([failures.attempts, failures.successes, failures.failures], [5, 3, 2]);
      assert.deepEqual(failures.by_model[0], { model: FLUX, successes: 2, failures: 1, cancelled: 0, failure_rate: 33.33 });
      assert.deepEqual(failures.by_day.at(-1), { day: '2026-12-03', successes: 1, failures: 0 });
    });
  });

  describe('balance', () => {
    it('per-actor counts against 13/4/3 (20 at 65/20/15), most work first', () => {
      const { balance } = computeAnalytics(input, DEFAULT_TARGET);
      assert.deepEqual(balance.target.per_category, { photorealistic: 13, bw_stylized: 4, color_stylized: 3 });
      assert.deepEqual(
        balance.actors.map((actor) => [actor.actor_id, actor.counts, actor.missing, actor.work]),
        [
          [ACTOR_B, { photorealistic: 1, bw_stylized: 0, color_stylized: 1, unknown: 1 }, { photorealistic: 12, bw_stylized: 4, color_stylized: 2 }, 19],
          [ACTOR_A, { photorealistic: 2, bw_stylized: 1, color_stylized: 0, unknown: 1 }, { photorealistic: 11, bw_stylized: 3, color_stylized: 3 }, 18],
        ],
      );
      assert.deepEqual(balance.need_work, [ACTOR_B, ACTOR_A]);
    });

    it('targets from settings: images over a category’s target count as work too', () => {
      const { balance } = computeAnalytics(input, { total: 3, shares: { photorealistic: 1, bw_stylized: 1, color_stylized: 1 } });
      assert.deepEqual(
        balance.actors.map((actor) => [actor.actor_id, actor.missing, actor.over, actor.work]),
        [
          [ACTOR_A, { photorealistic: 0, bw_stylized: 0, color_stylized: 1 }, { photorealistic: 1, bw_stylized: 0, color_stylized: 0 }, 3],
          [ACTOR_B, { photorealistic: 0, bw_stylized: 1, color_stylized: 0 }, { photorealistic: 0, bw_stylized: 0, color_stylized: 0 }, 2],
        ],
      );
    });
  });

  describe('spend', () => {
    it('generations priced per model and evaluations from the plans’ recorded vision usage, with totals', () => {
      const { spend } = computeAnalytics(input, DEFAULT_TARGET);
      assert.deepEqual(spend.generations, [
        { model: FLUX, images: 3, per_image: 0.04, estimated_cost: 0.12 },
        { model: LOCAL, images: 1, per_image: 0, estimated_cost: 0 },
      ]);
      assert.deepEqual(spend.evaluations, [
        { model: 'gpt-4o', requests: 2, prompt_tokens: 10000, completion_tokens: 2000, estimated_cost: 0.045, unpriced_plans: 0 },
        { model: 'mystery-vision', requests: 1, prompt_tokens: 100, completion_tokens: 10, estimated_cost: null, unpriced_plans: 1 },
      ]);
      assert.deepEqual(spend.totals, {
        images: 4,
        generation_cost: 0.12,
        evaluation_requests: 3,
        evaluation_tokens: 12110,
        evaluation_cost: 0.045,
        estimated_cost: 0.165,
        unpriced_models: ['mystery-vision'],
      });
      assert.match(spend.note, /Estimate/);
    });

    it('for one actor: its generations and its plan only', () => {
      const { spend } = computeAnalytics(input, DEFAULT_TARGET, ACTOR_B);
      assert.deepEqual(spend.generations, [{ model: FLUX, images: 1, per_image: 0.04, estimated_cost: 0.04 }]);
      assert.deepEqual(spend.totals.estimated_cost, 0.04);
      assert.deepEqual(spend.totals.unpriced_models, ['mystery-vision']);
    });
  });

  describe('missing and broken files', () => {
    it('no log and no plans: empty numbers, not an error', async () => {
      const empty = path.join(temp.dir, 'empty');
      await writeActor(empty, ACTOR_A, { images: [`${ACTOR_A}_1.jpg`], manifest: { images: [{ filename: `${ACTOR_A}_1.jpg`, category: 'photorealistic' }] } });
      const analytics = computeAnalytics(await loadAnalyticsInput(empty), DEFAULT_TARGET);
      assert.deepEqual([analytics.failures.attempts, analytics.failures.by_day, analytics.failures.by_model], [0, [], []]);
      assert.deepEqual([analytics.quality.rated, analytics.quality.mean_stars, analytics.quality.difference.length], [0, null, null]);
      assert.deepEqual([analytics.spend.totals.images, analytics.spend.totals.estimated_cost, analytics.spend.evaluations], [0, 0, []]);
      assert.equal(analytics.balance.actors[0].work, 19);
    });

    it('a corrupt log: GenerationLogFileError naming the file, and the file left as it is', async () => {
      const file = generationLogPath(dataRoot);
      await fs.writeFile(file, '{ "successes": [ nope');
      await assert.rejects(loadAnalyticsInput(dataRoot), (error: Error) => {
        assert.ok(error instanceof GenerationLogFileError);
        assert.ok(error.message.includes(file), error.message);
        return true;
      });
      assert.equal(await fs.readFile(file, 'utf8'), '{ "successes": [ nope');
    });

    it('an invalid plan is reported as a problem; the other plan still counts', async () => {
      await fs.writeFile(path.join(dataRoot, 'action_plans', `${ACTOR_B}_action_plan.json`), '{"actor_id": 5}');
      const loaded = await loadAnalyticsInput(dataRoot);
      assert.equal(loaded.problems.length, 1);
      assert.match(loaded.problems[0].file, /0001_european_35_male_action_plan\.json$/);
      assert.deepEqual(
        computeAnalytics(loaded, DEFAULT_TARGET).spend.evaluations.map((row) => row.model),
        ['gpt-4o'],
      );
    });
  });
});
