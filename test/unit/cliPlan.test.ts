import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { actionPlanSchema, planSummarySchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { copySampleData, REPO_ROOT } from './helpers/tempData';

const CARL = '0001_european_35_male';

async function cli(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd, isTTY: false, env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI evaluate and plan', function () {
  // Real face inference in this thread over up to 22 images (a second or more each when nothing is
  // found and every pass of the cascade runs), on a 2-core machine that may be busy.
  this.timeout(120_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('evaluate stores results in the manifest by content hash; a second run is served from that cache', async () => {
    const first = await cli(['evaluate', '--data', sample.dataRoot, '--actor-id', CARL, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const [result] = JSON.parse(first.stdout);
    assert.equal(result.cached, false);
    assert.equal(result.images.length, 6);
    const manifest = await loadManifest(path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'manifest.json'));
    for (const entry of manifest.images) {
      assert.equal(entry.evaluation?.evaluator, 'local+face', 'face identity is on by default');
      assert.ok(entry.evaluation?.identity_distance !== undefined, `${entry.filename}: identity measured (a distance, or null for no face)`);
      assert.equal(entry.evaluation?.sha256, entry.sha256, `${entry.filename}: evaluated for the bytes on disk`);
    }
    const second = JSON.parse((await cli(['evaluate', '--data', sample.dataRoot, '--actor-id', CARL, '--json'])).stdout)[0];
    assert.equal(second.cached, true);
    assert.deepEqual(
      second.images.map((image: { filename: string; issues: string[] }) => [image.filename, image.issues]),
      result.images.map((image: { filename: string; issues: string[] }) => [image.filename, image.issues]),
    );
  });

  it('plan writes a schema-valid plan and summary that reach the target', async () => {
    const { code, stdout, stderr } = await cli(['plan', '--data', sample.dataRoot, '--actor-id', CARL, '--seed', '3', '--json']);
    assert.equal(code, 0, stderr);
    const [row] = JSON.parse(stdout).plans;
    const text = await fs.readFile(row.file, 'utf8');
    const plan = validateJsonText(text, actionPlanSchema);
    assert.ok(plan.ok, 'the plan file is valid against its schema');
    assert.equal(plan.value.seed, 3);
    assert.equal(plan.value.evaluator, 'local+face');
    assert.equal(plan.value.thresholds?.identityDriftDistance, 0.65, 'the plan records the thresholds it was made with');
    const kept = plan.value.kept!;
    const byCategory = (category: string) => plan.value.generations.filter((generation) => generation.category === category).length;
    assert.equal((kept.photorealistic ?? 0) + byCategory('photorealistic'), 13);
    assert.equal((kept.bw_stylized ?? 0) + byCategory('bw_stylized'), 4);
    assert.equal((kept.color_stylized ?? 0) + byCategory('color_stylized'), 3);
    assert.equal(new Set(plan.value.generations.map((generation) => generation.prompt_id)).size, plan.value.generations.length, 'no prompt twice');
    const summary = validateJsonText(await fs.readFile(path.join(sample.dataRoot, 'action_plans', 'summary.json'), 'utf8'), planSummarySchema);
    assert.ok(summary.ok);
    assert.equal(summary.value.actors.find((actor) => actor.actor_id === CARL)?.generations, plan.value.generations.length);
  });

  it('plan --all plans every actor once and journals the run', async () => {
    const { code, stdout } = await cli(['plan', '--data', sample.dataRoot, '--all', '--json']);
    assert.equal(code, 0);
    assert.deepEqual(
      JSON.parse(stdout)
        .plans.map((row: { actor_id: string }) => row.actor_id)
        .sort(),
      ['0000_european_45_female', CARL, '0002_mixed_30_nonbinary'],
    );
    const progress = JSON.parse(await fs.readFile(path.join(sample.dataRoot, 'action_plans', 'progress.json'), 'utf8'));
    assert.equal(progress.completed.length, 3);
  });

  it('usage errors exit 2', async () => {
    const neither = await cli(['plan', '--data', sample.dataRoot]);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /either --actor-id ID or --all/);
    const unknown = await cli(['evaluate', '--data', sample.dataRoot, '--actor-id', '9999_x_1_male']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown actor id "9999_x_1_male"/);
  });

  it("plan follows the workspace's .vscode/settings.json (targets, thresholds, face identity off)", async () => {
    await fs.mkdir(path.join(sample.dir, '.vscode'), { recursive: true });
    await fs.writeFile(
      path.join(sample.dir, '.vscode', 'settings.json'),
      `{
        // as VS Code writes it, comments and all
        "actorStudio.target.total": 10,
        "actorStudio.target.shares": { "photorealistic": 50, "bw_stylized": 30, "color_stylized": 20 },
        "actorStudio.checks.faceIdentity": false,
        "actorStudio.checks.minShortSide": 100,
      }`,
    );
    const { code, stdout, stderr } = await cli(['plan', '--actor-id', CARL, '--seed', '1', '--json'], sample.dir);
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(await fs.readFile(JSON.parse(stdout).plans[0].file, 'utf8'));
    assert.deepEqual(plan.target, { photorealistic: 5, bw_stylized: 3, color_stylized: 2 });
    assert.equal(plan.evaluator, 'local');
    assert.equal(plan.thresholds.minShortSide, 100);
  });

  it('--skip-face turns face identity off; a broken settings.json or an unknown evaluator is a usage error', async () => {
    const skipped = await cli(['evaluate', '--actor-id', CARL, '--skip-face', '--json'], sample.dir);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(JSON.parse(skipped.stdout)[0].evaluator, 'local');
    const noKey = await cli(['evaluate', '--actor-id', CARL, '--evaluator', 'openai'], sample.dir);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /OPENAI_API_KEY/);
    const unknown = await cli(['evaluate', '--actor-id', CARL, '--evaluator', 'gemini'], sample.dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /flag --evaluator: "gemini" is not usable .*expected one of auto, local, openai/);
    await fs.mkdir(path.join(sample.dir, '.vscode'), { recursive: true });
    await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{ "actorStudio.target.total": ');
    const broken = await cli(['plan', '--actor-id', CARL], sample.dir);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /\.vscode[/\\]settings\.json: not valid JSON/);
  });
});
