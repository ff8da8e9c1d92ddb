import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { runCli } from '../../src/cli/main';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { s3CliArgs, S3RVER_ENV, S3TestServer, startS3Server } from '../fakes/s3Server';
import { copySampleData, REPO_ROOT, snapshot } from './helpers/tempData';

const CARL = '0001_european_35_male';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI generate', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const manifestOf = (actorId: string) => loadManifest(path.join(sample.dataRoot, 'actors', actorId, 'training_data', 'manifest.json'));
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('generates with the local provider (no keys) and the prompt turns from unused to used', async () => {
    const before = await cli(['prompts', '--data', sample.dataRoot, '--actor-id', CARL, '--json']);
    const unused = JSON.parse(before.stdout).prompts.find((prompt: { id: string }) => prompt.id === 'color_watercolor');
    assert.equal(unused.badge, '[unused]');
    const { code, stdout } = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'color_watercolor', '--json']);
    assert.equal(code, 0);
    const result = JSON.parse(stdout);
    assert.equal(result.filename, `${CARL}_6.jpg`);
    assert.equal(result.model, 'local/augment');
    assert.equal(result.category, 'color_stylized');
    await fs.access(result.path);
    const entry = (await manifestOf(CARL)).images.find((image) => image.filename === result.filename)!;
    assert.match(entry.prompt!, /watercolour painting of the man/i);
    const after = await cli(['prompts', '--data', sample.dataRoot, '--actor-id', CARL, '--json']);
    assert.equal(JSON.parse(after.stdout).prompts.find((prompt: { id: string }) => prompt.id === 'color_watercolor').badge, '[1x used]');
  });

  it('a new actor with only its base image gets its first image: the training folder and the manifest are made', async () => {
    const actorId = '0005_south_asian_25_female';
    const baseDir = path.join(sample.dataRoot, 'actors', actorId, 'base_image');
    await fs.mkdir(baseDir, { recursive: true });
    await fs.copyFile(path.join(sample.dataRoot, 'actors', CARL, 'base_image', `${CARL}_base.png`), path.join(baseDir, `${actorId}_base.png`));
    const { code, stdout, stderr } = await cli(['generate', '--data', sample.dataRoot, '--actor-id', actorId, '--prompt', 'bw_woodcut', '--json']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.filename, `${actorId}_0.jpg`);
    await fs.access(path.join(sample.dataRoot, 'actors', actorId, 'training_data', result.filename));
    assert.deepEqual(
      (await manifestOf(actorId)).images.map((image) => image.filename),
      [result.filename],
    );
    await assert.rejects(fs.access(path.join(sample.dataRoot, 'recovered')), 'nothing had to be kept in data/recovered');
  });

  it('bad input exits 2 with a clear message and writes nothing', async () => {
    const before = await snapshot(sample.dir);
    const unknownPrompt = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'nope']);
    assert.equal(unknownPrompt.code, 2);
    assert.match(unknownPrompt.stderr, /unknown prompt id "nope"/);
    const noToken = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'bw_woodcut', '--provider', 'replicate']);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /no Replicate API token.*REPLICATE_API_TOKEN/);
    const missingArgs = await cli(['generate', '--data', sample.dataRoot]);
    assert.equal(missingArgs.code, 2);
    assert.match(missingArgs.stderr, /--actor-id and one of --prompt or --prompt-text are required/);
    assert.deepEqual(await snapshot(sample.dir), before);
    await fs.rm(path.join(sample.dataRoot, 'actors', CARL, 'base_image', `${CARL}_base.png`));
    const withoutBase = await snapshot(sample.dir);
    const noBase = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'bw_woodcut']);
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /has no base image/);
    assert.deepEqual(await snapshot(sample.dir), withoutBase);
  });

  it('a broken prompts.json is reported with its line, and generation still uses the built-ins', async () => {
    await fs.writeFile(path.join(sample.dataRoot, 'prompts.json'), '{\n  "prompts": [ { "id": 5 } ]\n}\n');
    const { code, stderr } = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'bw_woodcut']);
    assert.equal(code, 0);
    assert.match(stderr, /prompts\.json:2:\d+: error: prompts\[0\]\.id/);
  });

  describe('with Replicate (the real SDK against a local server speaking its API)', () => {
    let replicate: FakeReplicateServer;
    beforeEach(async () => {
      replicate = await FakeReplicateServer.start();
    });
    afterEach(() => replicate.close());
    const env = () => ({ REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl });

    it('sends the base image as a JPEG q95 data URI with the documented input, and saves the output', async () => {
      const { code, stdout, stderr } = await cli(
        ['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'photo_ferry_deck', '--seed', '42', '--json'],
        env(),
      );
      assert.equal(code, 0, stderr);
      const [create] = replicate.requestsOf('create');
      assert.equal(create.path, '/v1/models/black-forest-labs/flux-kontext-pro/predictions');
      const input = create.body.input;
      assert.equal(input.aspect_ratio, '16:9');
      assert.equal(input.output_format, 'jpg');
      assert.equal(input.safety_tolerance, 2);
      assert.equal(input.seed, 42);
      assert.match(input.prompt, /the man/);
      assert.match(input.input_image, /^data:image\/jpeg;base64,/);
      const sent = Buffer.from(input.input_image.split(',')[1], 'base64');
      assert.equal((await sharp(sent).metadata()).format, 'jpeg');
      const result = JSON.parse(stdout);
      assert.equal(result.model, 'black-forest-labs/flux-kontext-pro');
      assert.deepEqual(await fs.readFile(result.path), sent, 'the fake serves the input back as the output');
      const entry = (await manifestOf(CARL)).images.find((image) => image.filename === result.filename)!;
      assert.deepEqual(entry.parameters, { prompt: input.prompt, aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2, seed: 42 });
      assert.ok(!JSON.stringify(entry).includes('base64'), 'the image data is not recorded');
    });

    it('a flagged prediction (E005) exits 1 as content_filter, logs the failure and writes nothing else', async () => {
      replicate.nextPrediction({ outcome: 'failed', error: E005_ERROR });
      const before = await snapshot(sample.dir);
      const { code, stdout, stderr } = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'photo_ferry_deck', '--json'], env());
      assert.equal(code, 1);
      assert.equal(JSON.parse(stdout).failure_reason, 'content_filter');
      assert.match(stderr, /generation failed \(content_filter\)/);
      assert.ok(!stderr.includes(FAKE_REPLICATE_TOKEN));
      const after = await snapshot(sample.dir);
      const logFile = path.join('data', 'tracking', 'generation_log.json');
      const folders = ['data', path.join('data', 'tracking')];
      const changed = Object.keys({ ...before, ...after }).filter((file) => before[file] !== after[file] && !folders.includes(file));
      assert.deepEqual(changed, [logFile], 'only the generation log is written');
      const log = await readGenerationLog(sample.dataRoot);
      assert.equal(log.successes.length, 0);
      assert.equal(log.failures.length, 1);
      assert.equal(log.failures[0].failure_reason, 'content_filter');
      assert.equal(log.failures[0].save_method, 'manual');
      assert.ok(!JSON.stringify(log).includes(FAKE_REPLICATE_TOKEN));
    });
  });

  describe('with S3 (the real AWS SDK against s3rver)', () => {
    let s3: S3TestServer;
    beforeEach(async () => {
      s3 = await startS3Server();
    });
    afterEach(() => s3.dispose());
    const args = () => s3CliArgs(s3, sample.dataRoot);
    const env = S3RVER_ENV;

    it('uploads, records the URL as a plain string; S3 down queues the upload; back up, the queue drains into the manifest', async () => {
      const first = await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_woodcut', ...args()], env);
      assert.equal(first.code, 0, first.stderr);
      const uploaded = JSON.parse(first.stdout);
      assert.equal(uploaded.s3_url, `${s3.endpoint}/${s3.bucket}/system_actors/training_data/${CARL}/${uploaded.filename}`);
      assert.deepEqual(Buffer.from(await (await fetch(uploaded.s3_url)).arrayBuffer()), await fs.readFile(uploaded.path));
      let entry = (await manifestOf(CARL)).images.find((image) => image.filename === uploaded.filename)!;
      assert.equal(entry.s3_url, uploaded.s3_url);
      assert.equal(entry.s3_key, `system_actors/training_data/${CARL}/${uploaded.filename}`);
      const metadata = JSON.parse(await fs.readFile(path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'prompt_metadata.json'), 'utf8'));
      assert.equal(metadata.images[uploaded.filename].s3_url, uploaded.s3_url);

      await s3.stop();
      const down = await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_etching', ...args()], env);
      assert.equal(down.code, 0, 'the image itself is fine');
      const queued = JSON.parse(down.stdout);
      assert.equal(queued.s3_url, null);
      assert.match(queued.upload_queued, /127\.0\.0\.1/);
      await fs.access(queued.path);
      entry = (await manifestOf(CARL)).images.find((image) => image.filename === queued.filename)!;
      assert.equal(entry.s3_url, null);
      const pending = JSON.parse(await fs.readFile(path.join(sample.dataRoot, 'tracking', 'pending_uploads.json'), 'utf8'));
      assert.deepEqual(
        pending.uploads.map((upload: { filename: string }) => upload.filename),
        [queued.filename],
      );

      await s3.restart();
      const drained = await cli(['retry-uploads', ...args()], env);
      assert.equal(drained.code, 0, drained.stderr);
      assert.equal(JSON.parse(drained.stdout).uploaded.length, 1);
      entry = (await manifestOf(CARL)).images.find((image) => image.filename === queued.filename)!;
      assert.equal(entry.s3_url, `${s3.endpoint}/${s3.bucket}/system_actors/training_data/${CARL}/${queued.filename}`);
      const after = JSON.parse(await fs.readFile(path.join(sample.dataRoot, 'tracking', 'pending_uploads.json'), 'utf8'));
      assert.deepEqual(after.uploads, []);
    });

    it('the next successful upload drains what waited', async () => {
      await s3.stop();
      const down = JSON.parse((await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_etching', ...args()], env)).stdout);
      await s3.restart();
      const up = await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_graphite', ...args()], env);
      assert.equal(up.code, 0, up.stderr);
      const manifest = await manifestOf(CARL);
      for (const filename of [down.filename, JSON.parse(up.stdout).filename]) {
        assert.match(manifest.images.find((image) => image.filename === filename)!.s3_url ?? '', /^http:\/\/127\.0\.0\.1:\d+\//, filename);
      }
    });
  });

  it('two CLI processes generating for one actor at once never share a number', async () => {
    const bin = path.join(REPO_ROOT, 'dist', 'cli.js');
    const runOne = (prompt: string) =>
      promisify(execFile)(process.execPath, [bin, 'generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', prompt, '--json']);
    const results = await Promise.all(['bw_woodcut', 'bw_etching', 'bw_graphite', 'bw_stipple'].map(runOne));
    const numbers = results.map((result) => JSON.parse(result.stdout).index);
    assert.equal(new Set(numbers).size, 4);
    assert.deepEqual(
      [...numbers].sort((a, b) => a - b),
      [6, 7, 8, 9],
    );
    assert.equal((await manifestOf(CARL)).images.length, 10);
  });
});
