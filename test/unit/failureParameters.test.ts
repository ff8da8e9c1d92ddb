import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { executePlans } from '../../src/core/execute';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { generateImage } from '../../src/core/generate/generateImage';
import { ReplicateGenerator } from '../../src/core/generate/replicateGenerator';
import { GenerationError, type GenerationRequest, type Generator } from '../../src/core/generate/types';
import { toJpegDataUri } from '../../src/core/image/imageFiles';
import { generationLogSchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import type { LibraryPrompt } from '../../src/core/prompts/types';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { generationLogPath } from '../../src/core/workspace/layout';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EILEEN = '0000_european_45_female';
const PROMPTS: LibraryPrompt[] = [
  { id: 'test_photo', label: 'Test photo', category: 'photorealistic', template: 'Photo of the {descriptor} at dusk', source: 'builtin' },
];

/** Every failure entry of the log on disk, after checking the file against the log's schema. */
async function failuresOnDisk(dataRoot: string) {
  const checked = validateJsonText(await fs.readFile(generationLogPath(dataRoot), 'utf8'), generationLogSchema);
  assert.ok(checked.ok, 'the log on disk is valid against its schema');
  return checked.value.failures;
}

/** Fails every request, like a provider that knows nothing of its parameters (no requestParameters). */
const failingGenerator: Generator = {
  provider: 'local',
  model: 'test/failing',
  generate: (_request: GenerationRequest) => Promise.reject(new GenerationError('model crashed', 'model_error')),
};

describe('failure entries record the model parameters', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let replicate: FakeReplicateServer;
  beforeEach(async () => {
    sample = await copySampleData();
    replicate = await FakeReplicateServer.start();
  });
  afterEach(async () => {
    await replicate.close();
    await sample.cleanup();
  });

  const replicateGenerator = (aspectRatio?: string) =>
    new ReplicateGenerator({
      token: FAKE_REPLICATE_TOKEN,
      baseUrl: replicate.baseUrl,
      aspectRatio,
      prepareInputImage: (file) => toJpegDataUri(file, 95),
      pollIntervalMs: 5,
      maxAttempts: 1,
    });

  it('library generation (panel, CLI): aspect ratio, seed, safety tolerance and output format, as sent', async () => {
    replicate.nextPrediction({ outcome: 'failed', error: E005_ERROR });
    await assert.rejects(
      generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_photo', prompts: PROMPTS, generator: replicateGenerator('3:2'), seed: 42 }),
      (error) => error instanceof GenerationError && error.reason === 'content_filter',
    );
    const [failure] = await failuresOnDisk(sample.dataRoot);
    assert.equal(failure.failure_reason, 'content_filter');
    assert.deepEqual(failure.parameters, { aspect_ratio: '3:2', output_format: 'jpg', safety_tolerance: 2, seed: 42 });
    // What is recorded is what the model was sent (the prompt and image aside).
    const { prompt: _prompt, input_image: _image, ...sent } = replicate.requestsOf('create')[0].body.input;
    assert.deepEqual(sent, failure.parameters);
  });

  it('execute’s generations: the same parameters on every failed attempt, no seed when none was given', async () => {
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: EILEEN,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 3,
    });
    replicate.defaultPlan = { outcome: 'failed', error: E005_ERROR };
    const summary = await executePlans({ dataRoot: sample.dataRoot, actorIds: [EILEEN], mode: 'generate_only', generator: replicateGenerator() });
    const failures = await failuresOnDisk(sample.dataRoot);
    assert.ok(failures.length > 0);
    assert.equal(failures.length, summary.failed.length);
    for (const failure of failures) {
      assert.equal(failure.save_method, 'auto');
      assert.deepEqual(failure.parameters, { aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2 });
    }
  });

  it('a generator that cannot say its parameters: the seed alone, or none', async () => {
    await assert.rejects(
      generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_photo', prompts: PROMPTS, generator: failingGenerator, seed: 7 }),
    );
    await assert.rejects(generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_photo', prompts: PROMPTS, generator: failingGenerator }));
    const failures = await failuresOnDisk(sample.dataRoot);
    assert.deepEqual(
      failures.map((failure) => failure.parameters),
      [{ seed: 7 }, undefined],
    );
  });

  it('old failure entries without parameters stay readable beside new ones', async () => {
    await fs.mkdir(path.dirname(generationLogPath(sample.dataRoot)), { recursive: true });
    const old = { timestamp: '2025-01-01T00:00:00Z', prompt: 'old prompt', model: 'x/y', error_message: 'boom', failure_reason: 'model_error' };
    await fs.writeFile(generationLogPath(sample.dataRoot), JSON.stringify({ successes: [], failures: [old] }));
    await assert.rejects(
      generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_photo', prompts: PROMPTS, generator: failingGenerator, seed: 1 }),
    );
    const failures = await failuresOnDisk(sample.dataRoot);
    assert.deepEqual(
      failures.map((failure) => [failure.prompt, failure.parameters]),
      [
        ['old prompt', undefined],
        ['Photo of the man at dusk', { seed: 1 }],
      ],
    );
    assert.equal((await readGenerationLog(sample.dataRoot)).failures.length, 2);
  });
});
