import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { ExportInputError } from '../../src/core/export/dataset';
import { buildPromptTrainingData, exportPromptData } from '../../src/core/export/promptExport';
import { generationLogSchema } from '../../src/core/manifest/dataFileSchemas';
import { formatJson } from '../../src/core/manifest/jsonFile';
import { type GenerationLog } from '../../src/core/tracking/generationLog';
import { generationArchivePath, generationLogPath } from '../../src/core/workspace/layout';
import { makeTempDir } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EILEEN = '0000_european_45_female';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (minute: number) => new Date(Date.UTC(2026, 1, 1, 10, minute)).toISOString();
const analysis = (length: number, words: number, special: number) => ({ length, word_count: words, special_characters: special });

const success = (id: string, minute: number, prompt: string, file: string, extra: Record<string, unknown> = {}) => ({
  id,
  timestamp: at(minute),
  actor_id: CARL,
  prompt_id: `p_${id}`,
  prompt,
  model: 'black-forest-labs/flux-kontext-pro',
  save_method: 'auto' as const,
  result_path: `actors/${CARL}/training_data/${file}`,
  result_url: null,
  ...extra,
});
const failure = (id: string, minute: number, prompt: string, reason: string, message: string) => ({
  id,
  timestamp: at(minute),
  actor_id: EILEEN,
  prompt_id: null,
  prompt,
  model: 'black-forest-labs/flux-kontext-pro',
  error_message: message,
  failure_reason: reason,
});

/**
 * s1 rated 5 (newest of two ratings; the older said 2), s2 rated 4, s3 rated 3 (not good), s4
 * unrated, s5 with s2's prompt rated 4 (a repeat), s6 imported with its own rating 5. Failures:
 * two content_filter with the same prompt, one rate_limit, one timeout (oldest), one cancelled.
 */
function fixtureLog(): GenerationLog {
  return generationLogSchema.parse({
    successes: [
      success('s1', 1, 'The man runs in the rain.', `${CARL}_1.jpg`),
      success('s2', 2, 'Close-up of the man, window light', `${CARL}_2.jpg`, { category: 'photorealistic', parameters: { aspect_ratio: '16:9' } }),
      success('s3', 3, 'A comic panel of the man', `${CARL}_3.jpg`),
      success('s4', 4, 'Unrated prompt', `${CARL}_4.jpg`),
      success('s5', 5, 'Close-up of the man, window light', `${CARL}_5.jpg`),
      { ...success('s6', 6, 'Old tool prompt!', 'gone.jpg'), actor_id: undefined, result_path: undefined, rating: { stars: 5, feedback: 'lovely' } },
    ],
    failures: [
      failure('f1', 7, 'A man, nude', 'content_filter', 'flagged as sensitive (E005)'),
      failure('f2', 8, 'A man, nude', 'content_filter', 'flagged as sensitive (E005) again'),
      failure('f3', 9, 'Two men walking', 'rate_limit', 'HTTP 429'),
      failure('f4', 0, 'Dark alley scene', 'timeout', 'did not answer in time'),
      failure('f5', 10, 'Cancelled one', 'cancelled', 'Generation cancelled.'),
    ],
    ratings: [
      { timestamp: at(20), actor_id: CARL, filename: `${CARL}_1.jpg`, stars: 2 },
      { timestamp: at(30), actor_id: CARL, filename: `${CARL}_1.jpg`, stars: 5, feedback: 'great <b>light</b>' },
      { timestamp: at(20), actor_id: CARL, filename: `${CARL}_2.jpg`, stars: 4 },
      { timestamp: at(20), actor_id: CARL, filename: `${CARL}_3.jpg`, stars: 3 },
      { timestamp: at(20), actor_id: CARL, filename: `${CARL}_5.jpg`, stars: 4 },
    ],
  });
}

