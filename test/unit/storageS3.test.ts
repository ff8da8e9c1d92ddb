import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createObjectStore } from '../../src/core/storage/createStore';
import { classifyS3Error, StorageError } from '../../src/core/storage/errors';
import { NoObjectStore } from '../../src/core/storage/noneStore';
import { S3ObjectStore } from '../../src/core/storage/s3Store';
import { DEFAULT_KEY_PREFIX } from '../../src/core/storage/types';
import { s3ClientFor, s3StoreFor, S3TestServer, startS3Server } from '../fakes/s3Server';
import { makeTempDir } from './helpers/tempData';

const run = promisify(execFile);
const COMPILED_S3_STORE = path.resolve(__dirname, '../../src/core/storage/s3Store.js');
const ACTOR = '0000_european_16_male';

/** Runs a script in a fresh Node process (clean module cache, chosen environment); returns its JSON output. */
async function inChildProcess(script: string, env: NodeJS.ProcessEnv = process.env): Promise<any> {
  const { stdout } = await run(process.execPath, ['-e', script], { env });
  return JSON.parse(stdout);
}

async function rejectsWithReason(promise: Promise<unknown>, reason: StorageError['reason']): Promise<StorageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StorageError, `expected a StorageError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    return error;
  }
  assert.fail(`expected a ${reason} failure`);
}

describe('storage: S3ObjectStore against a real S3 server (s3rver)', () => {
  let server: S3TestServer;
  let store: S3ObjectStore;
  let client: S3Client;

  before(async () => {
    server = await startS3Server();
    client = s3ClientFor(server);
  });
  beforeEach(() => {
    store = s3StoreFor(server);
  });
  afterEach(async () => {
    await store.dispose();
  });
  after(async () => {
    client.destroy();
    await server.dispose();
  });

  it('constructing the store loads no AWS SDK; the first request does', async () => {
    const script = `
      const { S3ObjectStore } = require(${JSON.stringify(COMPILED_S3_STORE)});
      const sdkLoaded = () => Object.keys(require.cache).some((file) => file.includes('@aws-sdk'));
      const store = new S3ObjectStore({ bucket: ${JSON.stringify(server.bucket)}, region: 'us-east-1',
        endpoint: ${JSON.stringify(server.endpoint)}, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      const afterConstruct = sdkLoaded();
      store.list('nothing/').then(async (keys) => {
        console.log(JSON.stringify({ afterConstruct, afterRequest: sdkLoaded(), keys }));
        await store.dispose();
      });`;
    assert.deepEqual(await inChildProcess(script), { afterConstruct: false, afterRequest: true, keys: [] });
  });

  it('put uploads the bytes with their content type; GetObject returns the same', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 254, 255]);
    const key = store.keyFor(ACTOR, `${ACTOR}_1.jpg`);
    await store.put(key, bytes, 'image/jpeg');

    const object = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
    assert.equal(object.ContentType, 'image/jpeg');
    assert.deepEqual(Buffer.from(await object.Body!.transformToByteArray()), bytes);
  });

  it('put returns the URL as a plain string, <endpoint>/<bucket>/<key>, where the object is served', async () => {
    const key = store.keyFor(ACTOR, 'a b#1.png');
    const result = await store.put(key, Buffer.from('png bytes'), 'image/png');

    assert.deepEqual(Object.keys(result), ['url']);
    assert.equal(typeof result.url, 'string');
    assert.equal(result.url, `${server.endpoint}/${server.bucket}/system_actors/training_data/${ACTOR}/a%20b%231.png`);
    const response = await fetch(result.url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'png bytes');
  });

  it('list follows continuation tokens across pages and keeps to the prefix', async () => {
    const paged = s3StoreFor(server, { listPageSize: 2 });
    const prefix = `${paged.keyPrefix}0001_african_30_female/`;
    const expected = [0, 1, 2, 3, 4].map((n) => paged.keyFor('0001_african_30_female', `img_${n}.jpg`));
    try {
      for (const key of expected) {
        await paged.put(key, Buffer.from(key), 'image/jpeg');
      }
      await paged.put(paged.keyFor('0002_asian_40_male', 'other.jpg'), Buffer.from('x'), 'image/jpeg');

      assert.deepEqual((await paged.list(prefix)).sort(), expected);
    } finally {
      await paged.dispose();
    }
  });

  it('delete removes the object', async () => {
    const key = store.keyFor('0003_latino_25_female', 'gone.jpg');
    await store.put(key, Buffer.from('x'), 'image/jpeg');
    assert.deepEqual(await store.list(key), [key]);

    await store.delete(key);

    assert.deepEqual(await store.list(key), []);
    await assert.rejects(client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key })), { name: 'NoSuchKey' });
  });

  it('a bucket that does not exist: a clear no_such_bucket error naming it', async () => {
    const missing = s3StoreFor(server, { bucket: 'no-such-bucket' });
    try {
      const error = await rejectsWithReason(missing.put('k.jpg', Buffer.from('x'), 'image/jpeg'), 'no_such_bucket');
      assert.match(error.message, /bucket "no-such-bucket" does not exist/);
      await rejectsWithReason(missing.list(''), 'no_such_bucket');
    } finally {
      await missing.dispose();
    }
  });

  it('rejected credentials: invalid_credentials, and the secret never appears in the message', async () => {
    const secret = 'wJalrXUtnFEMI-very-secret-value';
    const wrong = s3StoreFor(server, { credentials: { accessKeyId: 'NOT-A-REAL-KEY', secretAccessKey: secret } });
    try {
      const error = await rejectsWithReason(wrong.put('k.jpg', Buffer.from('x'), 'image/jpeg'), 'invalid_credentials');
      assert.match(error.message, /credentials were rejected \(InvalidAccessKeyId\)/);
      assert.doesNotMatch(error.message, /very-secret|NOT-A-REAL-KEY/);
    } finally {
      await wrong.dispose();
    }
  });

  it('no credentials anywhere in the AWS chain: no_credentials, saying where to set them', async () => {
    const { dir: home, cleanup } = await makeTempDir();
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    Object.assign(env, {
      HOME: home,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    });
    const script = `
      const { S3ObjectStore } = require(${JSON.stringify(COMPILED_S3_STORE)});
      const store = new S3ObjectStore({ bucket: ${JSON.stringify(server.bucket)}, region: 'us-east-1', endpoint: ${JSON.stringify(server.endpoint)} });
      store.put('k.jpg', Buffer.from('x'), 'image/jpeg').then(
        () => console.log(JSON.stringify({ uploaded: true })),
        (error) => console.log(JSON.stringify({ reason: error.reason, message: error.message })),
      ).finally(() => store.dispose());`;
    try {
      const result = await inChildProcess(script, env);
      assert.equal(result.reason, 'no_credentials', result.message);
      assert.match(result.message, /no AWS credentials were found.*AWS_ACCESS_KEY_ID/);
    } finally {
      await cleanup();
    }
  });

  it('S3 down: a network error naming the endpoint; back up, the same store works again', async () => {
    await store.list(''); // leaves a pooled connection that the stop then breaks
    await server.stop();
    try {
      const error = await rejectsWithReason(store.put('k.jpg', Buffer.from('x'), 'image/jpeg'), 'network');
      // Refused for a new connection, reset for the pooled one: both are "cannot reach".
      assert.match(error.message, new RegExp(`cannot reach ${server.endpoint} \\((ECONNREFUSED|ECONNRESET)\\)`));
      assert.ok(error.affectsAll);
    } finally {
      await server.restart();
    }
    assert.match((await store.put('k.jpg', Buffer.from('x'), 'image/jpeg')).url, /\/k\.jpg$/);
  });
});

describe('storage: keys, URLs and settings (no network)', () => {
  it('keyFor is prefix + actorId + / + filename; the prefix gains its slash; paths are refused', () => {
    const store = new S3ObjectStore({ bucket: 'my-bucket', region: 'eu-west-1' });
    assert.equal(store.keyFor(ACTOR, `${ACTOR}_3.jpg`), `${DEFAULT_KEY_PREFIX}${ACTOR}/${ACTOR}_3.jpg`);
    assert.equal(new S3ObjectStore({ bucket: 'my-bucket', region: 'eu-west-1', keyPrefix: '/mine' }).keyFor('a', 'b.jpg'), 'mine/a/b.jpg');
    assert.equal(new S3ObjectStore({ bucket: 'my-bucket', region: 'eu-west-1', keyPrefix: '' }).keyFor('a', 'b.jpg'), 'a/b.jpg');
    assert.throws(() => store.keyFor('../other', 'x.jpg'), /actor id "..\/other" must be a plain folder name/);
    assert.throws(() => store.keyFor(ACTOR, '..'), /file name ".." must be a plain file name/);
  });

  it('AWS URLs are virtual-hosted with each key segment encoded; a public base URL replaces the host', () => {
    const aws = new S3ObjectStore({ bucket: 'my-bucket', region: 'eu-west-1' });
    assert.equal(
      aws.urlFor('system_actors/training_data/a b/ü#1.jpg'),
      'https://my-bucket.s3.eu-west-1.amazonaws.com/system_actors/training_data/a%20b/%C3%BC%231.jpg',
    );
    const cdn = new S3ObjectStore({ bucket: 'my-bucket', region: 'eu-west-1', publicBaseUrl: 'https://cdn.example.com/assets/' });
    assert.equal(cdn.urlFor('p/x.jpg'), 'https://cdn.example.com/assets/p/x.jpg');
  });

  it('bad settings fail when the store is made, and a password in an endpoint is never echoed', () => {
    assert.throws(() => new S3ObjectStore({ bucket: 'My_Bucket', region: 'us-east-1' }), /S3 bucket name "My_Bucket" is not valid/);
    assert.throws(() => new S3ObjectStore({ bucket: 'my-bucket', region: ' ' }), /needs a region/);
    assert.throws(() => new S3ObjectStore({ bucket: 'my-bucket', region: 'x', endpoint: 'localhost:9000' }), /must start with http/);
    assert.throws(
      () => new S3ObjectStore({ bucket: 'my-bucket', region: 'x', endpoint: 'https://user:hunter22@minio.local' }),
      (error: Error) => /must not contain credentials/.test(error.message) && !error.message.includes('hunter22'),
    );
  });

  it('createObjectStore: S3 when a bucket is set, else the offline store', () => {
    assert.equal(createObjectStore({}).kind, 'none');
    assert.equal(createObjectStore({ bucket: '  ', region: 'us-east-1' }).kind, 'none');
    const custom = createObjectStore({ bucket: 'bkt', endpoint: 'http://127.0.0.1:9000/' }) as S3ObjectStore;
    assert.equal(custom.kind, 's3');
    assert.equal(custom.urlFor('k'), 'http://127.0.0.1:9000/bkt/k');
    assert.throws(() => createObjectStore({ bucket: 'bkt' }), /needs a region/);
  });

  it('the offline store never pretends to upload: put throws not_configured; delete and list are empty no-ops', async () => {
    const none = new NoObjectStore();
    assert.equal(none.kind, 'none');
    assert.equal(none.keyFor('a', 'b.jpg'), `${DEFAULT_KEY_PREFIX}a/b.jpg`);
    await rejectsWithReason(none.put('k.jpg', Buffer.from('x'), 'image/jpeg'), 'not_configured');
    await none.delete('k.jpg');
    assert.deepEqual(await none.list(''), []);
  });

  it('classifies access denied with the permission needed, and redacts secrets from unknown errors', () => {
    const context = { operation: 'upload' as const, bucket: 'bkt', key: 'a/b.jpg', host: 's3.eu-west-1.amazonaws.com', secrets: ['s3cr3t-value'] };
    const denied = classifyS3Error(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }),
      context,
    );
    assert.equal(denied.reason, 'access_denied');
    assert.equal(denied.message, 'S3 upload of s3://bkt/a/b.jpg failed: access denied (AccessDenied); the credentials need s3:PutObject on bucket "bkt"');

    const odd = classifyS3Error(new Error(`odd: s3cr3t-value ${'AKIA' + 'ABCDEFGHIJKLMNOP'} secret_key=abc123`), context);
    assert.equal(odd.reason, 'other');
    assert.equal(odd.message, 'S3 upload of s3://bkt/a/b.jpg failed: Error: odd: [redacted] [redacted] secret_key=[redacted]');
  });
});
