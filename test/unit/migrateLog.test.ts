import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { migrateCommand } from '../../src/cli/commands/migrateCommand';
import { runCli } from '../../src/cli/main';
import { buildPromptTrainingData } from '../../src/core/export/promptExport';
import { generationLogSchema } from '../../src/core/manifest/dataFileSchemas';
import { formatJson, validateJsonText } from '../../src/core/manifest/jsonFile';
import { migrateActors } from '../../src/core/migrate';
import { importEntries, listGenerationArchives, readGenerationLog, recordSuccess, type GenerationSuccess } from '../../src/core/tracking/generationLog';
import { generationArchivePath, generationLogPath } from '../../src/core/workspace/layout';
import { copySampleData, makeTempDir, snapshot } from './helpers/tempData';

const EILEEN = '0000_european_45_female';
const CARL = '0001_european_35_male';
const LEGACY = '0002_mixed_30_nonbinary';
const ALL = [EILEEN, CARL, LEGACY];
const BUCKET = 'https://old-bucket.s3.amazonaws.com/system_actors/training_data';

/** Seed 001's enhanced tracker, as the old tool's Python wrote it (zone-less isoformat times, enum names). */
const TRACKER = {
  successful_prompts: [
    {
      prompt: 'The man runs across a rain-slick street',
      ai_model: 'flux-kontext-pro',
      result_url: `${BUCKET}/${CARL}/${CARL}_1.jpg`,
      save_method: 'user_save',
      model_parameters: { aspect_ratio: '16:9', seed: 7 },
      timestamp: '2025-01-16T11:34:22.123456',
      quality_rating: 5,
      user_feedback: 'perfect <script>alert(1)</script>',
      prompt_hash: 'h-rain',
    },
    {
      prompt: 'Window light portrait',
      ai_model: 'seededit',
      result_url: 'https://elsewhere.example/out/abc.png',
      save_method: 'auto',
      timestamp: '2025-01-16T12:00:00Z',
      prompt_hash: 'h-window',
    },
    { ai_model: 'seededit', timestamp: '2025-01-16T12:01:00Z' },
  ],
  failed_prompts: [
    {
      prompt: 'A nude man',
      ai_model: 'flux-kontext-pro',
      error_message: 'NSFW content detected',
      failure_reason: 'CONTENT_FILTER',
      timestamp: '2025-01-17T09:00:00Z',
      model_parameters: { seed: 1 },
    },
    { prompt: 'Walking at night', ai_model: 'flux-kontext-pro', error_message: 'Connection reset', failure_reason: 'NETWORK_ERROR', timestamp: 1737104400 },
    {
      prompt: 'Odd one',
      ai_model: 'flux-kontext-pro',
      error_message: 'flagged as sensitive (E005)',
      failure_reason: 'SOMETHING_ELSE',
      timestamp: '2025-01-17T10:00:00Z',
    },
    'not an object',
  ],
  ratings: [
    { prompt_hash: 'h-window', rating: 4, feedback: 'nice light', timestamp: '2025-01-18T08:00:00Z' },
    { prompt_hash: 'h-nothing', rating: 3 },
    { prompt_hash: 'h-rain' },
  ],
  prompt_usage: { 'The man runs across a rain-slick street': 1 },
};

