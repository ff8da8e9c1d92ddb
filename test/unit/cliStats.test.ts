import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { formatCost } from '../../src/core/plan/cost';
import { generationLogPath } from '../../src/core/workspace/layout';
import { ACTOR_A, ACTOR_B, FIXTURE_PROMPTS, FLUX, writeAnalyticsFixture } from './helpers/analyticsFixture';
import { makeTempDir, snapshot, writeActor } from './helpers/tempData';

describe('CLI: stats', function () {
  this.timeout(60000);
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataRoot: string;

  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: temp.dir, isTTY: false });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  beforeEach(async () => {
    temp = await makeTempDir();
    dataRoot = path.join(temp.dir, 'data');
    await writeAnalyticsFixture(dataRoot);
  });
  afterEach(() => temp.cleanup());

  it('prints one table per tab for all actors and changes nothing', async () => {
    const before = await snapshot(temp.dir);
    const { code, stdout, stderr } = await cli(['stats']);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, /^USAGE \(all actors\)$/m);
    assert.match(stdout, new RegExp(`^${FIXTURE_PROMPTS.photo1.id}\\s+Photorealistic\\s+3\\s+3\\s+2$`, 'm'));
    assert.match(stdout, /^Unused: 32 of 35 prompt\(s\)$/m);
    assert.match(stdout, /^QUALITY: 5 rated image\(s\), mean 3 star\(s\)$/m);
    assert.match(stdout, /^high \(4-5\)\s+2\s+7\.5\s+4\s+0\.5\s+2\/0\/0\/0$/m);
    assert.match(stdout, /^low \(1-3\)\s+3\s+12\.33\s+2\s+3\s+1\/1\/1\/0$/m);
    assert.match(stdout, /^FAILURES: 4 of 8 attempt\(s\)$/m);
    assert.match(stdout, /^content_filter\s+2$/m);
    assert.match(stdout, new RegExp(`^${FLUX}\\s+3\\s+3\\s+0\\s+50%$`, 'm'));
    assert.match(stdout, /^2026-12-02\s+0\s+0$/m);
    assert.match(stdout, /^BALANCE: target 20 = 13\/4\/3; 2 of 2 actor\(s\) need work$/m);
    assert.ok(stdout.indexOf(ACTOR_B) < stdout.indexOf(`${ACTOR_A}  `), 'most work first');
    assert.match(
      stdout,
      new RegExp(`^${ACTOR_B}\\s+1/13\\s+0/4\\s+1/3\\s+1\\s+19\\s+\\+12 Photorealistic, \\+4 B&W stylized, \\+2 Colour stylized, 1 unclassified$`, 'm'),
    );
    assert.match(stdout, /^SPEND \(estimated\): \$0\.165$/m);
    assert.match(stdout, /^gpt-4o\s+2\s+12000\s+\$0\.045$/m);
    assert.match(stdout, /^mystery-vision\s+1\s+110\s+unknown$/m);
    assert.match(stdout, /^No price known for: mystery-vision/m);
    assert.match(stdout, /^manual\s+7\s+4\s+57\.14%\s+1\s+3$/m);
    assert.match(stdout, /^auto\s+0\s+0\s+-\s+0\s+-$/m);
    assert.match(stdout, new RegExp(`^${FLUX}\\s+6\\s+3\\s+50%\\s+1\\s+3$`, 'm'));
    assert.match(stdout, /^SUCCESS RATE AND RATING: Pearson r - over n = 1 of 1 prompt\(s\)/m);
    assert.match(stdout, new RegExp(`^${FIXTURE_PROMPTS.photo1.id}\\s+7\\s+57\\.14%\\s+1\\s+3$`, 'm'));
    assert.deepEqual(await snapshot(temp.dir), before);
  });

  it('--json: the whole structure, with the same numbers', async () => {
    const { code, stdout } = await cli(['stats', '--json']);
    assert.equal(code, 0);
    const stats = JSON.parse(stdout);
    assert.deepEqual(Object.keys(stats), [
      'data_root',
      'actor_id',
      'usage',
      'quality',
      'failures',
      'balance',
      'spend',
      'save_methods',
      'parameters',
      'correlation',
      'problems',
    ]);
    // The fixture's attempts are all manual; only the deleted A_9 is logged with its file and rated (3).
    assert.deepEqual(stats.save_methods[0], { value: 'manual', attempts: 7, successes: 4, failures: 3, success_rate: 57.14, rated: 1, mean_rating: 3 });
    assert.deepEqual(Object.keys(stats.parameters), ['aspect_ratio', 'model', 'safety_tolerance', 'seed']);
    assert.deepEqual([stats.correlation.n, stats.correlation.pearson_r], [1, null]);
    assert.equal(stats.data_root, dataRoot);
    assert.equal(stats.actor_id, null);
    assert.deepEqual(stats.quality.distribution, { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 });
    assert.deepEqual(stats.failures.by_reason.content_filter, 2);
    assert.deepEqual(stats.balance.need_work, [ACTOR_B, ACTOR_A]);
    assert.equal(stats.spend.totals.estimated_cost, 0.165);
    assert.deepEqual(stats.problems, []);
  });

  it('--actor-id: that actor’s numbers; targets come from .vscode/settings.json like `plan`', async () => {
    await fs.mkdir(path.join(temp.dir, '.vscode'));
    await fs.writeFile(
      path.join(temp.dir, '.vscode', 'settings.json'),
      '{\n  // three images, one of each kind\n  "actorStudio.target.total": 3,\n  "actorStudio.target.shares": { "photorealistic": 1, "bw_stylized": 1, "color_stylized": 1 },\n}\n',
    );
    const { code, stdout } = await cli(['stats', '--actor-id', ACTOR_A, '--json']);
    assert.equal(code, 0);
    const stats = JSON.parse(stdout);
    assert.equal(stats.actor_id, ACTOR_A);
    assert.deepEqual([stats.failures.attempts, stats.quality.rated, stats.spend.totals.images], [5, 4, 3]);
    assert.deepEqual(stats.balance.target.per_category, { photorealistic: 1, bw_stylized: 1, color_stylized: 1 });
    assert.deepEqual(
      stats.balance.actors.map((actor: { actor_id: string; work: number }) => [actor.actor_id, actor.work]),
      [[ACTOR_A, 3]],
    );
    const text = await cli(['stats', '--actor-id', ACTOR_A]);
    assert.match(text.stdout, /^USAGE \(0000_european_45_female\)$/m);
    assert.match(text.stdout, /^0000_european_45_female\s+2\/1\s+1\/1\s+0\/1\s+1\s+3\s+-1 Photorealistic, \+1 Colour stylized, 1 unclassified$/m);
  });

  it('no generation log: empty numbers, exit 0', async () => {
    await fs.rm(path.dirname(generationLogPath(dataRoot)), { recursive: true });
    const { code, stdout } = await cli(['stats']);
    assert.equal(code, 0);
    assert.match(stdout, /^FAILURES: 0 of 0 attempt\(s\)$/m);
    assert.match(stdout, /^QUALITY: 4 rated image\(s\), mean 3 star\(s\)$/m);
    assert.match(stdout, new RegExp(`^SPEND \\(estimated\\): \\${formatCost(0.045, 'USD', 4)}$`, 'm'));
  });

  it('a corrupt log: exit 2 with the file named; an invalid plan: named, exit 1', async () => {
    const file = generationLogPath(dataRoot);
    await fs.writeFile(file, '{"successes": 3}');
    const corrupt = await cli(['stats']);
    assert.equal(corrupt.code, 2);
    assert.ok(corrupt.stderr.includes(`${file} is not a valid generation log`), corrupt.stderr);
    await fs.rm(file);
    await fs.writeFile(path.join(dataRoot, 'action_plans', `${ACTOR_B}_action_plan.json`), '[]');
    const badPlan = await cli(['stats']);
    assert.equal(badPlan.code, 1);
    assert.match(badPlan.stderr, /^data\/action_plans\/0001_european_35_male_action_plan\.json:1:1: error: /m);
  });

  it('usage errors: an unknown actor, both --actor-id and --all, no data folder', async () => {
    assert.equal((await cli(['stats', '--actor-id', '9999_nobody_1_male'])).code, 2);
    const both = await cli(['stats', '--actor-id', ACTOR_A, '--all']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give either --actor-id ID or --all/);
    assert.equal((await cli(['stats', '--all', '--data', path.join(temp.dir, 'nowhere')])).code, 2);
  });

  it('an actor with an invalid manifest is named on stderr and the exit code is 1', async () => {
    await writeActor(dataRoot, '0002_mixed_30_nonbinary', { manifest: '{ broken' });
    const { code, stdout, stderr } = await cli(['stats']);
    assert.equal(code, 1);
    assert.match(stderr, /0002_mixed_30_nonbinary\/training_data\/manifest\.json/);
    assert.match(stdout, /^BALANCE: target 20 = 13\/4\/3; 3 of 3 actor\(s\) need work$/m);
  });
});
