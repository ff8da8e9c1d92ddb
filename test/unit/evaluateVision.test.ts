import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildCompositeGrid, MAX_TILES_PER_GRID, planGrids } from '../../src/core/evaluate/compositeGrid';
import { IMAGE_ISSUES } from '../../src/core/evaluate/types';
import {
  answerJsonSchema,
  estimateCostUsd,
  priceFor,
  VISION_ISSUES,
  VisionEvaluationError,
  VisionEvaluator,
  type VisionEvaluatorOptions,
} from '../../src/core/evaluate/visionEvaluator';
import { loadSharp } from '../../src/core/image/sharp';
import { FAKE_OPENAI_KEY, FakeOpenAIServer, tileCount, type TileAnswer } from '../fakes/openaiServer';
import { makeTempDir } from './helpers/tempData';

type Image = { filename: string; path: string; sha256: string };

async function makeImages(dir: string, count: number): Promise<Image[]> {
  const sharp = await loadSharp();
  const images: Image[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `actor_${i}.jpg`);
    await sharp({ create: { width: 96, height: 54, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: 120 } } })
      .jpeg()
      .toFile(file);
    images.push({ filename: `actor_${i}.jpg`, path: file, sha256: `sha-${i}` });
  }
  return images;
}

async function expectVisionError(promise: Promise<unknown>, kind: string): Promise<VisionEvaluationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VisionEvaluationError, `expected VisionEvaluationError, got ${String(error)}`);
    assert.equal(error.reason, kind, error.message);
    assert.ok(!error.message.includes(FAKE_OPENAI_KEY), 'the key must never appear in an error');
    assert.ok(!JSON.stringify(error).includes(FAKE_OPENAI_KEY));
    assert.ok(!String(error.stack).includes(FAKE_OPENAI_KEY));
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

describe('vision evaluator: composite grid', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    temp = await makeTempDir();
  });
  after(async () => temp.cleanup());

  it('splits more than 20 images into several grids numbered from 1', () => {
    const images = Array.from({ length: 45 }, (_, i) => ({ filename: `f${i}.jpg`, path: `/x/f${i}.jpg` }));
    const grids = planGrids(images);
    assert.deepEqual(
      grids.map((g) => g.length),
      [20, 20, 5],
    );
    assert.equal(MAX_TILES_PER_GRID, 20);
    assert.deepEqual(
      grids[1].map((t) => t.number),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(grids[2][0].filename, 'f40.jpg');
    assert.deepEqual(planGrids([]), []);
  });

  it('draws 20 numbered thumbnails into one JPEG of 5 x 4 tiles', async () => {
    const images = await makeImages(temp.dir, 20);
    const grid = await buildCompositeGrid(planGrids(images)[0], { tileSize: 128 });
    const sharp = await loadSharp();
    const meta = await sharp(grid.image).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 5 * 128 + 6 * 4);
    assert.equal(meta.height, 4 * 128 + 5 * 4);
    assert.equal(grid.tiles.length, 20);
    // the label badge darkens the tile's top-left corner compared with the tile centre
    const { data, info } = await sharp(grid.image).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels + 1];
    assert.ok(at(4 + 8, 4 + 8) < 40, 'badge present');
    await assert.rejects(buildCompositeGrid([]), RangeError);
  });
});

