import * as assert from 'node:assert/strict';
import Replicate from 'replicate';
import { apiErrorDetail, classifyFailure, FailurePhase, predictionFailure } from '../../src/core/generate/failures';
import { redactSecrets } from '../../src/core/util/redact';
import { imageExtensionOf, outputUrlOf } from '../../src/core/generate/replicateGenerator';
import { singleShotFetch } from '../../src/core/generate/replicateTransport';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, Fault, FakeReplicateServer } from '../fakes/replicateServer';

// The SDK's internal FileOutput factory, to classify exactly what run() hands out with useFileOutput.
const { createFileOutput } = require('replicate/lib/stream') as { createFileOutput: (options: { url: string; fetch: typeof fetch }) => unknown };

const INPUT = { prompt: 'a portrait', input_image: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD' };

/** What the real SDK throws when the fake answers the create request with `fault`. */
async function sdkErrorFor(server: FakeReplicateServer, fault: Fault): Promise<unknown> {
  server.fail('create', fault);
  const client = new Replicate({ auth: FAKE_REPLICATE_TOKEN, baseUrl: server.baseUrl, fetch: singleShotFetch(fetch) });
  try {
    await client.predictions.create({ model: 'black-forest-labs/flux-kontext-pro', input: INPUT });
  } catch (error) {
    return error;
  }
  assert.fail('expected the SDK to throw');
}

describe('Replicate failure classification', () => {
  let server: FakeReplicateServer;
  beforeEach(async () => {
    server = await FakeReplicateServer.start();
  });
  afterEach(() => server.close());

  describe('the errors the real SDK throws', () => {
    const table: [Fault, string, boolean][] = [
      [{ status: 401 }, 'auth', false],
      [{ status: 403 }, 'auth', false],
      [{ status: 402 }, 'billing', false],
      [{ status: 429, headers: { 'retry-after': '7' } }, 'rate_limit', true],
      [{ status: 400 }, 'invalid_input', false],
      [{ status: 422 }, 'invalid_input', false],
      [{ status: 404 }, 'invalid_input', false],
      [{ status: 500 }, 'model_error', true],
      [{ status: 503 }, 'model_error', true],
      [{ reset: true }, 'network', true],
    ];
    for (const [fault, reason, retryable] of table) {
      it(`${JSON.stringify(fault)} on create -> ${reason}${retryable ? ', retryable' : ''}`, async () => {
        const failure = classifyFailure(await sdkErrorFor(server, fault), {
          phase: 'create',
          secrets: [FAKE_REPLICATE_TOKEN],
          model: 'black-forest-labs/flux-kontext-pro',
        });
        assert.equal(failure.reason, reason);
        assert.equal(failure.retryable, retryable);
        if ('status' in fault) {
          assert.equal(failure.options.status, fault.status);
        }
      });
    }

    it('429: Retry-After from the header, else from Replicate\'s "Expected available in N seconds"', async () => {
      const withHeader = classifyFailure(await sdkErrorFor(server, { status: 429, headers: { 'retry-after': '7' } }), { phase: 'create' });
      const withoutHeader = classifyFailure(await sdkErrorFor(server, { status: 429 }), { phase: 'create' });
      assert.equal(withHeader.options.retryAfterMs, 7000);
      assert.equal(withoutHeader.options.retryAfterMs, 1000);
    });

    it("a 402 says what to do, with Replicate's own words", async () => {
      const failure = classifyFailure(await sdkErrorFor(server, { status: 402 }), { phase: 'create' });
      assert.match(failure.message, /no credit left \(HTTP 402: You have insufficient credit to run this model/);
      assert.match(failure.message, /Add credit at https:\/\/replicate\.com\/account\/billing/);
    });

    it('a connection refused names the service and the code', async () => {
      const closed = await FakeReplicateServer.start();
      await closed.close();
      const client = new Replicate({ auth: FAKE_REPLICATE_TOKEN, baseUrl: closed.baseUrl, fetch: singleShotFetch(fetch) });
      const error = await client.predictions.get('abc').catch((thrown: unknown) => thrown);
      const failure = classifyFailure(error, { phase: 'poll', service: 'Replicate (example)' });
      assert.equal(failure.reason, 'network');
      assert.equal(failure.retryable, true);
      assert.equal(failure.message, 'Could not reach Replicate (example) (ECONNREFUSED).');
    });

    it('run()\'s plain "Prediction failed: ..." Error: E005 is content_filter, anything else model_error', async () => {
      const client = new Replicate({ auth: FAKE_REPLICATE_TOKEN, baseUrl: server.baseUrl, fetch: singleShotFetch(fetch) });
      server.nextPrediction({ outcome: 'failed', error: E005_ERROR }, { outcome: 'failed', error: 'Traceback: RuntimeError: boom' });
      const runIt = () =>
        client.run('black-forest-labs/flux-kontext-pro', { input: INPUT, wait: { mode: 'poll', interval: 1 } }).catch((thrown: unknown) => thrown);
      const flagged = await runIt();
      const crashed = await runIt();
      assert.equal((flagged as Error).message, `Prediction failed: ${E005_ERROR}`, "the SDK's shape, as documented in failures.ts");
      assert.equal(classifyFailure(flagged, { phase: 'poll' }).reason, 'content_filter');
      assert.equal(classifyFailure(crashed, { phase: 'poll' }).reason, 'model_error');
    });

    it('the SDK alone sends a rate-limited create 6 times without waiting; through singleShotFetch once', async () => {
      server.fail('create', { status: 429, headers: { 'retry-after': '30' } }, Infinity);
      const plain = new Replicate({ auth: FAKE_REPLICATE_TOKEN, baseUrl: server.baseUrl });
      await assert.rejects(plain.predictions.create({ model: 'a/b', input: INPUT }), { name: 'ApiError' });
      assert.equal(server.requestsOf('create').length, 6);

      const wrapped = new Replicate({ auth: FAKE_REPLICATE_TOKEN, baseUrl: server.baseUrl, fetch: singleShotFetch(fetch) });
      const error = await wrapped.predictions.create({ model: 'a/b', input: INPUT }).catch((thrown: unknown) => thrown);
      assert.equal(server.requestsOf('create').length, 7);
      assert.equal((error as { response: Response }).response.headers.get('retry-after'), '30', 'the real response headers reach our loop');
    });
  });

  describe('by phase and kind', () => {
    const http = (status: number, phase: FailurePhase) => {
      const error = Object.assign(new Error(`Request to https://x/y failed with status ${status} Whatever: {"detail":"d"}.`), {
        name: 'ApiError',
        response: new Response(null, { status }),
      });
      return classifyFailure(error, { phase });
    };

    it('HTTP errors while downloading are output_download; only 5xx and 429 are worth retrying', () => {
      assert.deepEqual(
        [http(404, 'download'), http(503, 'download'), http(429, 'download')].map((f) => [f.reason, f.retryable]),
        [
          ['output_download', false],
          ['output_download', true],
          ['output_download', true],
        ],
      );
    });

    it("a 422 whose detail is the safety filter's is content_filter", () => {
      const error = Object.assign(new Error(`Request to https://x/y failed with status 422 Unprocessable Entity: {"detail":"${E005_ERROR}"}.`), {
        name: 'ApiError',
        response: new Response(null, { status: 422 }),
      });
      assert.equal(classifyFailure(error, { phase: 'create' }).reason, 'content_filter');
    });

    it('a 404 while polling means the prediction is gone: model_error', () => {
      assert.equal(http(404, 'poll').reason, 'model_error');
    });

    it('abort reasons: AbortError is cancelled, TimeoutError is timeout', () => {
      assert.equal(classifyFailure(new DOMException('aborted', 'AbortError'), { phase: 'poll' }).reason, 'cancelled');
      assert.equal(classifyFailure(new DOMException('timed out', 'TimeoutError'), { phase: 'create' }).reason, 'timeout');
    });

    it('network errors while downloading are output_download, retryable', () => {
      const reset = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
      const failure = classifyFailure(reset, { phase: 'download' });
      assert.deepEqual([failure.reason, failure.retryable], ['output_download', true]);
    });

    it('DNS failures are network', () => {
      const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND api.replicate.com'), { code: 'ENOTFOUND' }) });
      assert.equal(classifyFailure(dns, { phase: 'create' }).reason, 'network');
    });
  });

  describe('failed predictions', () => {
    for (const text of [
      E005_ERROR,
      'E005: The input or output was flagged as sensitive. Please try again.',
      'NSFW content detected. Try running it again, or try a different prompt.',
      'Content moderated',
    ]) {
      it(`"${text.slice(0, 40)}..." is content_filter, not retryable`, () => {
        const failure = predictionFailure(text);
        assert.deepEqual([failure.reason, failure.retryable], ['content_filter', false]);
      });
    }

    it('any other error text is model_error, not retryable, with the text', () => {
      const failure = predictionFailure('CUDA out of memory');
      assert.deepEqual([failure.reason, failure.retryable], ['model_error', false]);
      assert.equal(failure.message, 'The model failed on Replicate: CUDA out of memory');
    });
  });

  describe('redaction', () => {
    it('removes the given secrets, any data URI, r8_ tokens and bearer credentials', () => {
      const dataUri = `data:image/jpeg;base64,${'A'.repeat(64)}`;
      const text = `token ${FAKE_REPLICATE_TOKEN} image ${dataUri} other data:image/png;base64,iVBORw0KGgoAAAANSUhEUg header Bearer abcdefghijkl r8_SomeOtherToken1234`;
      const clean = redactSecrets(text, [FAKE_REPLICATE_TOKEN, dataUri]);
      assert.equal(clean, 'token [redacted] image [image data] other data:image/png;base64,[44 chars] header Bearer [redacted] r8_[redacted]');
    });

    it('reads the detail out of an ApiError message, JSON or not', () => {
      assert.equal(
        apiErrorDetail('Request to https://a/b failed with status 402 Payment Required: {"title":"Insufficient credit","detail":"No money","status":402}.'),
        'No money',
      );
      assert.equal(apiErrorDetail('Request to https://a/b failed with status 502 Bad Gateway: <html>bad gateway</html>.'), '<html>bad gateway</html>');
      assert.equal(apiErrorDetail('something else'), '');
    });
  });

  describe('outputs', () => {
    it('takes the URL of a string output, the first of a list, or a FileOutput', () => {
      const url = 'https://replicate.delivery/xezq/abc/output.jpg';
      assert.equal(outputUrlOf(url), url);
      assert.equal(outputUrlOf([url, 'https://other']), url);
      // FileOutput starts fetching at once; a local fetch keeps the test off the network.
      const fileOutput = createFileOutput({ url, fetch: async () => new Response(new Uint8Array([0xff, 0xd8, 0xff])) });
      assert.equal(outputUrlOf(fileOutput), url);
      assert.equal(outputUrlOf(null), undefined);
      assert.equal(outputUrlOf({}), undefined);
    });

    it('knows JPEG and PNG by their magic bytes, nothing else', () => {
      assert.equal(imageExtensionOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpg');
      assert.equal(imageExtensionOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'png');
      assert.equal(imageExtensionOf(Buffer.from('<html>')), undefined);
      assert.equal(imageExtensionOf(Buffer.alloc(0)), undefined);
    });
  });
});
