import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { evaluateActorsInBatch, type BatchEvaluationOptions } from '../../src/core/app/batchEvaluation';
import type { StudioContext } from '../../src/core/app/context';
import { evaluateActors } from '../../src/core/app/evaluation';
import { createServices } from '../../src/core/app/services';
import { defaultSettings } from '../../src/core/config/studioSettings';
import { gridLayout } from '../../src/core/evaluate/compositeGrid';
import { estimateCostUsd, estimateGridRequestTokens, imageTokens } from '../../src/core/evaluate/visionCost';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { visionBatchPath } from '../../src/core/workspace/layout';
import { FAKE_OPENAI_KEY, FakeOpenAIServer, tileCount } from '../fakes/openaiServer';
import { copySampleData, REPO_ROOT } from './helpers/tempData';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

async function waitUntil(done: () => boolean, what: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out; so far: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The sample's actors with manifests; the third has none (only the old tool's response.json). */
const ACTORS = ['0000_european_45_female', '0001_european_35_male'];
const NO_MANIFEST = '0002_mixed_30_nonbinary';
/** The sample's one image its manifest does not track. */
const UNTRACKED = '0000_european_45_female_12.jpg';
/** Tracked images per actor, once UNTRACKED is gone. */
const IMAGES = { '0000_european_45_female': 12, '0001_european_35_male': 6 } as Record<string, number>;
const MODEL = 'gpt-4o-mini';

/** A fresh context, as a new process builds it: its own services and SDK client. */
function contextFor(dataRoot: string, server: FakeOpenAIServer, visionModel = MODEL): StudioContext {
  const defaults = defaultSettings();
  const settings = {
    ...defaults,
    evaluation: { ...defaults.evaluation, provider: 'openai' as const, faceIdentity: false, visionModel },
    openaiBaseUrl: server.baseURL,
  };
  return { dataRoot, services: createServices(settings, { openaiKey: FAKE_OPENAI_KEY }) };
}

const noWait: BatchEvaluationOptions = { sleep: async () => undefined, pollIntervalMs: 1 };

async function visionAnswers(dataRoot: string, actorId: string, model = MODEL): Promise<string[]> {
  const manifest = await loadManifest(path.join(dataRoot, 'actors', actorId, 'training_data', 'manifest.json'));
  return manifest.images.filter((entry) => entry.evaluation?.vision?.model === model).map((entry) => entry.filename);
}

