import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { createEvaluator, resolveEvaluator } from '../../src/core/evaluate/createEvaluator';
import { evaluateActor } from '../../src/core/evaluate/evaluateActor';
import { withJudgement } from '../../src/core/evaluate/localAndVision';
import type { Evaluator, ImageEvaluation } from '../../src/core/evaluate/types';
import { loadSharp } from '../../src/core/image/sharp';
import { actionPlanSchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { FAKE_OPENAI_KEY, FakeOpenAIServer, tileCount, type RecordedChatRequest } from '../fakes/openaiServer';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';
const VISION_SETTINGS = { provider: 'openai' as const, faceIdentity: false, thresholds: {}, visionModel: 'gpt-4o-mini' };

/** Tile 2 of every grid: the model says delete. */
function answer(request: RecordedChatRequest) {
  return {
    images: Array.from({ length: tileCount(request) }, (_, i) => ({
      tile: i + 1,
      category: 'photorealistic' as const,
      quality: i === 1 ? 3 : 8,
      issues: i === 1 ? ['looking_at_camera'] : [],
      keep: i !== 1,
      reason: i === 1 ? 'stares into the lens, frontal and symmetric' : 'natural three-quarter view',
    })),
  };
}

describe('evaluation pipeline: local checks, then the vision model (real openai SDK, local server)', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let server: FakeOpenAIServer;
  let evaluator: Evaluator;

  beforeEach(async () => {
    sample = await copySampleData();
    server = new FakeOpenAIServer();
    await server.start();
    evaluator = await createEvaluator(VISION_SETTINGS, { openaiKey: FAKE_OPENAI_KEY, openaiBaseUrl: server.baseURL });
  });
  afterEach(async () => {
    await server.close();
    await sample.cleanup();
  });

  const actor = () => new ActorIndex(sample.dataRoot).actor(CARL);

  it('plans from both: the model\'s "delete" removes the image, and the plan records tokens and cost', async () => {
    server.script({ kind: 'answer', answer });
    const { plan, file, evaluation } = await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: CARL,
      evaluator,
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 2,
    });
    assert.equal(server.requests.length, 1);
    assert.equal(tileCount(server.requests[0]), 6);
    assert.equal(evaluation.evaluator, 'local+openai:gpt-4o-mini');
    const rejected = evaluation.evaluations.filter((image) => image.vision?.keep === false);
    assert.equal(rejected.length, 1);
    const deletion = plan.deletions.find((entry) => entry.filename === rejected[0].filename);
    assert.ok(deletion, 'the rejected image is deleted');
    assert.match(deletion.reason, /vision model says delete: stares into the lens/);
    const written = validateJsonText(await fs.readFile(file, 'utf8'), actionPlanSchema);
    assert.ok(written.ok);
    const usage = written.value.evaluation_usage!;
    assert.deepEqual([usage.model, usage.requests, usage.prompt_tokens, usage.completion_tokens], ['gpt-4o-mini', 1, 1200, 300]);
    assert.ok(Math.abs(usage.estimated_cost_usd! - (1200 * 0.15 + 300 * 0.6) / 1e6) < 1e-12);
  });

  it('pays for an image once: unchanged images are cached, a changed one is sent alone', async () => {
    server.script({ kind: 'answer', answer });
    const first = await evaluateActor({ dataRoot: sample.dataRoot, actor: actor(), evaluator });
    assert.equal(first.cached, false);
    const manifest = await loadManifest(path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'manifest.json'));
    assert.ok(
      manifest.images.every((entry) => entry.evaluation?.vision?.model === 'gpt-4o-mini'),
      'every answer is kept in the manifest',
    );

    const second = await evaluateActor({ dataRoot: sample.dataRoot, actor: actor(), evaluator });
    assert.equal(second.cached, true);
    assert.equal(second.usage, undefined);
    assert.equal(server.requests.length, 1, 'nothing sent again');

    // Re-encode one image: new bytes, so only it goes to the model.
    const changed = path.join(sample.dataRoot, 'actors', CARL, 'training_data', `${CARL}_0.jpg`);
    const sharp = await loadSharp();
    await fs.writeFile(
      changed,
      await sharp(await fs.readFile(changed))
        .jpeg({ quality: 70 })
        .toBuffer(),
    );
    const third = await evaluateActor({ dataRoot: sample.dataRoot, actor: actor(), evaluator });
    assert.equal(server.requests.length, 2);
    assert.equal(tileCount(server.requests[1]), 1);
    assert.equal(third.usage?.requests, 1);
    assert.equal(third.evaluations.length, 6);
    assert.ok(
      third.evaluations.every((image) => image.vision),
      'the others keep their earlier answers',
    );
  });

  it('a refusal fails the evaluation clearly and stores nothing', async () => {
    server.script({ kind: 'refusal', refusal: 'I cannot help with that.' });
    await assert.rejects(evaluateActor({ dataRoot: sample.dataRoot, actor: actor(), evaluator }), /refused/);
    const manifest = await loadManifest(path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'manifest.json'));
    assert.ok(manifest.images.every((entry) => !entry.evaluation?.vision));
  });

  it('CLI: --evaluator openai reads the key from the environment and prints the spend', async () => {
    server.script({ kind: 'answer', answer });
    const out: string[] = [];
    const err: string[] = [];
    const env = { OPENAI_API_KEY: FAKE_OPENAI_KEY, ACTOR_STUDIO_OPENAI_BASE_URL: server.baseURL };
    const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text), cwd: sample.dir, isTTY: false, env };
    const code = await runCli(['evaluate', '--actor-id', CARL, '--evaluator', 'openai', '--skip-face'], io);
    assert.equal(code, 0, err.join('\n'));
    const text = out.join('\n');
    assert.match(text, /vision gpt-4o: 1 request\(s\), 1200 prompt \+ 300 completion tokens, estimated \$0\.0060/);
    assert.ok(!text.includes(FAKE_OPENAI_KEY) && !err.join('\n').includes(FAKE_OPENAI_KEY));
    assert.match(server.requests[0].headers.authorization ?? '', /^Bearer /);
  });
});