async function writeTracker(dataRoot: string, content: string = JSON.stringify(TRACKER, null, 2)): Promise<string> {
  const file = path.join(dataRoot, 'tracking', 'prompt_tracking.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

async function logOnDisk(dataRoot: string) {
  const checked = validateJsonText(await fs.readFile(generationLogPath(dataRoot), 'utf8'), generationLogSchema);
  assert.ok(checked.ok, 'the log is valid');
  return checked.value;
}

describe('migrate: older prompt logs and ratings into the generation log', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('imports prompt_metadata.json and the tracker once; a second migrate adds nothing and leaves the log byte for byte', async () => {
    const trackerFile = await writeTracker(sample.dataRoot);
    const trackerBytes = await fs.readFile(trackerFile);
    // The current tool logged CARL_0 itself: its prompt_metadata entry is not imported again.
    await recordSuccess(sample.dataRoot, {
      actorId: CARL,
      prompt: 'logged today',
      model: 'local/augment',
      saveMethod: 'manual',
      resultPath: path.join(sample.dataRoot, 'actors', CARL, 'training_data', `${CARL}_0.jpg`),
    });

    const dry = await migrateActors({ dataRoot: sample.dataRoot, actorIds: ALL, dryRun: true });
    assert.equal(dry.log.changed, true);
    assert.equal((await logOnDisk(sample.dataRoot)).successes.length, 1, 'a dry run writes nothing');

    const first = await migrateActors({ dataRoot: sample.dataRoot, actorIds: ALL });
    // 2 from the tracker + 11 + 4 (CARL_0 logged today, CARL_1 by the tracker) + 1; ratings: 1 from the tracker, 4 + 3 from manifests.
    assert.deepEqual(first.log.added, { successes: 18, failures: 3, ratings: 8 });
    assert.equal(first.log.alreadyInLog, 2);
    assert.deepEqual(first.log.imported, [
      'tracking/prompt_tracking.json failed_prompts[2]: failure reason "SOMETHING_ELSE" is not one of the ten; kept as legacy_failure_reason, recorded as content_filter from the message',
      'tracking/prompt_tracking.json ratings[0]: its rating (4 stars) names no image of an actor here, so it is kept on the log entry rather than on an image',
      'tracking/prompt_tracking.json: 2 success(es), 3 failure(s), 2 rating(s) into the generation log',
      `actors/${EILEEN}/training_data/prompt_metadata.json: 11 success(es) into the generation log`,
      `actors/${EILEEN}/training_data/manifest.json: 4 rating(s) into the generation log`,
      `actors/${CARL}/training_data/prompt_metadata.json: 4 success(es) into the generation log`,
      `actors/${CARL}/training_data/manifest.json: 3 rating(s) into the generation log`,
      `actors/${LEGACY}/training_data/prompt_metadata.json: 1 success(es) into the generation log`,
    ]);
    assert.deepEqual(first.log.notImported, [
      { item: 'tracking/prompt_tracking.json successful_prompts[2]', reason: 'has no prompt text' },
      { item: 'tracking/prompt_tracking.json failed_prompts[3]', reason: 'not a JSON object' },
      { item: 'tracking/prompt_tracking.json ratings[1]', reason: 'names no successful prompt of the file (by prompt_hash or result_url)' },
      { item: 'tracking/prompt_tracking.json ratings[2]', reason: 'has no rating of 1 to 5 stars (quality_rating, rating or stars)' },
      {
        item: 'tracking/prompt_tracking.json prompt_usage',
        reason: 'counts only, with no times or results; usage is counted from the log and prompt_metadata.json instead',
      },
    ]);

    const log = await logOnDisk(sample.dataRoot);
    const rain = log.successes.find((entry) => entry.prompt === 'The man runs across a rain-slick street') as GenerationSuccess & Record<string, unknown>;
    assert.equal(rain.actor_id, CARL, 'the result URL names an image of CARL');
    assert.equal(rain.result_path, `actors/${CARL}/training_data/${CARL}_1.jpg`);
    assert.equal(rain.model, 'flux-kontext-pro');
    assert.equal(rain.save_method, 'user_save');
    assert.deepEqual(rain.parameters, { aspect_ratio: '16:9', seed: 7 });
    assert.equal(rain.legacy_timestamp, '2025-01-16T11:34:22.123456', 'the original time text is kept');
    assert.match(rain.id ?? '', /^legacy-[0-9a-f]{32}$/);
    assert.deepEqual(
      log.ratings
        .filter((rating) => rating.filename === `${CARL}_1.jpg`)
        .map(({ actor_id, filename, stars, feedback }) => ({ actor_id, filename, stars, feedback })),
      [{ actor_id: CARL, filename: `${CARL}_1.jpg`, stars: 5, feedback: 'perfect <script>alert(1)</script>' }],
    );
    assert.deepEqual(
      log.ratings.filter((rating) => rating.actor_id === EILEEN).map((rating) => [rating.filename, rating.stars, rating.timestamp]),
      [
        [`${EILEEN}_0.jpg`, 5, '2025-06-02T09:00:00.000+00:00'],
        [`${EILEEN}_1.jpg`, 4, '2025-06-02T09:01:00.000+00:00'],
        [`${EILEEN}_7.jpg`, 3, '2025-06-02T09:02:00.000+00:00'],
        [`${EILEEN}_8.jpg`, 1, '2025-06-02T09:03:00.000+00:00'],
      ],
      'the manifest ratings, at their rated_at (written with +00:00)',
    );
    const window = log.successes.find((entry) => entry.prompt === 'Window light portrait') as Record<string, unknown>;
    assert.deepEqual(window.rating, { stars: 4, feedback: 'nice light' }, 'a rating naming no image stays on its entry');
    assert.deepEqual(
      log.failures.map((entry) => [entry.prompt, entry.failure_reason, entry.timestamp, (entry as Record<string, unknown>).legacy_failure_reason]),
      [
        ['A nude man', 'content_filter', '2025-01-17T09:00:00.000+00:00', undefined],
        ['Walking at night', 'network', '2025-01-17T09:00:00.000+00:00', undefined],
        ['Odd one', 'content_filter', '2025-01-17T10:00:00.000+00:00', 'SOMETHING_ELSE'],
      ],
    );
    const eileen0 = log.successes.find((entry) => entry.result_path === `actors/${EILEEN}/training_data/${EILEEN}_0.jpg`);
    assert.equal(eileen0?.timestamp, '2025-06-01T10:05:00.000+00:00');
    for (const n of [0, 1]) {
      assert.equal(log.successes.filter((entry) => entry.result_path === `actors/${CARL}/training_data/${CARL}_${n}.jpg`).length, 1, `${CARL}_${n} once`);
    }
    assert.deepEqual(
      log.successes.map((entry) => entry.timestamp),
      log.successes.map((entry) => entry.timestamp).sort((a, b) => Date.parse(a) - Date.parse(b)),
      'entries in time order',
    );
    // The prompt export sees the linked ratings and the one kept on its entry.
    const curated = buildPromptTrainingData(log, { minQualityRating: 4 }, new Date('2026-01-01T00:00:00Z'));
    const good = curated.good_prompts.map((entry) => [entry.prompt, entry.rating]);
    assert.deepEqual(
      good.filter(([prompt]) => prompt === 'The man runs across a rain-slick street' || prompt === 'Window light portrait'),
      [
        ['The man runs across a rain-slick street', 5],
        ['Window light portrait', 4],
      ],
    );
    assert.equal(curated.analysis.rated_successes, 2 + 4 + 3, 'tracker ratings and the manifest ratings of images with a logged success');

    const logBytes = await fs.readFile(generationLogPath(sample.dataRoot), 'utf8');
    const second = await migrateActors({ dataRoot: sample.dataRoot, actorIds: ALL });
    assert.deepEqual(second.log.added, { successes: 0, failures: 0, ratings: 0 });
    assert.equal(second.log.changed, false);
    // tracker: 2 successes, 1 linked rating, 3 failures; prompt_metadata.json: 11 + 6 + 1; manifest ratings 4 + 3.
    assert.equal(second.log.alreadyInLog, 6 + 18 + 7);
    assert.equal(await fs.readFile(generationLogPath(sample.dataRoot), 'utf8'), logBytes, 'the second migrate left the log as it was');
    assert.deepEqual(await fs.readFile(trackerFile), trackerBytes, 'the old file is kept as it was');
  });

  it('reports a malformed old file by name and position, imports the rest, and loses nothing', async () => {
    const broken = '{ "successful_prompts": [ { "prompt": "a", } ] }';
    const trackerFile = await writeTracker(sample.dataRoot, broken);
    const metadataFile = path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'prompt_metadata.json');
    await fs.writeFile(metadataFile, '{ "images": { "x.jpg": { "prompt": 5 } } }');
    const report = await migrateActors({ dataRoot: sample.dataRoot, actorIds: [EILEEN, CARL] });
    assert.deepEqual(
      report.log.notImported.map((problem) => problem.item),
      ['tracking/prompt_tracking.json:1:44', `actors/${CARL}/training_data/prompt_metadata.json:1:36`],
    );
    assert.match(report.log.notImported[0].reason, /nothing of it was imported into the log and the file was left as it is/);
    assert.deepEqual(report.log.added, { successes: 11, failures: 0, ratings: 4 + 3 }, 'the other records still came in');
    assert.equal(await fs.readFile(trackerFile, 'utf8'), broken);
    assert.equal(await fs.readFile(metadataFile, 'utf8'), '{ "images": { "x.jpg": { "prompt": 5 } } }');

    const cli = { out: [] as string[], err: [] as string[] };
    const code = await runCli([migrateCommand.name, '--data', sample.dataRoot, '--actor-id', EILEEN], {
      stdout: (text) => cli.out.push(text),
      stderr: (text) => cli.err.push(text),
      cwd: sample.dir,
      isTTY: false,
    });
    assert.equal(code, 1, 'an item not imported makes the exit code 1');
    assert.match(cli.out.join('\n'), /^generation log: nothing to add; 15 old record\(s\) already there$/m);
    assert.match(cli.out.join('\n'), /^ {2}! tracking\/prompt_tracking\.json:1:44: /m);
  });

  it('refuses to import into an invalid generation log and leaves it where it is', async () => {
    await fs.mkdir(path.join(sample.dataRoot, 'tracking'), { recursive: true });
    await fs.writeFile(generationLogPath(sample.dataRoot), '{ "successes": 3 }');
    const before = await snapshot(path.join(sample.dataRoot, 'tracking'));
    const report = await migrateActors({ dataRoot: sample.dataRoot, actorIds: [EILEEN] });
    assert.equal(report.log.notImported.length, 1);
    assert.equal(report.log.notImported[0].item, 'tracking/generation_log.json');
    assert.match(report.log.notImported[0].reason, /generation_log\.json is not a valid generation log: .*nothing was imported into the log/);
    assert.deepEqual(await snapshot(path.join(sample.dataRoot, 'tracking')), before, 'not set aside, not rewritten');
  });
});

