import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { executePlans, undoRun } from '../../src/core/execute';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { FAILURE_REASONS } from '../../src/core/manifest/failureReasons';
import { ReplicateGenerator } from '../../src/core/generate/replicateGenerator';
import { drainPendingUploads } from '../../src/core/generate/uploader';
import { toJpegDataUri } from '../../src/core/image/imageFiles';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { readActorPlan } from '../../src/core/plan/planFiles';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { readPendingUploads } from '../../src/core/storage/pendingUploads';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { s3StoreFor, S3TestServer, startS3Server } from '../fakes/s3Server';
import { copySampleData } from './helpers/tempData';

const EILEEN = '0000_european_45_female';

describe('executor under faults: the real replicate SDK against a failing fake, and S3 stopped mid-run', function () {
  this.timeout(120000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let replicate: FakeReplicateServer;
  let s3: S3TestServer;

  before(async () => {
    s3 = await startS3Server();
  });
  after(async () => s3?.dispose());
  beforeEach(async () => {
    sample = await copySampleData();
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: EILEEN,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 11,
    });
    // About a quarter of the requests fail: 429, 500, a hang past the timeout; two predictions end in E005.
    replicate = await FakeReplicateServer.start({
      // Faults on creates only, so a prediction once created always reports its outcome (the E005s).
      // The hang is held until close(): a create the client gave up on must not be answered during
      // the run, or it would take one of the E005 outcomes to a prediction nobody polls.
      randomFaults: { rate: 0.25, seed: 5, faults: [{ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }, { hang: true }], on: ['create'] },
    });
    replicate.nextPrediction({ outcome: 'failed', error: E005_ERROR }, {}, { outcome: 'failed', error: E005_ERROR });
  });
  afterEach(async () => {
    await replicate.close();
    await s3.restart().catch(() => undefined);
    await sample.cleanup();
  });

  it('every planned image ends generated or failed with its reason; uploads made while S3 was down drain when it returns', async () => {
    const generator = new ReplicateGenerator({
      token: FAKE_REPLICATE_TOKEN,
      baseUrl: replicate.baseUrl,
      prepareInputImage: (file) => toJpegDataUri(file, 95),
      pollIntervalMs: 5,
      // Long enough that a slow machine never times out a real prediction (that would retry it and
      // hand an E005 outcome to nobody); the held creates still time out.
      timeoutMs: 1_500,
      maxAttempts: 2,
      backoff: { initialDelayMs: 5, multiplier: 2, maxDelayMs: 20 },
    });
    const s3Store = s3StoreFor(s3, { keyPrefix: 'faults/' });
    let finished = 0;
    let stopping: Promise<void> | undefined;
    // Uploads started after S3 was told to stop wait until it is down: without this, the ones the
    // test counts on could finish before the stop does, and nothing would be queued.
    const store: typeof s3Store = Object.assign(Object.create(s3Store) as typeof s3Store, {
      put: async (...args: Parameters<typeof s3Store.put>) => {
        await stopping;
        return s3Store.put(...args);
      },
    });
    const summary = await executePlans({
      dataRoot: sample.dataRoot,
      actorIds: [EILEEN],
      mode: 'everything',
      generator,
      store,
      onEvent: (event) => {
        if (event.type === 'operation-finished' && ++finished === 7) {
          stopping = s3.stop(); // S3 goes down in the middle of the run
        }
      },
    });
    await stopping;
    assert.equal(summary.status, 'completed');
    const plan = await readActorPlan(sample.dataRoot, EILEEN);
    assert.ok(plan.state === 'ok');
    const ended = [...summary.done, ...summary.failed].filter((operation) => operation.kind === 'generate');
    assert.equal(ended.length, plan.value.generations.length, 'every planned image ended generated or failed');
    assert.ok(summary.failed.length > 0, 'the faults made some generations fail');
    assert.ok(
      summary.done.some((operation) => operation.kind === 'generate'),
      'and others succeed',
    );
    for (const failure of summary.failed) {
      assert.ok((FAILURE_REASONS as readonly string[]).includes(failure.failureReason ?? ''), `${failure.id}: ${failure.failureReason}`);
      assert.ok(!failure.error?.includes(FAKE_REPLICATE_TOKEN));
    }
    assert.equal(summary.failed.filter((failure) => failure.failureReason === 'content_filter').length, 2, 'each E005 is content_filter, not retried');

    const manifest = await loadManifest(path.join(sample.dataRoot, 'actors', EILEEN, 'training_data', 'manifest.json'));
    const generated = summary.done.filter((operation) => operation.kind === 'generate');
    for (const operation of generated) {
      assert.ok(
        manifest.images.some((entry) => entry.filename === operation.filename),
        `${operation.filename} is in the manifest`,
      );
    }
    const queued = await readPendingUploads(sample.dataRoot);
    assert.ok(queued.length > 0, 'uploads after S3 stopped wait in the queue');
    assert.ok(generated.some((operation) => operation.warning?.includes('upload queued')));

    await s3.restart();
    const drained = await drainPendingUploads(store, sample.dataRoot);
    assert.equal(drained.remaining, 0);
    assert.deepEqual(await readPendingUploads(sample.dataRoot), []);
    const after = await loadManifest(path.join(sample.dataRoot, 'actors', EILEEN, 'training_data', 'manifest.json'));
    for (const operation of generated) {
      const entry = after.images.find((image) => image.filename === operation.filename);
      assert.match(entry?.s3_url ?? '', /^http:\/\/127\.0\.0\.1:\d+\//, `${operation.filename} has its URL once S3 is back`);
    }
  });

  it('undo re-uploads restored images that had an object', async () => {
    const store = s3StoreFor(s3, { keyPrefix: 'undo/' });
    // Give the images to be deleted an object first, as a synced set would have.
    const manifestFile = path.join(sample.dataRoot, 'actors', EILEEN, 'training_data', 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    for (const entry of manifest.images) {
      const key = store.keyFor(EILEEN, entry.filename);
      const { url } = await store.put(key, await fs.readFile(path.join(path.dirname(manifestFile), entry.filename)), 'image/jpeg');
      Object.assign(entry, { s3_key: key, s3_url: url });
    }
    await fs.writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: EILEEN,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 11,
    });
    const summary = await executePlans({
      dataRoot: sample.dataRoot,
      actorIds: [EILEEN],
      mode: 'delete_only',
      generator: new ReplicateGenerator({ token: 'unused', prepareInputImage: async () => '' }),
      store,
    });
    const deleted = summary.done.map((operation) => store.keyFor(EILEEN, operation.filename!));
    const listed = await store.list('undo/');
    assert.ok(deleted.length > 0 && deleted.every((key) => !listed.includes(key)), 'deleting removes the objects');
    const undone = await undoRun({ dataRoot: sample.dataRoot, store });
    assert.equal(undone.reuploaded, deleted.length);
    const relisted = await store.list('undo/');
    assert.ok(
      deleted.every((key) => relisted.includes(key)),
      'undo puts the objects back',
    );
  });
});
