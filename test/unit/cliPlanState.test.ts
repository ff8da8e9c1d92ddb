import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { actorPaths, actorPlanPath } from '../../src/core/workspace/layout';
import { markNeedsReview } from './helpers/review';
import { copySampleData, REPO_ROOT } from './helpers/tempData';

const EVA = '0000_european_45_female';
const CARL = '0001_european_35_male';
const MIXED = '0002_mixed_30_nonbinary'; // three old-tool images and no manifest

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env: {} });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function imageFiles(dataRoot: string, actorId: string): Promise<string[]> {
  return (await fs.readdir(actorPaths(dataRoot, actorId).trainingDir)).filter((name) => name.endsWith('.jpg')).sort();
}

async function manifestFiles(dataRoot: string, actorId: string): Promise<string[]> {
  return (await loadManifest(actorPaths(dataRoot, actorId).manifest)).images.map((image) => image.filename).sort();
}

describe('CLI targets, plan state, stale plans and adoption at execute', function () {
  this.timeout(120_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());
  const data = () => ['--data', sample.dataRoot];
  const plan = async (actorId: string, ...extra: string[]) => {
    const result = await cli(['plan', ...data(), '--actor-id', actorId, '--seed', '1', '--skip-face', '--json', ...extra]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(await fs.readFile(actorPlanPath(sample.dataRoot, actorId), 'utf8'));
  };
  const actorsJson = async (...extra: string[]) => {
    const result = await cli(['actors', ...data(), '--json', ...extra]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  };

  it('--target and --split override the settings file on actors, plan and execute', async () => {
    await fs.mkdir(path.join(sample.dir, '.vscode'));
    await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{ "actorStudio.target.total": 30 }\n');
    assert.deepEqual((await actorsJson()).target, { total: 30, photorealistic: 20, bw_stylized: 6, color_stylized: 4 }, 'the settings file');
    const expected = { total: 10, photorealistic: 5, bw_stylized: 3, color_stylized: 2 };
    assert.deepEqual((await actorsJson('--target', '10', '--split', '50/30/20')).target, expected);

    const planned = await plan(CARL, '--target', '10', '--split', '50/30/20');
    assert.deepEqual(planned.target, { photorealistic: 5, bw_stylized: 3, color_stylized: 2 });
    const kept = Object.values(planned.kept as Record<string, number>).reduce((sum, count) => sum + count, 0);
    assert.ok(kept + planned.generations.length <= 10, 'the plan aims at the flag, not the settings file');

    const dry = await cli(['execute', ...data(), '--actor-id', CARL, '--dry-run', '--json', '--target', '12']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).setup.targets.total, 12);
  });

  it('bad --target and --split values exit 2 naming the flag, for every command that takes them', async () => {
    const cases: [string[], RegExp][] = [
      [['--target', '0'], /flag --target: 0 is not usable for actorStudio\.target\.total \(expected 1 to 1000\)/],
      [['--target', 'ten'], /flag --target: .* \(expected a number\)/],
      [['--target', '2.5'], /flag --target: 2\.5 .*whole number/],
      [['--split', '65/35'], /--split must be three shares .*not "65\/35"/],
      [['--split', 'a/b/c'], /--split must be three shares/],
      [['--split', '0/0/0'], /--split must be three shares/],
      [['--split=-5/50/55'], /--split must be three shares/],
    ];
    const commands = [['actors'], ['plan', '--actor-id', CARL], ['execute', '--actor-id', CARL, '--dry-run']];
    for (const command of commands) {
      for (const [args, message] of cases) {
        const result = await cli([...command, ...data(), ...args]);
        assert.equal(result.code, 2, `${command[0]} ${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message, `${command[0]} ${args.join(' ')}`);
      }
    }
  });

  it('actors shows each actor plan state: none, plan -d +g, stale, and needs review (text and --json)', async () => {
    const before = await actorsJson();
    assert.deepEqual(
      before.actors.map((actor: { plan: { state: string } }) => actor.plan.state),
      ['none', 'none', 'none'],
    );
    const planned = await plan(CARL);
    const carl = (await actorsJson()).actors.find((actor: { id: string }) => actor.id === CARL);
    assert.deepEqual(carl.plan, {
      state: 'planned',
      deletions: planned.deletions.length,
      generations: planned.generations.length,
      needs_review: false,
      label: `plan -${planned.deletions.length} +${planned.generations.length}`,
    });

    await fs.rm(path.join(actorPaths(sample.dataRoot, CARL).trainingDir, `${CARL}_0.jpg`));
    await markNeedsReview(sample.dataRoot, EVA, `${EVA}_3.jpg`);
    const after = await actorsJson();
    const byId = (id: string) => after.actors.find((actor: { id: string }) => actor.id === id).plan;
    assert.equal(byId(CARL).state, 'stale');
    assert.equal(byId(CARL).label, 'stale');
    assert.deepEqual(byId(EVA), { state: 'none', deletions: null, generations: null, needs_review: true, label: 'none, needs review' });

    const text = await cli(['actors', ...data()]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /PLAN/);
    assert.match(text.stdout, new RegExp(`${CARL}\\s.*\\sstale$`, 'm'));
    assert.match(text.stdout, new RegExp(`${EVA}\\s.*\\snone, needs review$`, 'm'));
    assert.match(text.stdout, new RegExp(`${MIXED}\\s.*\\snone$`, 'm'));
  });

  it('a stale plan: the dry run names it, execute skips it, --replan plans it again and goes on', async () => {
    await plan(CARL);
    // Seed 003: delete images by hand, then generate-only fills the set again.
    await fs.rm(path.join(actorPaths(sample.dataRoot, CARL).trainingDir, `${CARL}_1.jpg`));
    await fs.rm(path.join(actorPaths(sample.dataRoot, CARL).trainingDir, `${CARL}_2.jpg`));

    const dryJson = await cli(['execute', ...data(), '--actor-id', CARL, '--dry-run', '--generate-only', '--json']);
    assert.equal(dryJson.code, 1);
    const [actor] = JSON.parse(dryJson.stdout).actors;
    assert.equal(actor.stale, true);
    assert.match(actor.skip_reason, /stale/);
    const dryText = await cli(['execute', ...data(), '--actor-id', CARL, '--dry-run', '--generate-only']);
    assert.match(dryText.stdout, /execute --replan would re-plan it and go on/);
    assert.match(dryText.stdout, new RegExp(`1 stale plan\\(s\\) \\(${CARL}\\): --replan would re-plan them and go on`));

    const skipped = await cli(['execute', ...data(), '--actor-id', CARL, '--execute', '--generate-only', '--json']);
    assert.equal(skipped.code, 1);
    assert.match(JSON.parse(skipped.stdout).skipped_actors[0].reason, /stale/);

    const replanned = await cli(['execute', ...data(), '--actor-id', CARL, '--execute', '--generate-only', '--replan', '--json', '--fresh']);
    assert.equal(replanned.code, 0, replanned.stderr);
    const summary = JSON.parse(replanned.stdout);
    assert.equal(summary.replanned.length, 1);
    assert.equal(summary.replanned[0].actor_id, CARL);
    assert.equal(summary.skipped_actors.length, 0);
    assert.equal(summary.done.length, summary.replanned[0].generations);
    assert.ok(summary.replanned[0].generations >= 16, 'the 2 deleted images are planned again: 4 kept + 16 = 20');
    assert.equal((await imageFiles(sample.dataRoot, CARL)).length, 4 + summary.replanned[0].generations);
    assert.deepEqual(await manifestFiles(sample.dataRoot, CARL), await imageFiles(sample.dataRoot, CARL), 'the entries of the deleted files left the manifest');
    assert.deepEqual(
      summary.dropped_entries.map((file: { filename: string }) => file.filename),
      [`${CARL}_1.jpg`, `${CARL}_2.jpg`],
    );

    const none = await cli(['execute', ...data(), '--actor-id', CARL, '--dry-run', '--replan']);
    assert.match(none.stdout, /--replan re-plans it first/, 'the plan is stale again after the run; with --replan the dry run says so');
  });

  it('execute adopts the untracked images its plan keeps: every kept file is in the manifest', async () => {
    await plan(MIXED);
    const dry = JSON.parse((await cli(['execute', ...data(), '--actor-id', MIXED, '--dry-run', '--json'])).stdout);
    const untracked = [0, 1, 2].map((n) => `${MIXED}_${n}.jpg`);
    assert.deepEqual(dry.actors[0].adopt, untracked);
    const text = await cli(['execute', ...data(), '--actor-id', MIXED, '--dry-run']);
    assert.match(text.stdout, new RegExp(`adopt {3}${MIXED}_0\\.jpg`));

    const run = await cli(['execute', ...data(), '--actor-id', MIXED, '--execute', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(
      summary.adopted.map((file: { filename: string }) => file.filename),
      untracked,
    );
    const files = await imageFiles(sample.dataRoot, MIXED);
    assert.equal(files.length, 3 + summary.done.length);
    assert.deepEqual(await manifestFiles(sample.dataRoot, MIXED), files, 'every file is in the manifest, the 3 old ones included');
    const manifest = await loadManifest(actorPaths(sample.dataRoot, MIXED).manifest);
    const adopted = manifest.images.filter((image) => untracked.includes(image.filename));
    assert.ok(
      adopted.every((image) => image.source === 'imported' && image.sha256),
      'adopted as reconcile --fix adopts: imported, with the hash',
    );
    const actors = await actorsJson();
    assert.equal(actors.actors.find((actor: { id: string }) => actor.id === MIXED).untracked, 0);
  });
});
