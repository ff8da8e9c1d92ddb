import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { actorPaths, actorPlanPath } from '../../src/core/workspace/layout';
import { FAKE_REPLICATE_TOKEN } from '../fakes/replicateServer';
import { copySampleData, REPO_ROOT, snapshot } from './helpers/tempData';

const CARL = '0001_european_35_male'; // 6 images of 20
const MIXED = '0002_mixed_30_nonbinary'; // three old-tool images, no manifest

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const images = async (dataRoot: string, actorId: string) =>
  (await fs.readdir(actorPaths(dataRoot, actorId).trainingDir)).filter((name) => name.endsWith('.jpg')).sort();

describe('CLI generate --fill', function () {
  this.timeout(120_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());
  const fill = (actorId: string, ...extra: string[]) => ['generate', '--fill', '--data', sample.dataRoot, '--actor-id', actorId, '--skip-face', ...extra];

  it('plans what the actor lacks and generates it in one step, deleting nothing; a second fill finds nothing to do', async () => {
    const dry = await cli([...fill(CARL), '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const preview = JSON.parse(dry.stdout);
    assert.equal(preview.mode, 'generate_only');
    assert.deepEqual(preview.actors[0].trash, [], 'filling never deletes');
    assert.ok(preview.generations >= 14, `Carl has 6 of 20: ${preview.generations} planned`);
    assert.equal(preview.cost.total, 0, 'the offline generator costs nothing');
    assert.equal((await images(sample.dataRoot, CARL)).length, 6, 'the dry run generated nothing');
    await fs.access(actorPlanPath(sample.dataRoot, CARL));

    const before = await images(sample.dataRoot, CARL);
    const run = await cli([...fill(CARL), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.mode, 'generate_only');
    assert.equal(summary.status, 'completed');
    assert.ok(summary.done.every((operation: { kind: string }) => operation.kind === 'generate'));
    const after = await images(sample.dataRoot, CARL);
    assert.equal(after.length, before.length + summary.done.length);
    assert.ok(
      before.every((name) => after.includes(name)),
      'every image it had stays',
    );
    assert.deepEqual((await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.map((image) => image.filename).sort(), after);
    await assert.rejects(fs.access(path.join(sample.dataRoot, '.trash')), 'nothing went to the trash');

    const again = await cli([...fill(CARL), '--dry-run']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`${CARL} lacks nothing: it is at its targets`));
  });

  it('with --target, the old images of an actor without a manifest are adopted and the set reaches the flag', async () => {
    const run = await cli([...fill(MIXED), '--target', '8', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    const files = await images(sample.dataRoot, MIXED);
    assert.equal(files.length, 3 + summary.done.length);
    assert.ok(summary.done.length <= 8, 'the plan aimed at 8');
    assert.deepEqual((await loadManifest(actorPaths(sample.dataRoot, MIXED).manifest)).images.map((image) => image.filename).sort(), files);
  });

  it('a paid fill needs --yes (exit 2 with the cost); wrong flag combinations exit 2; nothing is generated', async () => {
    const env = { REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: 'http://127.0.0.1:9' };
    const paid = await cli([...fill(CARL), '--provider', 'replicate'], env);
    assert.equal(paid.code, 2, paid.stderr);
    assert.match(paid.stderr, new RegExp(`filling ${CARL} generates \\d+ image\\(s\\): .*flux-kontext-pro.*; add --yes to go ahead`));
    assert.equal((await images(sample.dataRoot, CARL)).length, 6);

    const before = await snapshot(sample.dir);
    const cases: [string[], RegExp][] = [
      [['generate', '--fill', '--data', sample.dataRoot], /--fill needs --actor-id ID/],
      [[...fill(CARL), '--prompt', 'photo_diner_booth'], /--fill picks the prompts itself/],
      [['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'photo_diner_booth', '--dry-run'], /go with --fill/],
      [[...fill(CARL), '--target', '0'], /flag --target: 0 is not usable/],
      [[...fill('9999_nobody_1_male')], /unknown actor id "9999_nobody_1_male"/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.deepEqual(await snapshot(sample.dir), before);
  });
});
