// The ten logged failure reasons from errors the real SDKs throw: replicate and openai against
// their local fakes, @aws-sdk/client-s3 against s3rver. No error object here is built by hand.
import * as assert from 'node:assert/strict';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import OpenAI from 'openai';
import Replicate from 'replicate';
import { StorageError } from '../../src/core/storage/errors';
import { failureReasonOf } from '../../src/core/generate/failureReasonOf';
import { singleShotFetch } from '../../src/core/generate/replicateTransport';
import { FAKE_OPENAI_KEY, FakeOpenAIServer, type ScriptedAnswer } from '../fakes/openaiServer';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, type Fault, FakeReplicateServer } from '../fakes/replicateServer';
import { s3StoreFor, S3TestServer, startS3Server } from '../fakes/s3Server';

const MODEL = 'black-forest-labs/flux-kontext-pro';
const INPUT = { prompt: 'a portrait', input_image: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD' };

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return assert.fail('expected a rejection');
}

describe('failure reasons from the real SDKs', function () {
  this.timeout(60000);

  describe('replicate', () => {
    let server: FakeReplicateServer;
    beforeEach(async () => {
      server = await FakeReplicateServer.start();
    });
    afterEach(() => server.close());

    const client = () => new Replicate({ auth: FAKE_REPLICATE_TOKEN, baseUrl: server.baseUrl, fetch: singleShotFetch(fetch) });
    const table: [Fault, string][] = [
      [{ status: 401 }, 'auth'],
      [{ status: 402 }, 'billing'],
      [{ status: 422 }, 'invalid_input'],
      [{ status: 429 }, 'rate_limit'],
      [{ status: 500 }, 'model_error'],
      [{ reset: true }, 'network'],
    ];
    for (const [fault, reason] of table) {
      it(`${JSON.stringify(fault)} on create -> ${reason}`, async () => {
        server.fail('create', fault);
        const error = await thrown(client().predictions.create({ model: MODEL, input: INPUT }));
        assert.equal(failureReasonOf(error, 'generate'), reason);
      });
    }

    it('a prediction flagged E005 -> content_filter; the output connection reset while downloading -> output_download', async () => {
      server.nextPrediction({ outcome: 'failed', error: E005_ERROR });
      const flagged = await thrown(client().run(MODEL, { input: INPUT, wait: { mode: 'poll', interval: 1 } }));
      assert.equal(failureReasonOf(flagged, 'generate'), 'content_filter');
      const done = await client().wait(await client().predictions.create({ model: MODEL, input: INPUT }), { interval: 1 });
      server.fail('file', { reset: true });
      const downloadError = await thrown(fetch(String(done.output)));
      assert.equal(failureReasonOf(downloadError, 'download'), 'output_download');
      assert.equal(failureReasonOf(downloadError, 'generate'), 'network', 'the same reset while asking the model is network');
    });
  });

  describe('openai', () => {
    let server: FakeOpenAIServer;
    beforeEach(async () => {
      server = new FakeOpenAIServer();
      await server.start();
    });
    afterEach(() => server.close());

    const client = (options: { apiKey?: string; timeout?: number } = {}) =>
      new OpenAI({ apiKey: options.apiKey ?? FAKE_OPENAI_KEY, baseURL: server.baseURL, maxRetries: 0, timeout: options.timeout ?? 10_000 });
    const ask = (openai: OpenAI, signal?: AbortSignal) =>
      thrown(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { signal }));

    const table: [string, ScriptedAnswer, new (...args: never[]) => Error, string][] = [
      ['429 rate limited', { kind: 'status', status: 429, headers: { 'retry-after': '2' } }, OpenAI.RateLimitError, 'rate_limit'],
      [
        '429 insufficient_quota',
        {
          kind: 'status',
          status: 429,
          code: 'insufficient_quota',
          type: 'insufficient_quota',
          message: 'You exceeded your current quota, please check your plan and billing details.',
        },
        OpenAI.RateLimitError,
        'billing',
      ],
      ['400 bad request', { kind: 'status', status: 400, type: 'invalid_request_error', message: 'Invalid image.' }, OpenAI.BadRequestError, 'invalid_input'],
      [
        '400 content_policy_violation',
        { kind: 'status', status: 400, code: 'content_policy_violation', type: 'invalid_request_error' },
        OpenAI.BadRequestError,
        'content_filter',
      ],
      ['403 permission denied', { kind: 'status', status: 403, code: 'unsupported_country_region_territory' }, OpenAI.PermissionDeniedError, 'auth'],
      ['500 server error', { kind: 'status', status: 500 }, OpenAI.InternalServerError, 'model_error'],
    ];
    for (const [what, answer, errorClass, reason] of table) {
      it(`${what}: the SDK's ${errorClass.name} -> ${reason}`, async () => {
        server.script(answer);
        const error = await ask(client());
        assert.ok(error instanceof errorClass, `the SDK threw its ${errorClass.name}`);
        assert.equal(failureReasonOf(error, 'generate'), reason);
      });
    }

    it("a key the server refuses: the SDK's AuthenticationError -> auth", async () => {
      const error = await ask(client({ apiKey: 'not-the-right-key' }));
      assert.ok(error instanceof OpenAI.AuthenticationError);
      assert.equal(failureReasonOf(error, 'generate'), 'auth');
    });

    it("no answer in time: the SDK's APIConnectionTimeoutError -> timeout", async () => {
      server.script({ kind: 'slow', ms: 2000 });
      const error = await ask(client({ timeout: 200 }));
      assert.ok(error instanceof OpenAI.APIConnectionTimeoutError);
      assert.equal(failureReasonOf(error, 'generate'), 'timeout');
    });

    it("nothing listening: the SDK's APIConnectionError -> network; Cancel: APIUserAbortError -> cancelled", async () => {
      const openai = client();
      await server.close();
      const error = await ask(openai);
      assert.ok(error instanceof OpenAI.APIConnectionError && !(error instanceof OpenAI.APIConnectionTimeoutError));
      assert.equal(failureReasonOf(error, 'generate'), 'network');
      await server.start();
      server.script({ kind: 'slow', ms: 2000 });
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      const cancelled = await ask(client(), abort.signal);
      assert.ok(cancelled instanceof OpenAI.APIUserAbortError);
      assert.equal(failureReasonOf(cancelled, 'generate'), 'cancelled');
    });
  });

  describe('@aws-sdk/client-s3', () => {
    let server: S3TestServer;
    before(async () => {
      server = await startS3Server();
    });
    after(() => server.dispose());

    it("rejected credentials: the store's StorageError and the raw S3ServiceException are storage, not auth", async () => {
      const wrong = { accessKeyId: 'NOT-A-REAL-KEY', secretAccessKey: 'not-the-secret-either' };
      const store = s3StoreFor(server, { credentials: wrong });
      try {
        const error = await thrown(store.put('k.jpg', Buffer.from('x'), 'image/jpeg'));
        assert.ok(error instanceof StorageError && error.reason === 'invalid_credentials');
        assert.equal(failureReasonOf(error, 'store'), 'storage');
      } finally {
        await store.dispose();
      }
      const client = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: wrong, maxAttempts: 1 });
      const raw = await thrown(client.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'k.jpg', Body: 'x' })));
      client.destroy();
      assert.ok(raw instanceof S3ServiceException, "the SDK's own exception");
      assert.equal(failureReasonOf(raw, 'generate'), 'storage', 'an AWS error is storage whatever the step');
    });

    it("S3 down: the store's network StorageError and the raw connection error are storage", async () => {
      const store = s3StoreFor(server);
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        maxAttempts: 1,
      });
      await server.stop();
      try {
        const error = await thrown(store.put('k.jpg', Buffer.from('x'), 'image/jpeg'));
        assert.ok(error instanceof StorageError && error.reason === 'network');
        assert.equal(failureReasonOf(error, 'store'), 'storage');
        const raw = await thrown(client.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'k.jpg', Body: 'x' })));
        assert.match(String((raw as NodeJS.ErrnoException).code ?? (raw as Error).message), /ECONNREFUSED|ECONNRESET/);
        assert.equal(failureReasonOf(raw, 'store'), 'storage', 'S3 being down is storage, not network');
      } finally {
        client.destroy();
        await store.dispose();
        await server.restart();
      }
    });
  });
});