describe('generation log: importing entries with their own ids', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(() => temp.cleanup());

  const old = (n: number): GenerationSuccess => ({
    id: `legacy-${n}`,
    timestamp: new Date(Date.UTC(2025, 0, n)).toISOString(),
    prompt: `old ${n}`,
    model: 'm',
    result_url: null,
  });

  it('merges in time order under the cap, rolls the oldest into archives, and skips ids already there', async () => {
    await recordSuccess(
      temp.dir,
      { prompt: 'today', model: 'm', saveMethod: 'manual', resultPath: 'actors/a/training_data/a_1.jpg' },
      { now: () => new Date('2026-01-01T00:00:00Z') },
    );
    const first = await importEntries(temp.dir, { successes: [1, 2, 3, 4, 5].map(old), failures: [], ratings: [] }, { cap: 2 });
    assert.equal(first.added.successes.length, 5);
    const live = await readGenerationLog(temp.dir);
    assert.deepEqual(
      live.successes.map((entry) => entry.prompt),
      ['old 5', 'today'],
      'the newest two stay live',
    );
    assert.deepEqual(await listGenerationArchives(temp.dir), [1, 2]);
    const all = await readGenerationLog(temp.dir, { withArchives: true });
    assert.deepEqual(
      all.successes.map((entry) => entry.prompt),
      ['old 1', 'old 2', 'old 3', 'old 4', 'old 5', 'today'],
    );

    const archiveBytes = await fs.readFile(generationArchivePath(temp.dir, 1), 'utf8');
    const again = await importEntries(temp.dir, { successes: [1, 2, 3, 4, 5, 6].map(old), failures: [], ratings: [] }, { cap: 2 });
    assert.deepEqual(
      again.added.successes.map((entry) => entry.id),
      ['legacy-6'],
      'only the new id, though the others are in archives',
    );
    assert.equal(await fs.readFile(generationArchivePath(temp.dir, 1), 'utf8'), archiveBytes);
    assert.equal((await readGenerationLog(temp.dir, { withArchives: true })).successes.length, 7);
  });

  it('throws on an invalid log, naming it, and writes nothing', async () => {
    await fs.mkdir(path.dirname(generationLogPath(temp.dir)), { recursive: true });
    await fs.writeFile(generationLogPath(temp.dir), formatJson({ successes: [{ prompt: 1 }] }));
    await assert.rejects(importEntries(temp.dir, { successes: [old(1)], failures: [], ratings: [] }), /generation_log\.json is not a valid generation log/);
    assert.deepEqual(JSON.parse(await fs.readFile(generationLogPath(temp.dir), 'utf8')), { successes: [{ prompt: 1 }] });
  });
});
