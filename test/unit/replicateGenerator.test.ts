import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { ReplicateGenerator, ReplicateGeneratorOptions } from '../../src/core/generate/replicateGenerator';
import type { Sleep } from '../../src/core/util/retry';
import { GenerationError, GenerationRequest } from '../../src/core/generate/types';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { SAMPLE_DATA } from './helpers/tempData';

// Every test runs the real `replicate` SDK against the local fake of Replicate's API.
const SAMPLE_JPEG = readFileSync(path.join(SAMPLE_DATA, 'actors', '0000_european_45_female', 'training_data', '0000_european_45_female_11.jpg'));
const SAMPLE_DATA_URI = `data:image/jpeg;base64,${SAMPLE_JPEG.toString('base64')}`;
const POLL_MS = 1; // distinguishes poll waits from backoff waits in the recorded sleeps

/** A sleep that records what it was asked to wait and returns at once (still honouring aborts). */
function recordingSleep(): { waits: number[]; backoffWaits: () => number[]; sleep: Sleep } {
  const waits: number[] = [];
  const sleep: Sleep = async (ms, signal) => {
    waits.push(ms);
    signal?.throwIfAborted();
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
  };
  return { waits, backoffWaits: () => waits.filter((ms) => ms !== POLL_MS), sleep };
}

async function failureOf(promise: Promise<unknown>): Promise<GenerationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GenerationError, `expected a GenerationError, got ${util.inspect(error)}`);
    return error;
  }
  assert.fail('expected the generation to fail');
}