describe('vision evaluator: openai SDK against a local chat completions server', () => {
  let server: FakeOpenAIServer;
  let temp: { dir: string; cleanup: () => Promise<void> };
  let base: string;
  let waits: number[];

  before(async () => {
    temp = await makeTempDir();
    const sharp = await loadSharp();
    base = path.join(temp.dir, 'base.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 150, b: 100 } } })
      .png()
      .toFile(base);
  });
  after(async () => temp.cleanup());
  beforeEach(async () => {
    server = new FakeOpenAIServer();
    await server.start();
    waits = [];
  });
  afterEach(async () => server.close());

  function evaluator(options: Partial<VisionEvaluatorOptions> = {}): VisionEvaluator {
    return new VisionEvaluator({
      apiKey: FAKE_OPENAI_KEY,
      baseURL: server.baseURL,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
      grid: { tileSize: 64 },
      ...options,
    });
  }

  it('uses the issue list of the shared enum', () => {
    for (const issue of VISION_ISSUES) {
      assert.ok((IMAGE_ISSUES as readonly string[]).includes(issue), issue);
    }
  });

  it('maps every tile back to its filename with category, quality, issues and keep/delete', async () => {
    const images = await makeImages(temp.dir, 5);
    const categories: TileAnswer['category'][] = ['photorealistic', 'bw_stylized', 'color_stylized', 'unknown', 'photorealistic'];
    server.script({
      kind: 'answer',
      // answered out of order on purpose
      answer: {
        images: [5, 4, 3, 2, 1].map((tile) => ({
          tile,
          category: categories[tile - 1],
          quality: tile + 3,
          issues: tile === 2 ? ['looking_at_camera', 'symmetric_framing'] : [],
          keep: tile !== 2,
          reason: `reason ${tile}`,
          // tile 3 as an answer of the schema before captions: it still counts, without one
          ...(tile === 3 ? {} : { caption: ` The person in scene ${tile}. ` }),
        })),
      },
    });
    const vision = evaluator({ model: 'gpt-4o-mini' });
    assert.equal(vision.id, 'openai:gpt-4o-mini');
    const result = await vision.evaluateDetailed({ actorId: 'actor', baseImagePath: base, images });
    assert.equal(result.evaluations.length, 5);
    for (const [i, image] of images.entries()) {
      const evaluation = result.evaluations.find((e) => e.filename === image.filename);
      assert.ok(evaluation, image.filename);
      assert.equal(evaluation.sha256, image.sha256);
      assert.equal(evaluation.category, categories[i]);
      assert.equal(evaluation.quality, i + 4);
      assert.equal(evaluation.evaluator, 'openai:gpt-4o-mini');
      assert.deepEqual(evaluation.issues, i === 1 ? ['looking_at_camera', 'symmetric_framing'] : []);
    }
    assert.deepEqual(result.verdicts[1], { filename: 'actor_1.jpg', keep: false, reason: 'reason 2', caption: 'The person in scene 2.' });
    assert.deepEqual(result.verdicts[2], { filename: 'actor_2.jpg', keep: true, reason: 'reason 3' });
    assert.deepEqual(result.evaluations[1].reasons, ['delete: reason 2']);

    // the request: model, strict json_schema, base image and grid as data URIs, the key as bearer
    assert.equal(server.requests.length, 1);
    const request = server.requests[0];
    assert.equal(request.url, '/v1/chat/completions');
    assert.equal(request.body.model, 'gpt-4o-mini');
    assert.equal(request.body.response_format.type, 'json_schema');
    assert.equal(request.body.response_format.json_schema.strict, true);
    assert.deepEqual(request.body.response_format.json_schema.schema, answerJsonSchema());
    assert.equal(request.imageUrls.length, 2);
    for (const url of request.imageUrls) {
      assert.match(url, /^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
    }
    assert.equal(tileCount(request), 5);
    assert.match(request.text, /photorealistic/);
    assert.match(request.text, /looking_at_camera/);
    assert.equal(request.headers.authorization, `Bearer ${FAKE_OPENAI_KEY}`);
  });

  it('the strict schema requires every property and allows no others', () => {
    const walk = (node: any): void => {
      if (node && typeof node === 'object') {
        if (node.type === 'object') {
          assert.equal(node.additionalProperties, false);
          assert.deepEqual([...node.required].sort(), Object.keys(node.properties).sort());
        }
        Object.values(node).forEach(walk);
      }
    };
    walk(answerJsonSchema());
  });

  it('sends more than 20 images as two requests and maps both', async () => {
    const images = await makeImages(temp.dir, 23);
    server.defaultTile = (tile) => ({ category: 'bw_stylized', quality: tile % 10 || 10, issues: [], keep: true, reason: 'ok' });
    const result = await evaluator().evaluateDetailed({ actorId: 'actor', baseImagePath: base, images });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.requests.map(tileCount), [20, 3]);
    assert.deepEqual(
      result.evaluations.map((e) => e.filename),
      images.map((i) => i.filename),
    );
    assert.equal(result.evaluations[21].quality, 2); // actor_21 is tile 2 of grid 2
    assert.equal(result.usage.requests, 2);
  });

  it('records token use and an estimated cost', async () => {
    const images = await makeImages(temp.dir, 2);
    server.script({ kind: 'answer', usage: { prompt_tokens: 1_000_000, completion_tokens: 100_000, total_tokens: 1_100_000 } });
    const vision = evaluator({ model: 'gpt-4o-2024-08-06' });
    const result = await vision.evaluateDetailed({ actorId: 'actor', baseImagePath: base, images });
    assert.deepEqual(result.usage, { requests: 1, promptTokens: 1_000_000, completionTokens: 100_000, totalTokens: 1_100_000, estimatedCostUsd: 3.5 });
    await vision.evaluate({ actorId: 'actor', images });
    assert.equal(vision.usage.requests, 2);
    assert.equal(vision.usage.promptTokens, 1_001_200);
    assert.equal(priceFor('gpt-4.1-mini-2025-04-14')?.inputPerMillion, 0.4);
    assert.equal(estimateCostUsd('some-unknown-model', 10, 10), null);
  });

  it('a refusal is a clear error and is not retried', async () => {
    const images = await makeImages(temp.dir, 2);
    server.script({ kind: 'refusal', refusal: 'I cannot assist with identifying people.' });
    const error = await expectVisionError(evaluator().evaluate({ actorId: 'actor', baseImagePath: base, images }), 'refusal');
    assert.match(error.message, /refused.*I cannot assist/);
    assert.equal(server.requests.length, 1);
  });

  it('429 with Retry-After waits that long, then succeeds', async () => {
    const images = await makeImages(temp.dir, 3);
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' } }, { kind: 'answer' });
    const retries: number[] = [];
    const result = await evaluator({ onRetry: (info) => retries.push(info.attempt) }).evaluate({ actorId: 'actor', baseImagePath: base, images });
    assert.equal(result.length, 3);
    assert.deepEqual(waits, [7000]);
    assert.deepEqual(retries, [1]);
    assert.equal(server.requests.length, 2, 'the SDK itself does not retry (maxRetries 0)');
  });

  it('500 every time fails after maxAttempts with backoff waits', async () => {
    const images = await makeImages(temp.dir, 2);
    server.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 })));
    const error = await expectVisionError(
      evaluator({ maxAttempts: 3, backoff: { initialDelayMs: 100, jitter: 0 } }).evaluate({ actorId: 'actor', images }),
      'server',
    );
    assert.equal(error.status, 500);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(waits, [100, 200]);
  });

  it('an account out of quota (429 insufficient_quota) is billing and is not retried', async () => {
    const images = await makeImages(temp.dir, 2);
    server.script({
      kind: 'status',
      status: 429,
      code: 'insufficient_quota',
      type: 'insufficient_quota',
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
    const error = await expectVisionError(evaluator({ maxAttempts: 3 }).evaluate({ actorId: 'actor', images }), 'billing');
    assert.match(error.message, /no quota or credit left \(HTTP 429, insufficient_quota\)/);
    assert.equal(server.requests.length, 1, 'retrying cannot pay the bill');
  });

  it("the SDK's own timeout (APIConnectionTimeoutError) is a timeout, not a network error", async () => {
    const images = await makeImages(temp.dir, 2);
    server.script({ kind: 'slow', ms: 3000 });
    const error = await expectVisionError(evaluator({ maxAttempts: 1, timeoutMs: 200 }).evaluate({ actorId: 'actor', images }), 'timeout');
    assert.equal(error.message, 'The OpenAI request timed out.');
  });

  it('malformed JSON is an error and nothing is invented', async () => {
    const images = await makeImages(temp.dir, 2);
    server.script({ kind: 'content', content: '{"images": [{"tile": 1, "categ' });
    const error = await expectVisionError(evaluator().evaluate({ actorId: 'actor', images }), 'malformed');
    assert.match(error.message, /not valid JSON/);
    assert.equal(server.requests.length, 1);
  });

  it('an answer off the schema, missing a tile, or naming an unknown tile is an error', async () => {
    const images = await makeImages(temp.dir, 2);
    const good = (tile: number): TileAnswer => ({ tile, category: 'photorealistic', quality: 7, issues: [], keep: true, reason: 'ok' });
    server.script(
      { kind: 'answer', answer: { images: [good(1), { ...good(2), quality: 42 }] } },
      { kind: 'answer', answer: { images: [good(1)] } },
      { kind: 'answer', answer: { images: [good(1), good(2), good(3)] } },
      { kind: 'answer', answer: { images: [good(1), { ...good(2), issues: ['made_up' as never] }] } },
    );
    const vision = evaluator();
    assert.match((await expectVisionError(vision.evaluate({ actorId: 'a', images }), 'malformed')).message, /schema/);
    assert.match((await expectVisionError(vision.evaluate({ actorId: 'a', images }), 'malformed')).message, /no answer for tile 2/);
    assert.match((await expectVisionError(vision.evaluate({ actorId: 'a', images }), 'malformed')).message, /tile 3/);
    assert.match((await expectVisionError(vision.evaluate({ actorId: 'a', images }), 'malformed')).message, /schema/);
  });

  it('a wrong key is an auth error that does not echo the key', async () => {
    const images = await makeImages(temp.dir, 1);
    const wrongKey = 'sk-wrong.key.should.not.leak';
    const vision = new VisionEvaluator({ apiKey: wrongKey, baseURL: server.baseURL, sleep: async () => {} });
    try {
      await vision.evaluate({ actorId: 'a', images });
      assert.fail('expected an auth error');
    } catch (error) {
      assert.ok(error instanceof VisionEvaluationError);
      assert.equal(error.reason, 'auth');
      assert.ok(!error.message.includes(wrongKey));
    }
  });

  it('the key never appears in errors even when the server echoes it', async () => {
    const images = await makeImages(temp.dir, 1);
    server.script({ kind: 'status', status: 400, message: `bad request for key ${FAKE_OPENAI_KEY}` });
    const error = await expectVisionError(evaluator().evaluate({ actorId: 'a', images }), 'invalid_request');
    assert.match(error.message, /\[redacted\]/);
  });

  it('cancelling during a Retry-After wait stops at once without another request', async () => {
    const images = await makeImages(temp.dir, 1);
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();
    const vision = evaluator({
      sleep: async (ms, signal) => {
        waits.push(ms);
        controller.abort(new Error('cancelled by the user'));
        signal?.throwIfAborted();
      },
    });
    await assert.rejects(vision.evaluate({ actorId: 'a', images, signal: controller.signal }), /cancelled by the user/);
    assert.deepEqual(waits, [30_000]);
    assert.equal(server.requests.length, 1);
  });

  it('no images means no request', async () => {
    const result = await evaluator().evaluateDetailed({ actorId: 'a', images: [] });
    assert.deepEqual(result.evaluations, []);
    assert.equal(server.requests.length, 0);
  });
});
