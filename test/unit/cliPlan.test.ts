import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { actionPlanSchema, planSummarySchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { copySampleData, REPO_ROOT } from './helpers/tempData';

const CARL = '0001_european_35_male';

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env: {} });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI evaluate and plan', () => {
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
      assert.equal(entry.evaluation?.evaluator, 'local');
      assert.equal(entry.evaluation?.sha256, entry.sha256, `${entry.filename}: evaluated for the bytes on disk`);
    }
    const second = JSON.parse((await cli(['evaluate', '--data', sample.dataRoot, '--actor-id', CARL, '--json'])).stdout)[0];
    assert.equal(second.cached, true);
    assert.deepEqual(second.images.map((image: { filename: string; issues: string[] }) => [image.filename, image.issues]), result.images.map((image: { filename: string; issues: string[] }) => [image.filename, image.issues]));
  });

  it('plan writes a schema-valid plan and summary that reach the target', async () => {
    const { code, stdout, stderr } = await cli(['plan', '--data', sample.dataRoot, '--actor-id', CARL, '--seed', '3', '--json']);
    assert.equal(code, 0, stderr);
    const [row] = JSON.parse(stdout).plans;
    const text = await fs.readFile(row.file, 'utf8');
    const plan = validateJsonText(text, actionPlanSchema);
    assert.ok(plan.ok, 'the plan file is valid against its schema');
    assert.equal(plan.value.seed, 3);
    assert.equal(plan.value.evaluator, 'local');
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
    assert.deepEqual(JSON.parse(stdout).plans.map((row: { actor_id: string }) => row.actor_id).sort(), ['0000_european_45_female', CARL, '0002_mixed_30_nonbinary']);
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
});