/** The actor ids of the JSONL lines of the batch's input file. */
function linesOf(server: FakeOpenAIServer, batchId: string): { custom_id: string; body: { model: string } }[] {
  const batch = server.batches.batches.get(batchId)!;
  return server.batches.files
    .get(batch.input_file_id)!
    .content.trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('batch vision evaluation (OpenAI Batch API, real openai SDK, local server)', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let server: FakeOpenAIServer;

  beforeEach(async () => {
    sample = await copySampleData();
    server = new FakeOpenAIServer();
    await server.start();
  });
  /** Every image tracked, so every answer can be kept (the untracked case has its own test). */
  const dropUntracked = () => fs.rm(path.join(sample.dataRoot, 'actors', ACTORS[0]!, 'training_data', UNTRACKED));
  afterEach(async () => {
    await server.close();
    await sample.cleanup();
  });

  it('a completed batch is merged into the per-image cache: a synchronous evaluation afterwards pays for nothing', async () => {
    await dropUntracked();
    const estimates: unknown[] = [];
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, {
      ...noWait,
      onEstimate: (estimate) => {
        estimates.push(estimate);
        return true;
      },
    });
    assert.equal(result.outcome, 'merged');
    assert.deepEqual(
      server.batches.calls.filter((call) => call.startsWith('POST')),
      ['POST /v1/files', 'POST /v1/batches'],
    );
    const lines = linesOf(server, result.batches[0]!.id);
    assert.equal(lines.length, 2, 'one grid per actor (each has at most 20 images)');
    assert.ok(lines.every((line) => line.body.model === MODEL));
    assert.deepEqual(result.batches, [{ id: result.batches[0]!.id, status: 'completed' }]);
    for (const actorId of ACTORS) {
      assert.equal((await visionAnswers(sample.dataRoot, actorId)).length, IMAGES[actorId], actorId);
    }
    assert.deepEqual(result.failed, []);
    assert.deepEqual(result.evaluations.map((evaluation) => evaluation.actorId).sort(), ACTORS);
    // Cost before: the synchronous estimate and half of it; after: the result lines' real usage at the batch price.
    const estimate = result.estimate!;
    assert.deepEqual(estimates, [estimate]);
    assert.equal(estimate.requests, 2);
    assert.equal(estimate.images, 18);
    assert.ok(estimate.syncCostUsd! > 0);
    assert.equal(estimate.batchCostUsd, estimate.syncCostUsd! / 2);
    assert.deepEqual(result.usage, {
      model: MODEL,
      requests: 2,
      promptTokens: 2400,
      completionTokens: 600,
      batchCostUsd: estimateCostUsd(MODEL, 2400, 600)! / 2,
    });
    await assert.rejects(fs.access(visionBatchPath(sample.dataRoot)), 'the state is cleared once merged');

    const chatRequests = server.requests.length;
    const again = await evaluateActors(contextFor(sample.dataRoot, server), ACTORS);
    assert.equal(server.requests.length, chatRequests, 'no synchronous vision request after the merge');
    assert.ok(again.evaluations.every((evaluation) => evaluation.cached));
    assert.ok(again.evaluations.every((evaluation) => evaluation.evaluations.every((image) => image.vision?.model === MODEL)));
  });

  it('an expired batch: its completed lines are merged, the rest reported, and the next run sends only the rest', async () => {
    await dropUntracked();
    server.batches.expireAfterLines = 1;
    const first = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, noWait);
    assert.equal(first.batches[0]!.status, 'expired');
    const answeredActor = ACTORS[0]!;
    assert.equal((await visionAnswers(sample.dataRoot, answeredActor)).length, IMAGES[answeredActor]);
    const unanswered = ACTORS.slice(1);
    assert.deepEqual([...new Set(first.failed.map((failure) => failure.actorId))].sort(), unanswered);
    assert.equal(first.failed.length, IMAGES[unanswered[0]!]);
    assert.ok(first.failed.every((failure) => /^the batch ended \(expired\) without answering it; evaluate again to send it$/.test(failure.reason)));
    for (const actorId of unanswered) {
      assert.deepEqual(await visionAnswers(sample.dataRoot, actorId), [], `${actorId} has no vision answer`);
    }
    assert.equal(first.usage!.requests, 1);

    server.batches.expireAfterLines = undefined;
    const second = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, noWait);
    assert.equal(second.resumed, false);
    const resent = linesOf(server, second.batches[0]!.id);
    assert.equal(resent.length, 1, 'only the unanswered grid is sent again');
    assert.deepEqual(second.failed, []);
    for (const actorId of ACTORS) {
      assert.equal((await visionAnswers(sample.dataRoot, actorId)).length, IMAGES[actorId], actorId);
    }
  });

  it('partial failures: an error-file line is reported per image; the other grid is merged', async () => {
    await dropUntracked();
    server.script({ kind: 'status', status: 500, message: 'upstream broke' }, { kind: 'answer' });
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, noWait);
    const batch = server.batches.batches.get(result.batches[0]!.id)!;
    assert.deepEqual(batch.request_counts, { total: 2, completed: 1, failed: 1 });
    assert.ok(batch.error_file_id && batch.output_file_id);
    assert.deepEqual(
      result.failed.map((failure) => failure.actorId),
      Array(IMAGES[ACTORS[0]!]).fill(ACTORS[0]),
    );
    assert.ok(result.failed.every((failure) => failure.reason === 'the batch request failed (HTTP 500): upstream broke'));
    assert.deepEqual(await visionAnswers(sample.dataRoot, ACTORS[0]!), []);
    assert.equal((await visionAnswers(sample.dataRoot, ACTORS[1]!)).length, IMAGES[ACTORS[1]!]);
    // The unanswered images are not cached as complete: a synchronous run asks the model about them only.
    const before = server.requests.length;
    const again = await evaluateActors(contextFor(sample.dataRoot, server), ACTORS);
    assert.equal(server.requests.length - before, 1);
    assert.equal(tileCount(server.requests.at(-1)!), IMAGES[ACTORS[0]!]);
    assert.ok(again.evaluations.every((evaluation) => evaluation.evaluations.every((image) => image.vision)));
  });

  it('answers that are refused or malformed are reported per image with the reason, and not merged', async () => {
    await dropUntracked();
    server.script({ kind: 'refusal', refusal: 'I cannot judge these.' }, { kind: 'content', content: '{"images": [' });
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, noWait);
    const reasons = (actorId: string) => new Set(result.failed.filter((failure) => failure.actorId === actorId).map((failure) => failure.reason));
    assert.equal(result.failed.length, IMAGES[ACTORS[0]!]! + IMAGES[ACTORS[1]!]!);
    assert.match([...reasons(ACTORS[0]!)].join(), /^The model refused to evaluate the images: I cannot judge these\.$/);
    assert.match([...reasons(ACTORS[1]!)].join(), /^The model answer is not valid JSON/);
    assert.deepEqual(result.evaluations, []);
    for (const actorId of ACTORS) {
      assert.deepEqual(await visionAnswers(sample.dataRoot, actorId), []);
    }
  });

  it('images no manifest tracks are not sent (their answers could not be kept) and are reported', async () => {
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), [...ACTORS, NO_MANIFEST], noWait);
    assert.deepEqual(result.failed, []);
    const notSent = result.notSent.map((image) => `${image.actorId}/${image.filename}`).sort();
    assert.deepEqual(notSent, [
      `${ACTORS[0]}/${UNTRACKED}`,
      `${NO_MANIFEST}/${NO_MANIFEST}_0.jpg`,
      `${NO_MANIFEST}/${NO_MANIFEST}_1.jpg`,
      `${NO_MANIFEST}/${NO_MANIFEST}_2.jpg`,
    ]);
    assert.ok(result.notSent.every((image) => /^not sent: its manifest does not track it/.test(image.reason)));
    const lines = linesOf(server, result.batches[0]!.id);
    assert.equal(lines.length, 2);
    assert.equal(result.estimate!.images, 18);
    assert.equal(server.requests.length, 2, 'the two batch lines, and no synchronous request for the images left out');
  });

  it("an image that cannot be decoded leaves its actor's grid out of the batch, reported, and the other grid goes", async () => {
    await dropUntracked();
    await fs.writeFile(path.join(sample.dataRoot, 'actors', ACTORS[1]!, 'training_data', `${ACTORS[1]}_2.jpg`), 'not a jpeg');
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, noWait);
    assert.equal(linesOf(server, result.batches[0]!.id).length, 1);
    assert.equal(result.notSent.length, IMAGES[ACTORS[1]!]);
    assert.ok(result.notSent.every((image) => image.actorId === ACTORS[1] && image.reason.startsWith('not sent: ')));
    assert.deepEqual(result.failed, []);
    assert.equal((await visionAnswers(sample.dataRoot, ACTORS[0]!)).length, IMAGES[ACTORS[0]!]);
  });

  it('a restart mid-poll: the second process polls the saved batch id and creates no second batch', async () => {
    await dropUntracked();
    server.batches.pollsInProgress = 3;
    const stop = new AbortController();
    await assert.rejects(
      evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, {
        ...noWait,
        signal: stop.signal,
        onPoll: (poll) => {
          if (poll.status === 'in_progress') stop.abort();
        },
      }),
    );
    const saved = JSON.parse(await fs.readFile(visionBatchPath(sample.dataRoot), 'utf8'));
    assert.match(saved.batches[0].batch_id, /^batch_/);
    assert.equal(Object.keys(saved.batches[0].requests).length, 2);
    assert.equal(saved.estimate.requests, 2);

    const polls: string[] = [];
    const resumed = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, { ...noWait, onPoll: (poll) => polls.push(poll.status) });
    assert.equal(resumed.resumed, true);
    assert.deepEqual(resumed.batches, [{ id: saved.batches[0].batch_id, status: 'completed' }]);
    assert.equal(server.batches.calls.filter((call) => call === 'POST /v1/batches').length, 1, 'no second batch');
    assert.equal(server.batches.calls.filter((call) => call === 'POST /v1/files').length, 1, 'no second upload');
    assert.deepEqual(polls.at(-1), 'completed');
    for (const actorId of ACTORS) {
      assert.equal((await visionAnswers(sample.dataRoot, actorId)).length, IMAGES[actorId], actorId);
    }
  });

  it('after a restart: an image changed since it was sent gets no answer, and a model changed in the settings does not relabel the answers', async () => {
    await dropUntracked();
    server.batches.pollsInProgress = 3;
    const stop = new AbortController();
    const submitting = evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, {
      ...noWait,
      signal: stop.signal,
      onPoll: () => stop.abort(),
    });
    await assert.rejects(submitting);
    const carl = path.join(sample.dataRoot, 'actors', ACTORS[1]!, 'training_data');
    await fs.copyFile(path.join(carl, `${ACTORS[1]}_0.jpg`), path.join(carl, `${ACTORS[1]}_1.jpg`));

    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server, 'gpt-4.1'), ACTORS, noWait);
    assert.equal(result.resumed, true);
    assert.equal(result.usage!.model, MODEL, 'read with the model the batch was sent to');
    const answered = await visionAnswers(sample.dataRoot, ACTORS[1]!);
    assert.equal(answered.length, IMAGES[ACTORS[1]!]! - 1);
    assert.ok(!answered.includes(`${ACTORS[1]}_1.jpg`), 'the answer was for other bytes');
  });

  it('past the per-batch limit the grids go in several batches, each saved, polled and merged', async () => {
    await dropUntracked();
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, { ...noWait, maxRequestsPerBatch: 1 });
    assert.equal(result.batches.length, 2);
    assert.deepEqual(
      result.batches.map((batch) => linesOf(server, batch.id).length),
      [1, 1],
    );
    assert.ok(result.batches.every((batch) => batch.status === 'completed'));
    assert.equal(result.usage!.requests, 2);
    for (const actorId of ACTORS) {
      assert.equal((await visionAnswers(sample.dataRoot, actorId)).length, IMAGES[actorId], actorId);
    }
  });

  it('a saved state with an actor id that is a path is refused, naming the file', async () => {
    const file = visionBatchPath(sample.dataRoot);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const state = {
      schema_version: 1,
      model: MODEL,
      created_at: '2026-12-06T09:00:00.000Z',
      estimate: { requests: 1, prompt_tokens: 1, completion_tokens: 1, sync_cost_usd: null, batch_cost_usd: null },
      batches: [
        {
          batch_id: 'batch_1',
          input_file_id: 'file-1',
          requests: { 'grid-1': { actor_id: '../outside', images: [{ tile: 1, filename: 'a.jpg', sha256: 'a'.repeat(64) }] } },
        },
      ],
    };
    await fs.writeFile(file, JSON.stringify(state));
    await assert.rejects(evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, noWait), (error: Error) => {
      assert.ok(error.message.startsWith(file), error.message);
      assert.match(error.message, /plain name/);
      return true;
    });
    assert.deepEqual(server.batches.calls, [], 'nothing is polled or sent for a state that fails validation');
  });

  it('declining at the estimate submits nothing and saves no state', async () => {
    const result = await evaluateActorsInBatch(contextFor(sample.dataRoot, server), ACTORS, { ...noWait, onEstimate: () => false });
    assert.equal(result.outcome, 'declined');
    assert.deepEqual(server.batches.calls, []);
    await assert.rejects(fs.access(visionBatchPath(sample.dataRoot)));
  });

  const run = async (args: string[], env: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text), cwd: sample.dir, isTTY: false, env };
    const code = await runCli(args, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('evaluate --all --batch shows the estimate before, the batch usage after, and never the key', async () => {
    const env = { OPENAI_API_KEY: FAKE_OPENAI_KEY, ACTOR_STUDIO_OPENAI_BASE_URL: server.baseURL };
    const { code, out, err } = await run(['evaluate', '--all', '--batch', '--poll-interval', '0.01', '--skip-face'], env);
    assert.equal(code, 0, err);
    assert.match(
      err,
      /^batch gpt-4o: 2 request\(s\) for 18 image\(s\) of 2 actor\(s\), about \d+ prompt \+ \d+ completion tokens: estimated \$\d+\.\d{4} synchronously, \$\d+\.\d{4} with the Batch API$/m,
    );
    assert.match(err, /batch_\d+: completed, 2\/2 done/);
    assert.match(err, /0002_mixed_30_nonbinary_0\.jpg: not sent: its manifest does not track it/);
    assert.match(out, /^vision gpt-4o \(batch\): 2 request\(s\), 2400 prompt \+ 600 completion tokens, estimated \$0\.0060 at the batch price$/m);
    assert.match(out, /^0001_european_35_male$/m);
    assert.ok(!out.includes(FAKE_OPENAI_KEY) && !err.includes(FAKE_OPENAI_KEY));
  });

  it('Ctrl+C in a real process leaves the batch running; a second process collects it without creating another', async () => {
    await dropUntracked();
    server.batches.pollsInProgress = Number.MAX_SAFE_INTEGER;
    const env = { ...process.env, OPENAI_API_KEY: FAKE_OPENAI_KEY, ACTOR_STUDIO_OPENAI_BASE_URL: server.baseURL };
    const args = [CLI, 'evaluate', '--data', sample.dataRoot, '--all', '--batch', '--poll-interval', '0.05', '--skip-face'];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitUntil(
      () => /: in_progress, 0\/2 done/.test(stderr),
      () => stderr,
    );
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /Ctrl\+C stops waiting; the batch keeps running/);
    const saved = JSON.parse(await fs.readFile(visionBatchPath(sample.dataRoot), 'utf8'));
    assert.match(saved.batches[0].batch_id, /^batch_/);

    server.batches.pollsInProgress = 0;
    const second = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    second.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    assert.equal(await new Promise((resolve) => second.on('exit', resolve)), 0, out);
    assert.match(out, new RegExp(`collected batch ${saved.batches[0].batch_id} \\(completed\\), submitted by an earlier run`));
    assert.equal(server.batches.calls.filter((call) => call === 'POST /v1/batches').length, 1, 'no second batch');
    for (const actorId of ACTORS) {
      assert.equal((await visionAnswers(sample.dataRoot, actorId, 'gpt-4o')).length, IMAGES[actorId], `${actorId}, by the default model`);
    }
  });

  it('--batch without a key, or with the local evaluator, is an input error (exit 2)', async () => {
    const withoutKey = await run(['evaluate', '--all', '--batch'], {});
    assert.equal(withoutKey.code, 2);
    assert.match(withoutKey.err, /--batch sends the grids to the OpenAI vision model: set OPENAI_API_KEY/);
    const local = await run(['evaluate', '--all', '--batch', '--evaluator', 'local'], { OPENAI_API_KEY: FAKE_OPENAI_KEY });
    assert.equal(local.code, 2);
    const badInterval = await run(['evaluate', '--all', '--batch', '--poll-interval', 'soon'], { OPENAI_API_KEY: FAKE_OPENAI_KEY });
    assert.equal(badInterval.code, 2);
    assert.match(badInterval.err, /--poll-interval must be a number of seconds above 0, not "soon"/);
    assert.deepEqual(server.batches.calls, []);
  });
});