describe('curated prompt export', function () {
  this.timeout(30000);

  it('gives good prompts, failures by reason and the analysis, exactly', () => {
    const data = buildPromptTrainingData(fixtureLog(), { minQualityRating: 4, maxFailedExamples: 3, maxSuccessfulExamples: 10 }, NOW);
    assert.deepEqual(data, {
      exported_at: '2026-03-01T12:00:00.000+00:00',
      settings: { min_quality_rating: 4, max_failed_examples: 3, max_successful_examples: 10, max_bad_examples: 200 },
      good_prompts: [
        {
          prompt: 'Old tool prompt!',
          occurrences: 1,
          rating: 5,
          feedback: 'lovely',
          model: 'black-forest-labs/flux-kontext-pro',
          prompt_id: 'p_s6',
          save_method: 'auto',
          timestamp: at(6),
          prompt_analysis: analysis(16, 3, 1),
          qualified_by: 'rating',
        },
        {
          prompt: 'The man runs in the rain.',
          occurrences: 1,
          rating: 5,
          feedback: 'great <b>light</b>',
          model: 'black-forest-labs/flux-kontext-pro',
          prompt_id: 'p_s1',
          actor_id: CARL,
          save_method: 'auto',
          result_path: `actors/${CARL}/training_data/${CARL}_1.jpg`,
          timestamp: at(1),
          prompt_analysis: analysis(25, 6, 1),
          qualified_by: 'rating',
        },
        {
          // s5 is newer than s2 with the same text and rating: it stands for both.
          prompt: 'Close-up of the man, window light',
          occurrences: 2,
          rating: 4,
          model: 'black-forest-labs/flux-kontext-pro',
          prompt_id: 'p_s5',
          actor_id: CARL,
          save_method: 'auto',
          result_path: `actors/${CARL}/training_data/${CARL}_5.jpg`,
          timestamp: at(5),
          prompt_analysis: analysis(33, 6, 2),
          qualified_by: 'rating',
        },
      ],
      bad_prompts: [
        {
          prompt: 'A comic panel of the man',
          occurrences: 1,
          rating: 3,
          model: 'black-forest-labs/flux-kontext-pro',
          prompt_id: 'p_s3',
          actor_id: CARL,
          save_method: 'auto',
          result_path: `actors/${CARL}/training_data/${CARL}_3.jpg`,
          timestamp: at(3),
          prompt_analysis: analysis(24, 6, 0),
        },
      ],
      failed_prompts_by_category: {
        // The newest three failures (cancelled ones are never examples): f3, f2, f1; f4 is older.
        content_filter: [
          {
            prompt: 'A man, nude',
            occurrences: 2,
            error_message: 'flagged as sensitive (E005) again',
            model: 'black-forest-labs/flux-kontext-pro',
            prompt_id: null,
            actor_id: EILEEN,
            timestamp: at(8),
            prompt_analysis: analysis(11, 3, 1),
          },
        ],
        rate_limit: [
          {
            prompt: 'Two men walking',
            occurrences: 1,
            error_message: 'HTTP 429',
            model: 'black-forest-labs/flux-kontext-pro',
            prompt_id: null,
            actor_id: EILEEN,
            timestamp: at(9),
            prompt_analysis: analysis(15, 3, 0),
          },
        ],
      },
      analysis: {
        attempts: 10,
        successes: 6,
        failures: 4,
        cancelled: 1,
        success_rate: 0.6,
        rated_successes: 5,
        good_successes: 4,
        manual_unrated_successes: 0,
        bad_successes: 1,
        failure_reasons: {
          content_filter: { count: 2, share_of_failures: 0.5, rate_of_attempts: 0.2 },
          rate_limit: { count: 1, share_of_failures: 0.25, rate_of_attempts: 0.1 },
          timeout: { count: 1, share_of_failures: 0.25, rate_of_attempts: 0.1 },
        },
        prompt_stats: {
          // good: s6 (16 chars, 3 words), s1 (25, 6), s2 and s5 (33, 6 each)
          good: { count: 4, mean_length: 26.8, median_length: 29, mean_word_count: 5.3, median_word_count: 6, mean_special_characters: 1.5 },
          bad: { count: 1, mean_length: 24, median_length: 24, mean_word_count: 6, median_word_count: 6, mean_special_characters: 0 },
          // failed: 11, 11, 15, 16 characters
          failed: { count: 4, mean_length: 13.3, median_length: 13, mean_word_count: 3, median_word_count: 3, mean_special_characters: 0.5 },
        },
      },
    });
  });

  it('takes every success with minimum 0 and caps good prompts', () => {
    const data = buildPromptTrainingData(fixtureLog(), { minQualityRating: 0, maxSuccessfulExamples: 2 }, NOW);
    assert.deepEqual(
      data.good_prompts.map((good) => [good.prompt, good.rating]),
      [
        ['Old tool prompt!', 5],
        ['The man runs in the rain.', 5],
      ],
    );
    assert.equal(data.analysis.good_successes, 6);
    assert.deepEqual(data.settings, { min_quality_rating: 0, max_failed_examples: 200, max_successful_examples: 2, max_bad_examples: 200 });
    assert.ok(data.good_prompts.every((good) => good.qualified_by === 'any'));
    const lowest = buildPromptTrainingData(fixtureLog(), { minQualityRating: 0 }, NOW).good_prompts.at(-1);
    assert.deepEqual([lowest?.prompt, lowest?.rating], ['Unrated prompt', null]);
  });

  it('bad examples are the successes rated 1-3; an unrated image saved by hand is a good one', () => {
    const log = fixtureLog();
    log.successes.push(
      success('s7', 11, 'Kept by hand', `${CARL}_7.jpg`, { save_method: 'manual' }),
      success('s8', 12, 'Kept by hand, then rated poorly', `${CARL}_8.jpg`, { save_method: 'manual' }),
      success('s9', 13, 'Saved by the user', `${CARL}_9.jpg`, { save_method: 'user_save' }),
      success('s10', 14, 'Saved automatically, never rated', `${CARL}_10.jpg`),
    );
    log.ratings.push({ timestamp: at(40), actor_id: CARL, filename: `${CARL}_8.jpg`, stars: 1, feedback: 'wrong face' });
    const data = buildPromptTrainingData(log, {}, NOW);
    // Rated ones first (best first), then the unrated hand-saved ones, newest first; s8's rating decides for it.
    assert.deepEqual(
      data.good_prompts.map((good) => [good.prompt, good.rating, good.qualified_by]),
      [
        ['Old tool prompt!', 5, 'rating'],
        ['The man runs in the rain.', 5, 'rating'],
        ['Close-up of the man, window light', 4, 'rating'],
        ['Saved by the user', null, 'manual_save'],
        ['Kept by hand', null, 'manual_save'],
      ],
    );
    // Worst first.
    assert.deepEqual(
      data.bad_prompts.map((bad) => [bad.prompt, bad.rating, bad.feedback]),
      [
        ['Kept by hand, then rated poorly', 1, 'wrong face'],
        ['A comic panel of the man', 3, undefined],
      ],
    );
    assert.deepEqual([data.analysis.good_successes, data.analysis.manual_unrated_successes, data.analysis.bad_successes], [6, 2, 2]);
    assert.equal(buildPromptTrainingData(log, { maxBadExamples: 1 }, NOW).bad_prompts.length, 1);
    // A minimum of 5: a 4-star image is neither good nor bad; a hand-saved unrated one still counts.
    const strict = buildPromptTrainingData(log, { minQualityRating: 5 }, NOW);
    assert.deepEqual(
      strict.good_prompts.map((good) => good.prompt),
      ['Old tool prompt!', 'The man runs in the rain.', 'Saved by the user', 'Kept by hand'],
    );
    assert.equal(strict.bad_prompts.length, 2);
  });

  it('refuses limits out of range', () => {
    assert.throws(() => buildPromptTrainingData(fixtureLog(), { minQualityRating: 6 }, NOW), /minimum rating must be a whole number from 0 to 5, not 6/);
    assert.throws(() => buildPromptTrainingData(fixtureLog(), { maxFailedExamples: -1 }, NOW), ExportInputError);
    assert.throws(() => buildPromptTrainingData(fixtureLog(), { maxBadExamples: 1.5 }, NOW), /maximum of bad examples must be a whole number/);
  });

  describe('files', () => {
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    let dataRoot: string;
    beforeEach(async () => {
      temp = await makeTempDir();
      dataRoot = path.join(temp.dir, 'data');
      const log = fixtureLog();
      // Two successes live in an archive: the export reads archives too.
      const archive = generationLogSchema.parse({ successes: log.successes.slice(0, 2) });
      log.successes.splice(0, 2);
      await fs.mkdir(path.join(dataRoot, 'tracking'), { recursive: true });
      await fs.writeFile(generationArchivePath(dataRoot, 1), formatJson(archive));
      await fs.writeFile(generationLogPath(dataRoot), formatJson(log));
    });
    afterEach(() => temp.cleanup());

    async function cli(args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: temp.dir, isTTY: false });
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    it('writes the same data to the default file inside the data folder, and reads archives', async () => {
      const { file, data } = await exportPromptData({ dataRoot, now: NOW, maxFailedExamples: 3, maxSuccessfulExamples: 10 });
      assert.equal(file, path.join(dataRoot, 'exports', 'prompt_training_data_2026-03-01.json'));
      assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), data);
      assert.deepEqual(data, buildPromptTrainingData(fixtureLog(), { maxFailedExamples: 3, maxSuccessfulExamples: 10 }, NOW));
      await assert.rejects(exportPromptData({ dataRoot, now: NOW }), /prompt_training_data_2026-03-01\.json already exists; pass --force/);
      const again = await exportPromptData({ dataRoot, now: NOW, force: true, minQualityRating: 5 });
      assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')).good_prompts.length, again.data.good_prompts.length);
      assert.equal(again.data.good_prompts.length, 2);
    });

    it('CLI: default file, --json summary, refuses an existing file without --force, --out anywhere named', async () => {
      const first = await cli(['export-prompts', '--min-rating', '5', '--max-failed', '1']);
      assert.equal(first.code, 0, first.err);
      const [written] = await fs.readdir(path.join(dataRoot, 'exports'));
      assert.match(written, /^prompt_training_data_\d{4}-\d{2}-\d{2}\.json$/);
      assert.match(first.out, /10 attempt\(s\) in the log: 6 succeeded \(5 rated\), 4 failed \(content_filter 2, rate_limit 1, timeout 1\)/);
      assert.match(
        first.out,
        /2 good prompt\(s\) \(rated 5\+ or saved by hand unrated, at most 200\), 1 bad prompt\(s\) \(rated 1-3\) and 1 failed prompt\(s\) \(newest 1 failures\) written to data\/exports\/prompt_training_data_/,
      );
      const onDisk = JSON.parse(await fs.readFile(path.join(dataRoot, 'exports', written), 'utf8'));
      assert.deepEqual(Object.keys(onDisk.failed_prompts_by_category), ['rate_limit']);

      const refused = await cli(['export-prompts']);
      assert.equal(refused.code, 2);
      assert.match(refused.err, /already exists; pass --force to replace it/);

      const outside = path.join(temp.dir, 'elsewhere', 'prompts.json');
      const json = await cli(['export-prompts', '--out', 'elsewhere/prompts.json', '--json']);
      assert.equal(json.code, 0, json.err);
      const summary = JSON.parse(json.out);
      assert.equal(summary.file, outside);
      assert.deepEqual([summary.good_prompts, summary.bad_prompts, summary.failed_prompts, summary.analysis.attempts], [3, 1, 3, 10]);
      assert.equal(JSON.parse(await fs.readFile(outside, 'utf8')).settings.min_quality_rating, 4);
    });

    it('CLI: bad numbers and a corrupt log exit 2 naming the problem, writing nothing', async () => {
      const bad = await cli(['export-prompts', '--min-rating', 'four']);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--min-rating must be a whole number, not "four"/);
      const range = await cli(['export-prompts', '--min-rating', '7']);
      assert.equal(range.code, 2);
      assert.match(range.err, /from 0 to 5, not 7/);

      await fs.writeFile(generationLogPath(dataRoot), '{ "successes": [ { "prompt": 3 } ] }');
      const corrupt = await cli(['export-prompts']);
      assert.equal(corrupt.code, 2);
      assert.match(corrupt.err, /generation_log\.json is not a valid generation log/);
      await assert.rejects(fs.readdir(path.join(dataRoot, 'exports')), { code: 'ENOENT' });
      assert.equal(await fs.readFile(generationLogPath(dataRoot), 'utf8'), '{ "successes": [ { "prompt": 3 } ] }');

      const missing = await cli(['export-prompts', '--data', 'nowhere']);
      assert.equal(missing.code, 2);
      assert.match(missing.err, /data folder not found: .*nowhere \(pass --data DIR/);
      await assert.rejects(fs.access(path.join(temp.dir, 'nowhere')), { code: 'ENOENT' }, 'no data folder is made');
    });
  });
});
