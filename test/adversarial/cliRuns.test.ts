// Runs that go on past one bad actor, and S3 as the seed's environment gives it (issue items 11, 13, 18).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { cleanEnv, makeScratch, runCliProcess, type Scratch } from './support/scratch';

const ACTORS = ['0000_european_45_female', '0001_european_35_male', '0002_mixed_30_nonbinary'];

/** A PNG header that claims `width` x `height` pixels (a pixel bomb: the header alone says it). */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function baseImageOf(data: string, actorId: string): Promise<string> {
  const dir = path.join(data, 'actors', actorId, 'base_image');
  return path.join(dir, (await fs.readdir(dir))[0]);
}

describe('adversarial: CLI runs go on past one bad actor', function () {
  this.timeout(300_000);
  let scratch: Scratch;
  beforeEach(async () => {
    scratch = await makeScratch();
  });
  afterEach(async () => scratch.cleanup());

  describe('11: an undecodable base image fails its actor alone, naming the file', () => {
    const bases: [string, () => Buffer, string[]][] = [
      ['zero bytes, with the face check', () => Buffer.alloc(0), []],
      ['a pixel bomb', () => pngClaiming(60_000, 60_000), ['--skip-face']],
      ['a truncated PNG', () => pngClaiming(64, 64).subarray(0, 30), ['--skip-face']],
    ];
    for (const [what, bytes, flags] of bases) {
      it(`evaluate --all: ${what}`, async () => {
        const base = await baseImageOf(scratch.data, ACTORS[1]);
        await fs.writeFile(base, bytes());
        const result = await runCliProcess(['evaluate', '--all', ...flags, '--data', scratch.data]);
        assert.equal(result.code, 1, result.stderr);
        assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
        assert.ok(result.stderr.includes(`${ACTORS[1]}: skipped`) && result.stderr.includes(base), `names the file: ${result.stderr}`);
        for (const other of [ACTORS[0], ACTORS[2]]) {
          assert.match(result.stdout, new RegExp(`^${other}`, 'm'), `${other} is evaluated all the same`);
        }
        await scratch.unchanged();
      });
    }

    it('plan --all goes on too, naming the file', async () => {
      const base = await baseImageOf(scratch.data, ACTORS[1]);
      await fs.writeFile(base, pngClaiming(60_000, 60_000));
      const result = await runCliProcess(['plan', '--all', '--skip-face', '--data', scratch.data]);
      assert.equal(result.code, 1, result.stderr);
      assert.ok(result.stderr.includes(base), result.stderr);
      assert.match(result.stdout, new RegExp(`^${ACTORS[0]}: -`, 'm'));
      assert.match(result.stdout, new RegExp(`^${ACTORS[2]}: -`, 'm'));
      await scratch.unchanged();
    });
  });

  describe('18: export-dataset --all exports the valid actors and reports the invalid ones', () => {
    for (const broken of ['{"images": "not a list"}\n', '{ truncated', '[]']) {
      it(`the middle actor's manifest is ${JSON.stringify(broken.slice(0, 12))}`, async () => {
        const out = await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-export-'));
        try {
          await fs.writeFile(path.join(scratch.data, 'actors', ACTORS[1], 'training_data', 'manifest.json'), broken);
          const result = await runCliProcess(['export-dataset', '--all', '--format', 'ai-toolkit', '--out', out, '--data', scratch.data]);
          assert.equal(result.code, 1, result.stderr);
          assert.doesNotMatch(result.stderr, /\n\s+at /);
          assert.match(result.stderr, new RegExp(`${ACTORS[1]}: not exported: .*manifest\\.json`));
          assert.match(result.stdout, /of 2 actor\(s\) exported .*1 actor\(s\) not exported: 0001_european_35_male/);
          assert.deepEqual((await fs.readdir(out)).sort(), [ACTORS[0], ACTORS[2]]);
          const json = await runCliProcess(['export-dataset', '--all', '--format', 'ai-toolkit', '--out', out, '--force', '--json', '--data', scratch.data]);
          assert.equal(json.code, 1, json.stderr);
          assert.deepEqual(
            (JSON.parse(json.stdout) as { failed: { actorId: string }[] }).failed.map((failure) => failure.actorId),
            [ACTORS[1]],
          );
          await scratch.unchanged();
        } finally {
          await fs.rm(out, { recursive: true, force: true });
        }
      });
    }
  });

  describe("13: the seed's own environment", () => {
    /** S3 with the bucket in eu-west-1: a request signed for another region gets 301 and the bucket's region, as AWS answers. */
    async function regionalS3(): Promise<{ endpoint: string; signedFor: string[]; close: () => Promise<void> }> {
      const signedFor: string[] = [];
      const server = http.createServer((request, response) => {
        const region = /Credential=[^/]+\/\d+\/([^/]+)\/s3\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
        signedFor.push(region);
        request.resume();
        if (region !== 'eu-west-1') {
          response.writeHead(301, { 'content-type': 'application/xml', 'x-amz-bucket-region': 'eu-west-1' });
          response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>Use the right endpoint.</Message></Error>');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>seed-bucket</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>',
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return { endpoint: `http://127.0.0.1:${port}`, signedFor, close: () => new Promise((resolve) => server.close(() => resolve())) };
    }

    /** Reconcile compared with the bucket: the sample's drift (exit 1 for its findings), no S3 failure. */
    const assertCompared = (result: { code: number | null; stdout: string; stderr: string }) => {
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /finding\(s\) in \d+ of 3 actor\(s\)/);
      assert.doesNotMatch(result.stderr, /could not be listed|another region|\n\s+at /, result.stderr);
    };

    const seedEnv = (extra: NodeJS.ProcessEnv = {}) =>
      cleanEnv({
        REPLICATE_API_TOKEN: 'seed-replicate-token',
        AWS_SYSTEM_ACTORS_BUCKET: 'seed-bucket',
        AWS_ACCESS_KEY_ID: 'seed-access-key-id',
        AWS_SECRET_ACCESS_KEY: 'seed-secret-seed-secret',
        ...extra,
      });

    it('a bucket in another region than the default: S3 names it, and reconcile uses it', async () => {
      const s3 = await regionalS3();
      try {
        const result = await runCliProcess(['reconcile', '--s3-endpoint', s3.endpoint, '--data', scratch.data], { env: seedEnv() });
        assertCompared(result);
        assert.equal(s3.signedFor[0], 'us-east-1', 'asked first in the default region');
        assert.ok(s3.signedFor.slice(1).length >= 1 && s3.signedFor.slice(1).every((region) => region === 'eu-west-1'), s3.signedFor.join(' '));
        await scratch.unchanged();
      } finally {
        await s3.close();
      }
    });

    it('AWS_DEFAULT_REGION is read: the first request is already in the right region', async () => {
      const s3 = await regionalS3();
      try {
        const result = await runCliProcess(['reconcile', '--s3-endpoint', s3.endpoint, '--data', scratch.data], {
          env: seedEnv({ AWS_DEFAULT_REGION: 'eu-west-1' }),
        });
        assertCompared(result);
        assert.deepEqual([...new Set(s3.signedFor)], ['eu-west-1']);
        await scratch.unchanged();
      } finally {
        await s3.close();
      }
    });

    it('without a region or endpoint, S3 commands say which region they ask in, and do not crash', async () => {
      const result = await runCliProcess(['retry-uploads', '--data', scratch.data], { env: seedEnv() });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /note: no S3 region set .*us-east-1/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      await scratch.unchanged();
    });
  });
});