describe('batch vision evaluation: the estimate before sending', () => {
  it('counts image tokens by the tile rule: fitted in 2048, the short side at most 768, 170 a 512-pixel tile plus 85', () => {
    assert.equal(imageTokens(512, 512), 85 + 170);
    assert.equal(imageTokens(1304, 1044), 85 + 170 * 4, 'a 20-tile grid scales to 959 x 768: 2 x 2 tiles');
    assert.equal(imageTokens(4096, 1024), 85 + 170 * 4, '2048 x 512 after fitting');
    assert.equal(imageTokens(768, 768, 'low'), 85);
  });

  it('a grid request: the prompt text, the grid and the base image in, about 75 tokens a tile out', () => {
    const grid = gridLayout(20);
    assert.deepEqual([grid.width, grid.height], [1304, 1044]);
    const withBase = estimateGridRequestTokens(20, 'x'.repeat(400), { hasBase: true });
    assert.deepEqual(withBase, { promptTokens: 100 + 765 + 765, completionTokens: 10 + 75 * 20 });
    const withoutBase = estimateGridRequestTokens(3, 'x'.repeat(40), { hasBase: false });
    assert.equal(withoutBase.promptTokens, 10 + imageTokens(gridLayout(3).width, gridLayout(3).height));
  });
});
