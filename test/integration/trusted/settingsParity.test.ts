// One settings model for both front ends: with non-default settings written to the workspace's
// .vscode/settings.json through VS Code, the editor's dry run and the CLI's
// `execute --dry-run --json` (run from another directory, with --data pointing here) report the
// same model, concurrency, evaluator, object store and targets, and `config --json` the same values.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCli } from '../../../src/cli/main';
import { studio, waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';

const NON_DEFAULT: Record<string, unknown> = {
  'generator.provider': 'replicate',
  'replicate.model': 'black-forest-labs/flux-kontext-max',
  'replicate.aspectRatio': '3:2',
  'execution.concurrency': 'auto',
  'target.total': 30,
  'evaluator.provider': 'local',
  'checks.faceIdentity': false,
  's3.bucket': 'parity-bucket',
  's3.region': 'eu-west-1',
  's3.keyPrefix': 'studio/',
};

async function cliJson(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const out: string[] = [];
  const err: string[] = [];
  // Another directory and no keys: only --data ties the CLI to this workspace.
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: os.tmpdir(), isTTY: false, env: {} });
  assert.ok(out.length > 0, `no output from ${args.join(' ')}: ${err.join('\n')}`);
  return { code, json: JSON.parse(out.join('\n')) as Record<string, unknown> };
}

describe('settings: the editor and the CLI read the same settings', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('actorStudio');

  after(async () => {
    for (const key of Object.keys(NON_DEFAULT)) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a dry run in each reports the same model, concurrency, evaluator, object store and targets', async () => {
    const api = await studio();
    for (const [key, value] of Object.entries(NON_DEFAULT)) {
      await config().update(key, value, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the editor to read the new settings', () => api.workspace.settings.execution.concurrency === 'auto' || undefined);

    const editor = await api.execution.dryRun([EILEEN], 'everything');
    const dataRoot = path.join(workspaceRoot(), 'data');
    const { json } = await cliJson(['execute', '--data', dataRoot, '--actor-id', EILEEN, '--dry-run', '--json']);
    const cli = json.setup as Record<string, Record<string, unknown>>;

    assert.deepEqual(
      { provider: cli.generator.provider, model: cli.generator.model, aspectRatio: cli.generator.aspect_ratio },
      { provider: 'replicate', model: 'black-forest-labs/flux-kontext-max', aspectRatio: '3:2' },
    );
    assert.deepEqual(editor.setup.generator, { provider: 'replicate', model: 'black-forest-labs/flux-kontext-max', aspectRatio: '3:2' });
    assert.equal(cli.concurrency, 'auto');
    assert.equal(editor.setup.concurrency, 'auto');
    assert.deepEqual(cli.evaluator, { provider: 'local', vision_model: null, face_identity: false });
    assert.deepEqual(editor.setup.evaluator, { provider: 'local', visionModel: null, faceIdentity: false });
    const store = { kind: 's3', bucket: 'parity-bucket', region: 'eu-west-1', endpoint: null };
    assert.deepEqual(cli.object_store, { ...store, key_prefix: 'studio/' });
    assert.deepEqual(editor.setup.objectStore, { ...store, keyPrefix: 'studio/' });
    assert.deepEqual(cli.targets, { photorealistic: 20, bw_stylized: 6, color_stylized: 4, total: 30 });
    assert.deepEqual(editor.setup.targets, cli.targets);
    // The dry run's cost is priced with the configured model in both.
    assert.equal((json.cost as { model: string }).model, 'black-forest-labs/flux-kontext-max');
    assert.equal(editor.cost.model, 'black-forest-labs/flux-kontext-max');
  });

  it('`actor-studio config --json` shows the values the editor uses, each from the workspace settings file', async () => {
    const api = await studio();
    const dataRoot = path.join(workspaceRoot(), 'data');
    const { code, json } = await cliJson(['config', '--data', dataRoot, '--json']);
    assert.equal(code, 0);
    const settings = json.settings as Record<string, { value: unknown; source: string }>;
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    assert.equal(json.settings_file, settingsFile);
    for (const [key, value] of Object.entries(NON_DEFAULT)) {
      assert.deepEqual(settings[`actorStudio.${key}`], { value, source: settingsFile }, key);
      assert.deepEqual(api.workspace.resolvedSettings.values[key].value, value, key);
    }
    assert.equal(settings['actorStudio.dataFolder'].value, dataRoot);
  });
});
