import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { consistencyProblems } from '../slow/crashHarness';
import { copySampleData, REPO_ROOT } from './helpers/tempData';

const EVA = '0000_european_45_female';
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Predictions the fake server answered with an image: the requests that were paid for. */
const paid = (server: FakeReplicateServer) => [...server.predictions.values()].filter((prediction) => prediction.status === 'succeeded').length;

async function readState(dataRoot: string): Promise<{ spent_usd: number; round: number; phase: string; stopped_by?: string }> {
  const dir = path.join(dataRoot, 'action_plans', 'balance');
  const [file] = await fs.readdir(dir);
  return JSON.parse(await fs.readFile(path.join(dir, file), 'utf8'));
}

describe('balance: execute --until-balanced', function () {
  this.timeout(180_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('offline, one actor reaches its target in every category, and a second plan plans nothing', async () => {
    const run = await cli(['execute', '--data', sample.dataRoot, '--actor-id', EVA, '--execute', '--until-balanced', '--skip-face', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.stopped_by, 'balanced');
    const [actor] = report.actors;
    assert.equal(actor.reached_target, true);
    assert.ok(actor.accepted.length > 0 && actor.rounds >= 1 && actor.rounds <= 3, JSON.stringify(actor));
    assert.equal(actor.spend, 0, 'the offline generator costs nothing');
    const again = await cli(['plan', '--data', sample.dataRoot, '--actor-id', EVA, '--skip-face', '--json']);
    assert.deepEqual(
      JSON.parse(again.stdout).plans.map((row: { deletions: number; generations: number }) => [row.deletions, row.generations]),
      [[0, 0]],
    );
    const record = new ActorIndex(sample.dataRoot).actor(EVA);
    const targets = categoryTargets(DEFAULT_TARGET);
    const images = record.images.filter((image) => !image.missing);
    assert.ok(images.length >= targets.photorealistic + targets.bw_stylized + targets.color_stylized);
  });

  it('a budget is checked before every paid request and never exceeded (the real SDK against a fake Replicate)', async () => {
    const replicate = await FakeReplicateServer.start({ token: FAKE_REPLICATE_TOKEN, plan: { syncComplete: true } });
    try {
      const env = { REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl };
      const run = await cli(
        ['execute', '--data', sample.dataRoot, '--actor-id', EVA, '--execute', '--until-balanced', '--budget', '0.2', '--skip-face', '--json'],
        env,
      );
      assert.equal(run.code, 1, `the target is not reached within the budget: ${run.stderr}`);
      const report = JSON.parse(run.stdout);
      assert.equal(report.stopped_by, 'budget');
      assert.ok(report.spend.total <= 0.2 + 1e-9, `spent ${report.spend.total}`);
      // flux-kontext-pro is priced at $0.04 an image: at most 5 requests fit in $0.20.
      assert.equal(paid(replicate), 5);
      assert.equal(replicate.requestsOf('create').length, 5, 'no request was even made past the budget');
      assert.equal(report.actors[0].accepted.length + report.actors[0].rejected.length, 5);
      assert.ok(!`${run.stdout}${run.stderr}`.includes(FAKE_REPLICATE_TOKEN));
    } finally {
      await replicate.close();
    }
  });

  it('a balance killed mid-run resumes where it stopped; both runs together stay within the budget', async () => {
    // Slow predictions, so the first process is killed while requests are in flight.
    const replicate = await FakeReplicateServer.start({ token: FAKE_REPLICATE_TOKEN, plan: { processingPolls: 3 } });
    try {
      const env = { ...process.env, REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl };
      const args = [CLI, 'execute', '--data', sample.dataRoot, '--actor-id', EVA, '--execute', '--until-balanced', '--budget', '0.32', '--skip-face', '--json'];
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      const deadline = Date.now() + 60_000;
      while (replicate.requestsOf('create').length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill('SIGKILL');
      await exited;
      const killedAt = await readState(sample.dataRoot);
      assert.notEqual(killedAt.phase, 'finished', 'killed mid-run');

      const resumed = await cli(args.slice(1), { REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl });
      const report = JSON.parse(resumed.stdout);
      assert.equal(report.resumed, true, resumed.stderr);
      assert.equal(report.stopped_by, 'budget');
      assert.ok(report.spend.total <= 0.32 + 1e-9, `spent ${report.spend.total}`);
      // A prediction created before the kill is billed even if nobody collects it: every create
      // counts, and there are never more than 8 ($0.32 / $0.04) across both processes.
      assert.ok(replicate.requestsOf('create').length <= 8, `${replicate.requestsOf('create').length} predictions created`);
      assert.ok(paid(replicate) >= 1);
      const state = await readState(sample.dataRoot);
      assert.equal(state.phase, 'finished');
      // _12 is untracked in the sample on purpose (the tree lists it as untracked).
      const { lost, duplicated } = await consistencyProblems(sample.dataRoot, EVA, [`${EVA}_12.jpg`]);
      assert.deepEqual([...lost, ...duplicated], [], 'no lost, duplicated or half-written image');
    } finally {
      await replicate.close();
    }
  });

  it('refuses what cannot work before anything runs: rounds and budgets that make no sense, --dry-run', async () => {
    for (const [args, message] of [
      [['--budget', 'lots'], /--budget must be an amount in USD of at least 0, not "lots"/],
      [['--max-rounds', '0'], /flag --max-rounds: 0 is not usable for actorStudio\.balance\.maxRounds/],
    ] as const) {
      const run = await cli(['execute', '--data', sample.dataRoot, '--actor-id', EVA, '--execute', '--until-balanced', ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    const dry = await cli(['execute', '--data', sample.dataRoot, '--actor-id', EVA, '--dry-run', '--until-balanced']);
    assert.equal(dry.code, 2);
    assert.match(dry.stderr, /--until-balanced goes with --execute/);
    const loose = await cli(['execute', '--data', sample.dataRoot, '--actor-id', EVA, '--execute', '--budget', '1']);
    assert.equal(loose.code, 2);
    assert.match(loose.stderr, /--max-rounds and --budget go with --until-balanced/);
  });
});