describe('ReplicateGenerator (real replicate SDK against a local Replicate API)', () => {
  let server: FakeReplicateServer;
  let clock: ReturnType<typeof recordingSleep>;
  let progress: string[];

  beforeEach(async () => {
    server = await FakeReplicateServer.start();
    clock = recordingSleep();
    progress = [];
  });
  afterEach(() => server.close());

  function generator(options: Partial<ReplicateGeneratorOptions> = {}): ReplicateGenerator {
    return new ReplicateGenerator({
      token: FAKE_REPLICATE_TOKEN,
      baseUrl: server.baseUrl,
      prepareInputImage: async () => SAMPLE_DATA_URI,
      pollIntervalMs: POLL_MS,
      backoff: { initialDelayMs: 100, multiplier: 2, maxDelayMs: 10_000 },
      random: () => 0.5, // no jitter: exact delays
      sleep: clock.sleep,
      ...options,
    });
  }

  function request(extra: Partial<GenerationRequest> = {}): GenerationRequest {
    return {
      actorId: '0000_european_45_female',
      baseImagePath: '/unused/because/prepareInputImage/is/injected.jpg',
      promptId: 'photo_rain_run',
      prompt: 'a woman running down a rain-slick street at night, cinematic',
      category: 'photorealistic',
      onProgress: (message) => progress.push(message),
      ...extra,
    };
  }

  it('creates the prediction, polls until it succeeds and returns the downloaded image', async () => {
    server.nextPrediction({ processingPolls: 2 });
    const times = [1000, 1750];
    const result = await generator({ now: () => times.shift() ?? 1750 }).generate(request({ seed: 42 }));

    assert.equal(server.requestsOf('create').length, 1);
    assert.deepEqual(
      server.requestsOf('get').map((get) => get.predictionId),
      ['fake0001', 'fake0001', 'fake0001'],
    );
    assert.deepEqual(result.bytes, SAMPLE_JPEG, 'the output is the input image the fake echoes back');
    assert.equal(result.extension, 'jpg');
    assert.equal(result.model, 'black-forest-labs/flux-kontext-pro');
    assert.equal(result.predictionId, 'fake0001');
    assert.equal(result.outputUrl, `${server.baseUrl.replace('/v1', '')}/files/fake0001.jpg`);
    assert.equal(result.seed, 42);
    assert.equal(result.durationMs, 750);
    assert.deepEqual(result.parameters, { prompt: request().prompt, aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2, seed: 42 });
    assert.ok(progress.includes('processing on Replicate') && progress.includes('downloading the image'), progress.join(' | '));
  });

  it('sends exactly the input flux-kontext-pro expects, with Prefer: wait and the bearer token', async () => {
    await generator().generate(request({ seed: 7 }));
    await generator({ aspectRatio: '1:1' }).generate(request());

    const [seeded, unseeded] = server.requestsOf('create');
    assert.equal(seeded.path, '/v1/models/black-forest-labs/flux-kontext-pro/predictions');
    assert.equal(seeded.headers.prefer, 'wait=60');
    assert.equal(seeded.headers.authorization, `Bearer ${FAKE_REPLICATE_TOKEN}`);
    assert.deepEqual(seeded.body, {
      input: { prompt: request().prompt, input_image: SAMPLE_DATA_URI, aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2, seed: 7 },
    });
    assert.match(seeded.body.input.input_image, /^data:image\/jpeg;base64,\/9j\//);
    assert.ok(!('seed' in unseeded.body.input), 'no seed is sent when none was asked for');
    assert.equal(unseeded.body.input.aspect_ratio, '1:1');
    assert.equal(server.requestsOf('file')[0].headers.authorization, undefined, 'the token is never sent to the output host');
  });

  it('needs no polling when Replicate finishes the prediction within Prefer: wait', async () => {
    server.nextPrediction({ syncComplete: true });
    const result = await generator().generate(request());
    assert.equal(server.requestsOf('get').length, 0);
    assert.deepEqual(result.bytes, SAMPLE_JPEG);
  });

  it('a prediction the safety filter flagged (E005) is content_filter and is not tried again', async () => {
    server.nextPrediction({ outcome: 'failed', error: E005_ERROR });
    const failure = await failureOf(generator().generate(request()));
    assert.equal(failure.reason, 'content_filter');
    assert.equal(failure.retryable, false);
    assert.match(failure.message, /flagged .* sensitive \(E005\).*prediction fake0001/);
    assert.equal(server.requestsOf('create').length, 1);
  });

  it("a prediction that failed for another reason is model_error with the model's words, not tried again", async () => {
    server.nextPrediction({ outcome: 'failed', error: 'CUDA error: out of memory' });
    const failure = await failureOf(generator().generate(request()));
    assert.equal(failure.reason, 'model_error');
    assert.match(failure.message, /The model failed on Replicate: CUDA error: out of memory/);
    assert.equal(server.requestsOf('create').length, 1);
  });

  it('429 with Retry-After in seconds: waits exactly that, says so, then succeeds', async () => {
    server.fail('create', { status: 429, headers: { 'retry-after': '3' } });
    const result = await generator().generate(request());
    assert.equal(result.predictionId, 'fake0001');
    assert.equal(server.requestsOf('create').length, 2, 'one request per attempt: the SDK did not retry on its own');
    assert.deepEqual(clock.backoffWaits(), [3000]);
    assert.ok(progress.includes('rate limited, retrying in 3 s (attempt 2 of 5)'), 'a 429 adds an attempt: ' + progress.join(' | '));
  });

  it('429 with Retry-After as an HTTP date: waits until that date', async () => {
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
    server.fail('create', { status: 429, headers: { 'retry-after': date } });
    await generator({ now: () => Date.parse(date) - 5000 }).generate(request());
    assert.deepEqual(clock.backoffWaits(), [5000]);
  });

  it('500 twice, then success: exponential backoff between three create requests', async () => {
    server.fail('create', { status: 500 }, 2);
    const result = await generator().generate(request());
    assert.equal(result.predictionId, 'fake0001');
    assert.equal(server.requestsOf('create').length, 3);
    assert.deepEqual(clock.backoffWaits(), [100, 200]);
  });

  it('500 every time: model_error after maxAttempts create requests', async () => {
    server.fail('create', { status: 500 }, Infinity);
    const failure = await failureOf(generator().generate(request()));
    assert.equal(failure.reason, 'model_error');
    assert.equal(failure.options.status, 500);
    assert.match(failure.message, /server error \(HTTP 500: Internal server error\)\. Gave up after 4 attempts\./);
    assert.equal(server.requestsOf('create').length, 4);
    assert.deepEqual(clock.backoffWaits(), [100, 200, 400]);
  });

  it('a 503 while polling is retried as a poll: one prediction, our backoff, no silent SDK retries', async () => {
    server.fail('get', { status: 503 }, 2);
    const result = await generator().generate(request());
    assert.equal(result.predictionId, 'fake0001');
    assert.equal(server.requestsOf('create').length, 1);
    assert.equal(server.predictions.size, 1);
    assert.deepEqual(clock.backoffWaits(), [100, 200]);
  });

  it('a connection reset on the create request is a network failure, and retried', async () => {
    server.fail('create', { reset: true });
    const result = await generator().generate(request());
    assert.equal(result.predictionId, 'fake0001');
    assert.equal(server.requestsOf('create').length, 2);
    assert.ok(
      progress.some((message) => message.startsWith('network error, retrying in 100 ms')),
      progress.join(' | '),
    );
  });

  for (const [status, reason, words] of [
    [402, 'billing', /no credit left \(HTTP 402: You have insufficient credit.*replicate\.com\/account\/billing/],
    [422, 'invalid_input', /rejected the request \(HTTP 422: - input\.aspect_ratio: aspect_ratio must be one of/],
    [403, 'auth', /refused the API token \(HTTP 403/],
  ] as const) {
    it(`HTTP ${status} on create is ${reason}, not retried`, async () => {
      server.fail('create', { status });
      const failure = await failureOf(generator().generate(request()));
      assert.equal(failure.reason, reason);
      assert.equal(failure.retryable, false);
      assert.match(failure.message, words);
      assert.equal(server.requestsOf('create').length, 1);
    });
  }

  it('a token Replicate does not accept (401) is auth, not retried, and the message does not repeat it', async () => {
    const wrongToken = 'r8_this.token.is.not.the.one';
    const failure = await failureOf(generator({ token: wrongToken }).generate(request()));
    assert.equal(failure.reason, 'auth');
    assert.match(failure.message, /HTTP 401: You did not pass a valid authentication token/);
    assert.ok(!failure.message.includes(wrongToken));
    assert.equal(server.requestsOf('create').length, 1);
  });

  it('no token at all is auth before anything is sent (the SDK would fall back to REPLICATE_API_TOKEN)', async () => {
    const failure = await failureOf(generator({ token: '' }).generate(request()));
    assert.equal(failure.reason, 'auth');
    assert.equal(server.requests.length, 0);
  });

  it('nothing listening: network, retried maxAttempts times, naming the host', async () => {
    const closed = await FakeReplicateServer.start();
    const deadUrl = closed.baseUrl;
    await closed.close();
    const failure = await failureOf(generator({ baseUrl: deadUrl }).generate(request()));
    assert.equal(failure.reason, 'network');
    assert.equal(failure.retryable, true);
    assert.match(
      failure.message,
      new RegExp(`Could not reach Replicate \\(${new URL(deadUrl).host.replace('.', '\\.')}\\) \\(ECONNREFUSED\\)\\. Gave up after 4 attempts`),
    );
    assert.deepEqual(clock.backoffWaits(), [100, 200, 400]);
  });

  it('a prediction slower than the timeout: timeout, and the prediction is cancelled on the server', async () => {
    server.nextPrediction({ processingPolls: Infinity });
    const failure = await failureOf(generator({ timeoutMs: 50, sleep: undefined, pollIntervalMs: 2 }).generate(request()));
    assert.equal(failure.reason, 'timeout');
    assert.match(failure.message, /did not deliver the image within 50 ms\. The prediction was cancelled on Replicate\./);
    assert.deepEqual(server.cancelledIds(), ['fake0001']);
    assert.equal(server.predictions.get('fake0001')?.status, 'canceled');
    assert.equal(server.requestsOf('create').length, 1, 'a timeout is not retried: another prediction would cost again');
  });

  it('totalTimeoutMs bounds the whole generation, backoff waits included', async () => {
    server.fail('create', { status: 429, headers: { 'retry-after': '60' } }, Infinity);
    const failure = await failureOf(generator({ totalTimeoutMs: 30, sleep: undefined }).generate(request()));
    assert.equal(failure.reason, 'timeout');
    assert.match(failure.message, /within 30 ms in all/);
    assert.equal(server.requestsOf('create').length, 1, 'the deadline ended the 60 s wait');
  });

  it('cancel (AbortSignal) mid-prediction: cancelled, and the cancel endpoint is called', async () => {
    server.nextPrediction({ processingPolls: Infinity });
    const controller = new AbortController();
    void server.waitFor((seen) => seen.kind === 'get').then(() => controller.abort());
    const failure = await failureOf(generator({ sleep: undefined }).generate(request({ signal: controller.signal })));
    assert.equal(failure.reason, 'cancelled');
    assert.match(failure.message, /prediction fake0001 cancelled on Replicate/);
    assert.deepEqual(server.cancelledIds(), ['fake0001']);
    assert.equal(server.predictions.get('fake0001')?.status, 'canceled');
  });

  it('cancel while Replicate holds the create answer: returns at once, cancels the prediction once its id arrives', async () => {
    server.fail('create', { hang: true });
    const controller = new AbortController();
    const subject = generator();
    const generating = subject.generate(request({ signal: controller.signal }));
    await server.waitFor((seen) => seen.kind === 'create');
    controller.abort();
    assert.equal((await failureOf(generating)).reason, 'cancelled');
    assert.deepEqual(server.cancelledIds(), [], 'no id yet, nothing to cancel');

    server.releaseHeld();
    await server.waitFor((seen) => seen.kind === 'cancel');
    await subject.drain();
    assert.equal(server.predictions.get('fake0001')?.status, 'canceled');
  });

  it('cancel during a backoff wait ends the wait and sends nothing more', async () => {
    server.fail('create', { status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();
    const abortingSleep: Sleep = async (_ms, signal) => {
      controller.abort();
      signal?.throwIfAborted();
    };
    const failure = await failureOf(generator({ sleep: abortingSleep }).generate(request({ signal: controller.signal })));
    assert.equal(failure.reason, 'cancelled');
    assert.equal(server.requestsOf('create').length, 1);
  });

  it('an already cancelled request sends nothing', async () => {
    const failure = await failureOf(generator().generate(request({ signal: AbortSignal.abort() })));
    assert.equal(failure.reason, 'cancelled');
    assert.equal(server.requests.length, 0);
  });

  it('output 404: output_download, and the prediction is not run again', async () => {
    server.nextPrediction({ output: 'missing' });
    const failure = await failureOf(generator().generate(request()));
    assert.equal(failure.reason, 'output_download');
    assert.match(failure.message, /HTTP 404/);
    assert.equal(server.requestsOf('create').length, 1);
    assert.equal(server.requestsOf('file').length, 1);
  });

  it('output that is not an image: output_download', async () => {
    server.nextPrediction({ output: 'not-an-image' });
    const failure = await failureOf(generator().generate(request()));
    assert.equal(failure.reason, 'output_download');
    assert.match(failure.message, /not a JPEG or PNG image/);
  });

  it('a 503 on the download is retried as a download, not as a new prediction', async () => {
    server.fail('file', { status: 503 });
    const result = await generator().generate(request());
    assert.deepEqual(result.bytes, SAMPLE_JPEG);
    assert.equal(server.requestsOf('create').length, 1);
    assert.equal(server.requestsOf('file').length, 2);
  });

  it('a base image that cannot be prepared is invalid_input, before anything is sent', async () => {
    const failure = await failureOf(generator({ prepareInputImage: async () => Promise.reject(new Error('Input file is missing')) }).generate(request()));
    assert.equal(failure.reason, 'invalid_input');
    assert.match(failure.message, /base image could not be prepared.*Input file is missing/);
    assert.equal(server.requests.length, 0);
  });

  it('never puts the token or the image into an error message, even when the server echoes them', async () => {
    const echo = (seen: { headers: { authorization?: string }; body?: { input?: unknown } }) => ({
      detail: `bad request from ${seen.headers.authorization} with input ${JSON.stringify(seen.body?.input)}`,
    });
    server.fail('create', { status: 422, body: echo }).fail('create', { status: 500, body: echo }, 4);
    server.nextPrediction({ outcome: 'failed', error: `model crashed on ${SAMPLE_DATA_URI} (token ${FAKE_REPLICATE_TOKEN})` });
    const failures = [
      await failureOf(generator().generate(request())),
      await failureOf(generator().generate(request())),
      await failureOf(generator().generate(request())),
    ];
    assert.deepEqual(
      failures.map((failure) => failure.reason),
      ['invalid_input', 'model_error', 'model_error'],
    );
    const imageSample = SAMPLE_JPEG.toString('base64').slice(100, 160);
    for (const failure of failures) {
      const everything = `${failure.message}\n${failure.stack}\n${util.inspect(failure, { depth: Infinity })}`;
      assert.ok(!everything.includes(FAKE_REPLICATE_TOKEN), everything);
      assert.ok(!everything.includes(imageSample), everything);
    }
    assert.match(failures[0].message, /Bearer \[redacted\]|\[redacted\]/);
  });
});
