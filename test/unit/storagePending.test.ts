import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NoObjectStore } from '../../src/core/storage/noneStore';
import { drainPending, DrainResult, PendingUploadsFileError, readPendingUploads, uploadOrQueue } from '../../src/core/storage/pendingUploads';
import { pendingUploadsPath } from '../../src/core/workspace/layout';
import { S3ObjectStore } from '../../src/core/storage/s3Store';
import { s3ClientFor, s3StoreFor, S3TestServer, startS3Server } from '../fakes/s3Server';
import { makeTempDir, snapshot } from './helpers/tempData';

const run = promisify(execFile);
const COMPILED_STORAGE = path.resolve(__dirname, '../../src/core/storage');
const ACTOR = '0000_european_16_male';

describe('storage: uploadOrQueue and drainPending against a real S3 server (s3rver)', () => {
  let server: S3TestServer;
  let client: S3Client;
  let store: S3ObjectStore;
  let dataRoot: string;
  let cleanup: () => Promise<void>;
  let testNumber = 0;

  before(async () => {
    server = await startS3Server();
    client = s3ClientFor(server);
  });
  beforeEach(async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    dataRoot = path.join(temp.dir, 'data');
    await fs.mkdir(path.join(dataRoot, 'actors', ACTOR, 'training_data'), { recursive: true });
    // Each test its own prefix on the shared server, so listings see only their own objects.
    store = s3StoreFor(server, { keyPrefix: `test-${++testNumber}/` });
  });
  afterEach(async () => {
    await store.dispose();
    await server.restart().catch(() => undefined); // a test that stopped it and failed midway
    await cleanup();
  });
  after(async () => {
    client.destroy();
    await server.dispose();
  });

  /** Writes `<actor>/training_data/<name>` with distinct bytes and returns the upload request. */
  async function image(name: string, actorId = ACTOR) {
    const localPath = path.join(dataRoot, 'actors', actorId, 'training_data', name);
    await fs.mkdir(path.dirname(localPath), { recursive: true });
    await fs.writeFile(localPath, `bytes of ${actorId}/${name}`);
    return { actorId, filename: name, localPath, contentType: 'image/jpeg' };
  }

  async function objectText(key: string): Promise<string> {
    const object = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
    return object.Body!.transformToString();
  }

  async function queueFileText(): Promise<string> {
    return fs.readFile(pendingUploadsPath(dataRoot), 'utf8');
  }

  it('S3 up: uploads, returns the URL, and writes no queue file', async () => {
    const request = await image(`${ACTOR}_1.jpg`);
    const outcome = await uploadOrQueue(store, dataRoot, request);

    assert.deepEqual(outcome, { url: store.urlFor(store.keyFor(ACTOR, `${ACTOR}_1.jpg`)), queued: false });
    assert.equal(await objectText(store.keyFor(ACTOR, `${ACTOR}_1.jpg`)), `bytes of ${ACTOR}/${ACTOR}_1.jpg`);
    await assert.rejects(fs.access(pendingUploadsPath(dataRoot)), { code: 'ENOENT' });
  });

  it('S3 down: queued with a clear error, the entry written, the local file untouched; S3 back: drained', async () => {
    const request = await image(`${ACTOR}_2.jpg`);
    const before = await snapshot(path.join(dataRoot, 'actors'));
    await server.stop();

    const outcome = await uploadOrQueue(store, dataRoot, request);

    assert.equal(outcome.queued, true);
    assert.equal(outcome.url, undefined);
    assert.equal(outcome.reason, 'network');
    assert.match(outcome.error!, new RegExp(`S3 upload of s3://${server.bucket}/.*${ACTOR}_2\\.jpg failed: cannot reach ${server.endpoint}`));
    assert.deepEqual(await snapshot(path.join(dataRoot, 'actors')), before);
    const [entry, ...others] = (JSON.parse(await queueFileText()) as { uploads: Record<string, unknown>[] }).uploads;
    assert.deepEqual(others, []);
    assert.deepEqual(
      { ...entry, queued_at: typeof entry.queued_at, last_attempt_at: typeof entry.last_attempt_at },
      {
        actor_id: ACTOR,
        filename: `${ACTOR}_2.jpg`,
        key: store.keyFor(ACTOR, `${ACTOR}_2.jpg`),
        content_type: 'image/jpeg',
        local_path: `actors/${ACTOR}/training_data/${ACTOR}_2.jpg`,
        queued_at: 'string',
        attempts: 1,
        last_error: outcome.error,
        last_attempt_at: 'string',
      },
    );

    await server.restart();
    const queuedWhenReported: number[] = [];
    const summary = await drainPending(store, dataRoot, {
      onResult: async () => {
        queuedWhenReported.push((await readPendingUploads(dataRoot)).length);
      },
    });

    const url = store.urlFor(store.keyFor(ACTOR, `${ACTOR}_2.jpg`));
    assert.deepEqual(summary, {
      uploaded: [{ actorId: ACTOR, filename: `${ACTOR}_2.jpg`, key: store.keyFor(ACTOR, `${ACTOR}_2.jpg`), url }],
      failed: [],
      dropped: [],
      remaining: 0,
    });
    assert.deepEqual(queuedWhenReported, [1], 'the caller hears of the URL before the queue forgets it');
    assert.deepEqual(JSON.parse(await queueFileText()), { uploads: [] });
    assert.equal(await objectText(store.keyFor(ACTOR, `${ACTOR}_2.jpg`)), `bytes of ${ACTOR}/${ACTOR}_2.jpg`);
    assert.deepEqual(await snapshot(path.join(dataRoot, 'actors')), before);
  });

  it('a queued entry whose local file was deleted is reported and dropped; the others upload', async () => {
    const kept = await image(`${ACTOR}_3.jpg`);
    const deleted = await image(`${ACTOR}_4.jpg`);
    await server.stop();
    await uploadOrQueue(store, dataRoot, deleted);
    await uploadOrQueue(store, dataRoot, kept);
    await fs.rm(deleted.localPath);
    await server.restart();

    const reported: DrainResult[] = [];
    const summary = await drainPending(store, dataRoot, { onResult: (result) => void reported.push(result) });

    const droppedReason = `the local file actors/${ACTOR}/training_data/${ACTOR}_4.jpg no longer exists, so there is nothing to upload`;
    assert.deepEqual(summary.dropped, [{ actorId: ACTOR, filename: `${ACTOR}_4.jpg`, key: store.keyFor(ACTOR, `${ACTOR}_4.jpg`), reason: droppedReason }]);
    assert.deepEqual(
      summary.uploaded.map((item) => item.filename),
      [`${ACTOR}_3.jpg`],
    );
    assert.deepEqual(
      reported.map((result) => result.status),
      ['dropped', 'uploaded'],
    );
    assert.equal(summary.remaining, 0);
  });

  it('S3 still down: the drain stops at the first failure, counts that attempt, and keeps every entry', async () => {
    const first = await image(`${ACTOR}_5.jpg`);
    const second = await image(`${ACTOR}_6.jpg`);
    await server.stop();
    await uploadOrQueue(store, dataRoot, first);
    await uploadOrQueue(store, dataRoot, second);

    const summary = await drainPending(store, dataRoot);

    assert.deepEqual(
      summary.failed.map((item) => [item.filename, item.reason]),
      [[`${ACTOR}_5.jpg`, 'network']],
    );
    assert.equal(summary.stoppedBecause, summary.failed[0].error);
    assert.equal(summary.remaining, 2);
    assert.deepEqual(
      (await readPendingUploads(dataRoot)).map((entry) => [entry.filename, entry.attempts]),
      [
        [`${ACTOR}_5.jpg`, 2],
        [`${ACTOR}_6.jpg`, 1],
      ],
    );
  });

  it('queueing the same file again replaces its entry; a later direct upload removes it', async () => {
    const request = await image(`${ACTOR}_7.jpg`);
    await server.stop();
    await uploadOrQueue(store, dataRoot, request);
    await uploadOrQueue(store, dataRoot, request);
    assert.deepEqual(
      (await readPendingUploads(dataRoot)).map((entry) => entry.attempts),
      [2],
    );

    await server.restart();
    const outcome = await uploadOrQueue(store, dataRoot, request);

    assert.equal(outcome.queued, false);
    assert.deepEqual(await readPendingUploads(dataRoot), []);
  });

  it('concurrent calls enqueueing at once lose nothing', async () => {
    const requests = await Promise.all(Array.from({ length: 12 }, (_, n) => image(`${ACTOR}_${100 + n}.jpg`)));
    await server.stop();

    const outcomes = await Promise.all(requests.map((request) => uploadOrQueue(store, dataRoot, request)));

    assert.ok(outcomes.every((outcome) => outcome.queued));
    const queued = (await readPendingUploads(dataRoot)).map((entry) => entry.filename).sort();
    assert.deepEqual(queued, requests.map((request) => request.filename).sort());
  });

  it('two processes enqueueing at once lose nothing (the queue lock holds across processes)', async () => {
    const perProcess = 8;
    const names = (tag: string) => Array.from({ length: perProcess }, (_, n) => `${ACTOR}_${tag}${n}.jpg`);
    for (const name of [...names('1'), ...names('2')]) {
      await image(name);
    }
    await server.stop();
    const worker = (tag: string) => `
      const { S3ObjectStore } = require(${JSON.stringify(path.join(COMPILED_STORAGE, 's3Store.js'))});
      const { uploadOrQueue } = require(${JSON.stringify(path.join(COMPILED_STORAGE, 'pendingUploads.js'))});
      const store = new S3ObjectStore({ bucket: ${JSON.stringify(server.bucket)}, region: 'us-east-1', endpoint: ${JSON.stringify(server.endpoint)},
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 1 });
      (async () => {
        for (const filename of ${JSON.stringify(names(tag))}) {
          const outcome = await uploadOrQueue(store, ${JSON.stringify(dataRoot)},
            { actorId: ${JSON.stringify(ACTOR)}, filename, localPath: 'actors/${ACTOR}/training_data/' + filename, contentType: 'image/jpeg' });
          if (!outcome.queued) throw new Error('expected ' + filename + ' to be queued');
        }
        await store.dispose();
      })().catch((error) => { console.error(error); process.exit(1); });`;

    await Promise.all([run(process.execPath, ['-e', worker('1')]), run(process.execPath, ['-e', worker('2')])]);

    const queued = (await readPendingUploads(dataRoot)).map((entry) => entry.filename).sort();
    assert.deepEqual(queued, [...names('1'), ...names('2')].sort());
  });

  it('unknown fields in the queue file survive enqueueing and draining', async () => {
    const waiting = await image(`${ACTOR}_8.jpg`);
    const stays = await image(`${ACTOR}_9.jpg`);
    const file = pendingUploadsPath(dataRoot);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const handWritten = {
      comment: 'kept by hand',
      uploads: [{ actor_id: ACTOR, filename: stays.filename, key: 'k', content_type: 'image/jpeg', queued_at: '2025-01-01T00:00:00.000Z', note: 'mine' }],
    };
    await fs.writeFile(file, JSON.stringify(handWritten));
    await server.stop();
    await uploadOrQueue(store, dataRoot, waiting);

    const afterEnqueue = JSON.parse(await queueFileText());
    assert.equal(afterEnqueue.comment, 'kept by hand');
    assert.equal(afterEnqueue.uploads[0].note, 'mine');
    assert.equal(afterEnqueue.uploads[1].filename, waiting.filename);

    // The next drain attempt fails on the first entry; the file is rewritten with the attempt counted.
    await drainPending(store, dataRoot);
    const afterDrain = JSON.parse(await queueFileText());
    assert.equal(afterDrain.comment, 'kept by hand');
    assert.deepEqual([afterDrain.uploads[0].note, afterDrain.uploads[0].attempts], ['mine', 1]);
  });

  it('an invalid queue file: a clear error naming the file, nothing overwritten, the local file untouched', async () => {
    const request = await image(`${ACTOR}_10.jpg`);
    const file = pendingUploadsPath(dataRoot);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const invalid = '{\n  "uploads": [\n    { "actor_id": "../escape", "filename": "x.jpg" }\n  ]\n}\n';
    await fs.writeFile(file, invalid);
    await server.stop();

    const check = (error: unknown) =>
      error instanceof PendingUploadsFileError &&
      error.message.startsWith(`${file} is not a valid pending uploads file`) &&
      error.message.includes(`${file}:3:`);
    await assert.rejects(uploadOrQueue(store, dataRoot, request), check);
    await assert.rejects(drainPending(store, dataRoot), check);

    assert.equal(await queueFileText(), invalid);
    assert.equal(await fs.readFile(request.localPath, 'utf8'), `bytes of ${ACTOR}/${request.filename}`);
  });

  it('paths stay inside the actor folder: other folders, climbing names and links out are refused', async () => {
    const outside = path.join(path.dirname(dataRoot), 'secret.jpg');
    await fs.writeFile(outside, 'not ours');
    const other = await image('theirs.jpg', '0001_african_30_female');
    await fs.symlink(outside, path.join(dataRoot, 'actors', ACTOR, 'training_data', 'link.jpg'));
    const base = { actorId: ACTOR, contentType: 'image/jpeg' };

    await assert.rejects(uploadOrQueue(store, dataRoot, { ...base, filename: 'secret.jpg', localPath: outside }), /is not inside the folder of actor/);
    await assert.rejects(uploadOrQueue(store, dataRoot, { ...base, filename: 'theirs.jpg', localPath: other.localPath }), /is not inside the folder of actor/);
    await assert.rejects(
      uploadOrQueue(store, dataRoot, { ...base, filename: 'x.jpg', actorId: '..', localPath: outside }),
      /actor id ".." must be a plain folder name/,
    );
    await assert.rejects(
      uploadOrQueue(store, dataRoot, { ...base, filename: 'link.jpg', localPath: `actors/${ACTOR}/training_data/link.jpg` }),
      /outside the data folder/,
    );
    assert.deepEqual(await store.list(store.keyPrefix), []);
  });

  it('the offline store neither uploads nor queues, and a drain leaves the queue alone', async () => {
    const request = await image(`${ACTOR}_11.jpg`);
    const none = new NoObjectStore();

    assert.deepEqual(await uploadOrQueue(none, dataRoot, request), { queued: false });
    await assert.rejects(fs.access(pendingUploadsPath(dataRoot)), { code: 'ENOENT' });

    await server.stop();
    await uploadOrQueue(store, dataRoot, request);
    const summary = await drainPending(none, dataRoot);
    assert.deepEqual([summary.uploaded, summary.remaining, summary.stoppedBecause], [[], 1, 'no object store is configured']);
  });

  it('a cancelled drain uploads nothing and keeps the queue', async () => {
    const request = await image(`${ACTOR}_12.jpg`);
    await server.stop();
    await uploadOrQueue(store, dataRoot, request);
    await server.restart();
    const controller = new AbortController();
    controller.abort();

    const summary = await drainPending(store, dataRoot, { signal: controller.signal });

    assert.deepEqual([summary.uploaded, summary.stoppedBecause, summary.remaining], [[], 'cancelled', 1]);
    assert.deepEqual(await store.list(store.keyPrefix), []);
  });
});
