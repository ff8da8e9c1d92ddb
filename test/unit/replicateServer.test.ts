import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ReplicateGenerator } from '../../src/core/generate/replicateGenerator';
import type { GenerationResult } from '../../src/core/generate/types';
import { FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { SAMPLE_DATA } from './helpers/tempData';

const SAMPLE_JPEG = readFileSync(path.join(SAMPLE_DATA, 'actors', '0001_european_35_male', 'training_data', '0001_european_35_male_4.jpg'));
const AUTH = { authorization: `Bearer ${FAKE_REPLICATE_TOKEN}`, 'content-type': 'application/json' };
const INPUT = { prompt: 'a portrait', input_image: `data:image/jpeg;base64,${SAMPLE_JPEG.toString('base64')}` };

describe('the fake Replicate server (test/fakes/replicateServer.ts)', () => {
  let server: FakeReplicateServer;
  afterEach(() => server?.close());

  async function create(headers: Record<string, string> = AUTH): Promise<Response> {
    return fetch(`${server.baseUrl}/models/black-forest-labs/flux-kontext-pro/predictions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ input: INPUT }),
    });
  }
  async function status(id: string): Promise<string> {
    return ((await (await fetch(`${server.baseUrl}/predictions/${id}`, { headers: AUTH })).json()) as { status: string }).status;
  }

  it('wants the bearer token on the API (401 like Replicate) but not on output files', async () => {
    server = await FakeReplicateServer.start({ plan: { syncComplete: true } });
    const refused = await create({ 'content-type': 'application/json' });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { title: string }).title, 'Unauthenticated');

    const created = await create({ ...AUTH, prefer: 'wait' });
    const prediction = (await created.json()) as { status: string; output: string };
    assert.equal(created.status, 201);
    assert.equal(prediction.status, 'succeeded', 'Prefer: wait with syncComplete finishes inside the create answer');
    const file = await fetch(prediction.output);
    assert.equal(file.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), SAMPLE_JPEG, 'the output is the decoded input image');
  });

  it('moves a prediction starting -> processing -> succeeded, one status poll at a time', async () => {
    server = await FakeReplicateServer.start({ plan: { processingPolls: 2 } });
    const { id, status: first } = (await (await create()).json()) as { id: string; status: string };
    assert.deepEqual(
      [first, await status(id), await status(id), await status(id), await status(id)],
      ['starting', 'processing', 'processing', 'succeeded', 'succeeded'],
    );
  });

  it('counts predictions in flight and the most at once; cancel ends one', async () => {
    server = await FakeReplicateServer.start({ plan: { processingPolls: Infinity } });
    const ids = await Promise.all([create(), create(), create()].map(async (response) => ((await (await response).json()) as { id: string }).id));
    const cancelled = await fetch(`${server.baseUrl}/predictions/${ids[1]}/cancel`, { method: 'POST', headers: AUTH });
    assert.equal(((await cancelled.json()) as { status: string }).status, 'canceled');
    assert.equal(server.stats.maxInFlightPredictions, 3);
    assert.equal(server.stats.inFlightPredictions, 2);
    assert.deepEqual(server.cancelledIds(), [ids[1]]);
  });

  it('draws the same random faults for the same seed, at about the asked rate', async () => {
    const faultedRequests = async (): Promise<number[]> => {
      server = await FakeReplicateServer.start({ randomFaults: { rate: 0.25, seed: 42, faults: [{ status: 500 }, { status: 429 }] } });
      for (let i = 0; i < 100; i++) {
        await fetch(`${server.baseUrl}/predictions/nope`, { headers: AUTH });
      }
      const seqs = server.requests.filter((request) => request.fault).map((request) => request.seq);
      await server.close();
      return seqs;
    };
    const first = await faultedRequests();
    const second = await faultedRequests();
    assert.deepEqual(first, second);
    assert.ok(first.length >= 15 && first.length <= 35, `${first.length} faults in 100 requests`);
  });

  it('a batch under 20% random faults: every image arrives, one prediction each, never more than 2 at once', async () => {
    server = await FakeReplicateServer.start({ randomFaults: { rate: 0.2, seed: 7, on: ['create', 'get', 'file'] } });
    const generator = new ReplicateGenerator({
      token: FAKE_REPLICATE_TOKEN,
      baseUrl: server.baseUrl,
      prepareInputImage: async () => INPUT.input_image,
      maxAttempts: 10, // 0.2^10: the chance that one step keeps failing is negligible
      pollIntervalMs: 0,
      sleep: async (_ms, signal) => signal?.throwIfAborted(),
    });
    const results: GenerationResult[] = [];
    const queue = Array.from({ length: 10 }, (_, index) => index);
    const worker = async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        results.push(
          await generator.generate({ actorId: 'a', baseImagePath: 'unused', promptId: `p${index}`, prompt: `prompt ${index}`, category: 'photorealistic' }),
        );
      }
    };
    await Promise.all([worker(), worker()]);

    assert.equal(results.length, 10);
    assert.ok(results.every((result) => result.bytes.equals(SAMPLE_JPEG)));
    assert.ok(server.stats.faultsInjected > 0, 'faults were injected');
    assert.equal(server.predictions.size, 10, 'no fault made us pay for a second prediction');
    assert.ok(server.stats.maxInFlightPredictions <= 2, `max in flight ${server.stats.maxInFlightPredictions}`);
  });
});