describe('evaluation pipeline: choosing and merging', () => {
  it('auto uses the vision model only when a key is set', () => {
    assert.equal(resolveEvaluator({ provider: 'auto' }, undefined), 'local');
    assert.equal(resolveEvaluator({ provider: 'auto' }, 'key'), 'openai');
    assert.equal(resolveEvaluator({ provider: 'local' }, 'key'), 'local');
  });

  it('openai without a key is a clear error', async () => {
    await assert.rejects(createEvaluator(VISION_SETTINGS, {}), /no OpenAI API key: run "Actor Studio: Set API Key"/);
  });

  it('merges issues and the lower quality, and keeps black-and-white when the pixels are grey', () => {
    const local: ImageEvaluation = {
      filename: 'a.jpg',
      sha256: 'x',
      category: 'bw_stylized',
      categorySource: 'local',
      tone: 'grey',
      quality: 9,
      issues: ['no_face'],
      reasons: ['no face found'],
      evaluator: 'local',
    };
    const merged = withJudgement(
      local,
      { model: 'm', category: 'photorealistic', quality: 6, issues: ['artifacts'], keep: true, reason: 'minor artifacts' },
      'local+openai:m',
    );
    assert.equal(merged.category, 'bw_stylized');
    assert.equal(merged.quality, 6);
    assert.deepEqual(merged.issues, ['no_face', 'artifacts']);
    assert.equal(merged.reasons.at(-1), 'vision model (m): keep, minor artifacts');
    const colour = withJudgement(
      { ...local, category: 'unknown', categorySource: undefined, tone: 'colour' },
      { model: 'm', category: 'color_stylized', quality: 8, issues: [], keep: true, reason: 'ok' },
      'e',
    );
    assert.equal(colour.category, 'color_stylized');
  });
});
