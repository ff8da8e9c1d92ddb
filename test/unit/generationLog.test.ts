import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { executePlans } from '../../src/core/execute';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { generateImage } from '../../src/core/generate/generateImage';
import { LocalGenerator } from '../../src/core/generate/localGenerator';
import { GenerationError, type GenerationRequest, type Generator } from '../../src/core/generate/types';
import { generationLogSchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { readActorPlan } from '../../src/core/plan/planFiles';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import type { LibraryPrompt } from '../../src/core/prompts/types';
import {
  analyzePrompt,
  GENERATION_LOG_CAP,
  GenerationLogFileError,
  listGenerationArchives,
  readGenerationLog,
  recordFailure,
  recordSuccess,
  type GenerationSuccess,
} from '../../src/core/tracking/generationLog';
import { generationArchivePath, generationLogPath } from '../../src/core/workspace/layout';
import { copySampleData, makeTempDir } from './helpers/tempData';

const run = promisify(execFile);
const CARL = '0001_european_35_male';
const EILEEN = '0000_european_45_female';
const PROMPTS: LibraryPrompt[] = [
  { id: 'test_comic', label: 'Test comic', category: 'color_stylized', template: 'Comic book panel of the {descriptor}, "pow!"', source: 'builtin' },
];

const attempt = (n: number) => ({ actorId: CARL, promptId: `p${n}`, prompt: `prompt number ${n}`, model: 'local/augment', saveMethod: 'manual' as const });

/** Valid JSON of the log's schema, as it is on disk. */
async function logOnDisk(file: string) {
  const checked = validateJsonText(await fs.readFile(file, 'utf8'), generationLogSchema);
  assert.ok(checked.ok, `${file} is a valid generation log`);
  return checked.value;
}

/** Throws a chosen failure, as a provider would. */
class FailingGenerator implements Generator {
  readonly provider = 'local' as const;
  readonly model = 'test/failing';
  constructor(private readonly error: Error) {}
  async generate(_request: GenerationRequest): Promise<never> {
    throw this.error;
  }
}

describe('generation log', function () {
  this.timeout(60000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('analyses prompts: length, words, special characters', () => {
    assert.deepEqual(analyzePrompt('A man, running — fast!'), { length: 22, word_count: 5, special_characters: 3 });
    assert.deepEqual(analyzePrompt('   '), { length: 3, word_count: 0, special_characters: 0 });
  });

  it('records successes and failures with their analysis; no image data, no secrets', async () => {
    const image = path.join(temp.dir, 'actors', CARL, 'training_data', `${CARL}_6.jpg`);
    const success = await recordSuccess(temp.dir, {
      ...attempt(1),
      prompt: 'Comic book panel of the man, "pow!"',
      category: 'color_stylized',
      parameters: { aspect_ratio: '16:9', input_image: 'data:image/png;base64,iVBORw0KGgo=', raw: Buffer.from('x') },
      durationMs: 1234.4,
      resultPath: image,
      resultUrl: 'https://bucket.example/x.jpg',
    });
    await recordFailure(temp.dir, {
      ...attempt(2),
      saveMethod: 'auto',
      error: new Error('HTTP 401 with Bearer abcdefghijklmnop and r8_fakeTok12345 for data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD'),
      failureReason: 'auth',
    });
    const log = await logOnDisk(generationLogPath(temp.dir));
    assert.equal(log.successes.length, 1);
    const entry = log.successes[0]!;
    assert.equal(entry.id, success.entry.id);
    assert.equal(entry.result_path, `actors/${CARL}/training_data/${CARL}_6.jpg`, 'relative to the data folder, / separated');
    assert.equal(entry.result_url, 'https://bucket.example/x.jpg');
    assert.equal(entry.save_method, 'manual');
    assert.equal(entry.category, 'color_stylized');
    assert.equal(entry.duration_ms, 1234);
    assert.deepEqual(entry.parameters, { aspect_ratio: '16:9', input_image: '[image data]', raw: '[binary data]' });
    assert.deepEqual(entry.prompt_analysis, { length: 35, word_count: 7, special_characters: 4 });
    const failure = log.failures[0]!;
    assert.equal(failure.failure_reason, 'auth');
    assert.equal(failure.save_method, 'auto');
    assert.equal(failure.prompt_analysis?.word_count, 3);
    assert.doesNotMatch(failure.error_message, /abcdefghijklmnop/, 'tokens are redacted');
    assert.doesNotMatch(failure.error_message, /fakeTok12345/, 'Replicate tokens are redacted');
    assert.doesNotMatch(failure.error_message, /4AAQSkZJRg/, 'no image data');
    assert.match(failure.error_message, /HTTP 401/);
    assert.deepEqual(await readGenerationLog(temp.dir), log);
  });

  it('rolls the oldest entries into archives past the cap, losing none', async () => {
    const cap = 3;
    for (let n = 0; n < 8; n++) {
      await recordSuccess(temp.dir, { ...attempt(n), resultPath: `x_${n}.jpg` }, { cap });
    }
    for (let n = 0; n < 4; n++) {
      await recordFailure(temp.dir, { ...attempt(100 + n), error: 'timed out', failureReason: 'timeout' }, { cap });
    }
    const live = await logOnDisk(generationLogPath(temp.dir));
    assert.deepEqual(
      live.successes.map((entry) => entry.prompt_id),
      ['p5', 'p6', 'p7'],
      'the newest stay',
    );
    assert.deepEqual(
      live.failures.map((entry) => entry.prompt_id),
      ['p101', 'p102', 'p103'],
    );
    assert.deepEqual(await listGenerationArchives(temp.dir), [1, 2], 'a full archive makes way for the next');
    const first = await logOnDisk(generationArchivePath(temp.dir, 1));
    assert.deepEqual(
      first.successes.map((entry) => entry.prompt_id),
      ['p0', 'p1', 'p2'],
    );
    const second = await logOnDisk(generationArchivePath(temp.dir, 2));
    assert.deepEqual(
      second.successes.map((entry) => entry.prompt_id),
      ['p3', 'p4'],
    );
    assert.deepEqual(
      second.failures.map((entry) => entry.prompt_id),
      ['p100'],
      'rolled entries go to the newest archive',
    );
    const all = await readGenerationLog(temp.dir, { withArchives: true });
    assert.deepEqual(
      all.successes.map((entry) => entry.prompt_id),
      ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'],
      'every entry, oldest first',
    );
    assert.equal(all.failures.length, 4);
  });

  it('holds the real cap of 2,000: a full log rolls its oldest entry into an archive', async () => {
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
    const bulk: GenerationSuccess[] = Array.from({ length: GENERATION_LOG_CAP }, (_, n) => ({
      id: `bulk-${n}`,
      timestamp: at(n),
      prompt: `p ${n}`,
      model: 'm',
      result_path: `r${n}.jpg`,
    }));
    await fs.mkdir(path.dirname(generationLogPath(temp.dir)), { recursive: true });
    await fs.writeFile(generationLogPath(temp.dir), JSON.stringify({ successes: bulk, failures: [] }));
    const added = await recordSuccess(temp.dir, { ...attempt(1), resultPath: 'new.jpg' });
    assert.equal(added.archived.length, 1);
    const live = await logOnDisk(generationLogPath(temp.dir));
    assert.equal(live.successes.length, GENERATION_LOG_CAP);
    assert.equal(live.successes[0]!.id, 'bulk-1');
    assert.equal(live.successes.at(-1)!.id, added.entry.id);
    const archive = await logOnDisk(generationArchivePath(temp.dir, 1));
    assert.deepEqual(
      archive.successes.map((entry) => entry.id),
      ['bulk-0'],
    );
  });

  it('concurrent writers, in this process and in two others, lose nothing', async () => {
    const module = path.join(__dirname, '..', '..', 'src', 'core', 'tracking', 'generationLog.js');
    const worker = `
      const log = require(${JSON.stringify(module)});
      (async () => {
        for (let n = 0; n < 10; n++) {
          await log.recordSuccess(process.argv[1], { prompt: process.argv[2] + ' ' + n, model: 'm', saveMethod: 'manual', resultPath: 'a.jpg' }, { cap: 15 });
        }
      })().catch((error) => { console.error(error); process.exit(1); });`;
    await Promise.all([
      run(process.execPath, ['-e', worker, temp.dir, 'child-a']),
      run(process.execPath, ['-e', worker, temp.dir, 'child-b']),
      ...Array.from({ length: 10 }, (_, n) => recordFailure(temp.dir, { ...attempt(n), error: 'x', failureReason: 'network' }, { cap: 15 })),
    ]);
    const all = await readGenerationLog(temp.dir, { withArchives: true });
    const prompts = all.successes.map((entry) => entry.prompt).sort();
    const expected = ['child-a', 'child-b'].flatMap((name) => Array.from({ length: 10 }, (_, n) => `${name} ${n}`)).sort();
    assert.deepEqual(prompts, expected, 'every success, once');
    assert.equal(all.failures.length, 10);
    assert.equal((await readGenerationLog(temp.dir)).successes.length, 15, 'the cap held under contention');
    await assert.rejects(fs.access(path.join(temp.dir, 'tracking', '.generation_log.lock')), 'the lock is released');
  });

  it('sets a corrupt log aside and reports it naming the file; never overwrites it', async () => {
    const file = generationLogPath(temp.dir);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const broken = '{ "successes": [ { "prompt": "half written"';
    await fs.writeFile(file, broken);
    await assert.rejects(readGenerationLog(temp.dir), (error: Error) => error instanceof GenerationLogFileError && error.message.includes(file));
    assert.equal(await fs.readFile(file, 'utf8'), broken, 'reading moves nothing');

    const outcome = await recordFailure(
      temp.dir,
      { ...attempt(1), error: 'x', failureReason: 'model_error' },
      { now: () => new Date('2026-03-04T05:06:07.089Z') },
    );
    assert.ok(outcome.corrupt, 'the corruption is reported');
    assert.match(
      outcome.corrupt.message,
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid generation log; it was set aside as generation_log\\.corrupt-2026-03-04T05-06-07-089Z\\.json`,
      ),
    );
    assert.equal(await fs.readFile(outcome.corrupt.movedTo!, 'utf8'), broken, 'the old content is kept whole');
    assert.equal((await logOnDisk(file)).failures.length, 1, 'a fresh log started');

    // A second corruption in the same millisecond does not replace the first one set aside.
    await fs.writeFile(file, '[]');
    const again = await recordFailure(
      temp.dir,
      { ...attempt(2), error: 'x', failureReason: 'model_error' },
      { now: () => new Date('2026-03-04T05:06:07.089Z') },
    );
    assert.notEqual(again.corrupt?.movedTo, outcome.corrupt.movedTo);
    assert.equal(await fs.readFile(outcome.corrupt.movedTo!, 'utf8'), broken);
    assert.equal(await fs.readFile(again.corrupt!.movedTo!, 'utf8'), '[]');
  });
});

describe('generation log: wired into generation', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('a generator panel or CLI success is logged as manual, with its result path', async () => {
    const image = await generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_comic', prompts: PROMPTS, generator: new LocalGenerator() });
    assert.equal(image.logWarning, undefined);
    const log = await readGenerationLog(sample.dataRoot);
    assert.equal(log.successes.length, 1);
    const entry = log.successes[0]!;
    assert.equal(entry.save_method, 'manual');
    assert.equal(entry.prompt_id, 'test_comic');
    assert.equal(entry.prompt, 'Comic book panel of the man, "pow!"');
    assert.equal(entry.model, image.result.model);
    assert.equal(entry.category, 'color_stylized');
    assert.equal(entry.actor_id, CARL);
    assert.deepEqual(entry.prompt_analysis, { length: 35, word_count: 7, special_characters: 4 });
    await fs.access(path.join(sample.dataRoot, entry.result_path!));
  });

  it('a generator failure is logged with its reason, and the error still reaches the caller', async () => {
    const error = new GenerationError('the model refused: content flagged as sensitive', 'content_filter');
    await assert.rejects(
      generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_comic', prompts: PROMPTS, generator: new FailingGenerator(error) }),
      (thrown) => thrown === error,
    );
    const log = await readGenerationLog(sample.dataRoot);
    assert.equal(log.successes.length, 0);
    assert.deepEqual(
      log.failures.map((entry) => [entry.failure_reason, entry.error_message, entry.model, entry.save_method]),
      [['content_filter', 'the model refused: content flagged as sensitive', 'test/failing', 'manual']],
    );
  });

  it('a cancelled generation is not a failure and is not logged', async () => {
    const cancelled = new GenerationError('cancelled', 'cancelled');
    await assert.rejects(
      generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_comic', prompts: PROMPTS, generator: new FailingGenerator(cancelled) }),
    );
    await assert.rejects(fs.access(generationLogPath(sample.dataRoot)));
  });

  it('a log that cannot be written does not fail the generation: it comes back as a warning', async () => {
    // A folder where the log file should be: the write fails, the image stands.
    await fs.mkdir(generationLogPath(sample.dataRoot), { recursive: true });
    const image = await generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_comic', prompts: PROMPTS, generator: new LocalGenerator() });
    await fs.access(image.path);
    assert.match(image.logWarning ?? '', /the generation log was not updated/);
  });

  it('a corrupt log met while generating is set aside and named in the warning; the image stands', async () => {
    await fs.mkdir(path.dirname(generationLogPath(sample.dataRoot)), { recursive: true });
    await fs.writeFile(generationLogPath(sample.dataRoot), '{ "successes": 5 }');
    const image = await generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_comic', prompts: PROMPTS, generator: new LocalGenerator() });
    assert.match(image.logWarning ?? '', /generation_log\.json is not a valid generation log; it was set aside as generation_log\.corrupt-.*\.json/);
    const names = await fs.readdir(path.dirname(generationLogPath(sample.dataRoot)));
    const aside = names.find((name) => name.startsWith('generation_log.corrupt-'))!;
    assert.equal(await fs.readFile(path.join(path.dirname(generationLogPath(sample.dataRoot)), aside), 'utf8'), '{ "successes": 5 }');
    assert.equal((await readGenerationLog(sample.dataRoot)).successes.length, 1);
  });

  it('plan execution logs one entry per attempt, as auto, failures with their reason', async () => {
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: EILEEN,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 7,
    });
    const plan = await readActorPlan(sample.dataRoot, EILEEN);
    assert.ok(plan.state === 'ok');
    const generations = plan.value.generations;
    assert.ok(generations.length >= 3, 'the sample plan generates several images');
    const failing = generations[0]!.prompt_id;
    const inner = new LocalGenerator();
    const generator: Generator = {
      provider: 'local',
      model: inner.model,
      generate: (request) =>
        request.promptId === failing ? Promise.reject(new GenerationError('Replicate rate limit (HTTP 429)', 'rate_limit')) : inner.generate(request),
    };
    const summary = await executePlans({ dataRoot: sample.dataRoot, actorIds: [EILEEN], mode: 'generate_only', generator });
    const log = await readGenerationLog(sample.dataRoot);
    const failedCount = generations.filter((generation) => generation.prompt_id === failing).length;
    assert.equal(log.failures.length, failedCount);
    assert.equal(log.failures.length, summary.failed.length);
    assert.ok(log.failures.every((entry) => entry.failure_reason === 'rate_limit' && entry.save_method === 'auto' && entry.actor_id === EILEEN));
    assert.equal(log.successes.length, generations.length - failedCount, 'one entry per attempt');
    assert.equal(log.successes.length, summary.done.length);
    for (const entry of log.successes) {
      assert.equal(entry.save_method, 'auto');
      assert.ok(entry.prompt_analysis && entry.prompt_analysis.length === entry.prompt.length);
      await fs.access(path.join(sample.dataRoot, entry.result_path!));
    }
    assert.deepEqual(log.successes.map((entry) => entry.prompt_id).sort(), summary.done.map((operation) => operation.promptId).sort());
  });
});
