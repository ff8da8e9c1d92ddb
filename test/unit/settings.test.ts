import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { environmentSource, environmentVariableOf, flagSource, loadCliSettings } from '../../src/core/config/settingsSources';
import { defaultSettings, resolveSettings, type SettingsSource } from '../../src/core/config/studioSettings';
import { errorKind, ExternalError, InputError, StudioError } from '../../src/core/errors';
import { redactSecrets } from '../../src/core/util/redact';
import { copySampleData, makeTempDir } from './helpers/tempData';

const source = (name: string, values: Record<string, unknown>, strict = false): SettingsSource => ({
  name,
  strict,
  get: (key) => (key in values ? { value: values[key], origin: name } : undefined),
});

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd, isTTY: false, env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('settings: one model for the editor and the CLI', () => {
  it('the first source that sets a usable value wins, then the defaults; each value names its source', () => {
    const resolved = resolveSettings([
      source('flags', { 'execution.concurrency': 4 }),
      source('environment', { 'execution.concurrency': 3, 'replicate.model': 'a/b' }),
      source('file', { 'replicate.model': 'c/d', 'target.total': 30 }),
    ]);
    assert.equal(resolved.settings.execution.concurrency, 4);
    assert.equal(resolved.settings.generator.model, 'a/b');
    assert.equal(resolved.settings.target.total, 30);
    assert.deepEqual(resolved.values['execution.concurrency'], { value: 4, source: 'flags' });
    assert.deepEqual(resolved.values['replicate.model'], { value: 'a/b', source: 'environment' });
    assert.deepEqual(resolved.values['s3.bucket'], { value: '', source: 'default' });
    assert.deepEqual(resolved.problems, []);
  });

  it('an unusable value of a settings file or the environment is reported and the next source applies', () => {
    const resolved = resolveSettings([
      source('environment', { 'execution.concurrency': 0 }),
      source('file', { 'execution.concurrency': 2.5, 'target.shares': { bw_stylized: 50 } }),
    ]);
    assert.equal(resolved.settings.execution.concurrency, 2, 'the default, as neither value is usable');
    assert.equal(resolved.problems.length, 2);
    assert.match(resolved.problems[0], /^environment: 0 is not usable for actorStudio\.execution\.concurrency \(expected 1 to 8, or "auto"\); ignored$/);
    assert.match(resolved.problems[1], /^file: 2\.5 is not usable .*expected a whole number/);
    assert.deepEqual(resolved.settings.target.shares, { photorealistic: 65, bw_stylized: 50, color_stylized: 15 }, 'shares merge over the defaults');
  });

  it('a flag with an unusable value is an input error naming the flag (one validation for every front end)', () => {
    assert.throws(
      () => resolveSettings([flagSource({ concurrency: '9' })]),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match((error as Error).message, /^flag --concurrency: 9 is not usable for actorStudio\.execution\.concurrency \(expected 1 to 8, or "auto"\)$/);
        return true;
      },
    );
    assert.throws(() => resolveSettings([flagSource({ concurrency: 'fast' })]), /flag --concurrency: "fast" is not usable .*expected a number, or "auto"/);
    assert.equal(resolveSettings([flagSource({ 'skip-face': true, model: 'x/y' })]).settings.evaluation.faceIdentity, false);
  });

  it('concurrency is a number or "auto", from a flag, the environment or a settings file alike', () => {
    assert.equal(resolveSettings([flagSource({ concurrency: 'auto' })]).settings.execution.concurrency, 'auto');
    assert.equal(resolveSettings([flagSource({ concurrency: ' AUTO ' })]).settings.execution.concurrency, 'auto');
    assert.equal(resolveSettings([source('file', { 'execution.concurrency': 'auto' })]).settings.execution.concurrency, 'auto');
    assert.equal(resolveSettings([flagSource({ concurrency: '5' })]).settings.execution.concurrency, 5);
    const environment = environmentSource({ ACTOR_STUDIO_EXECUTION_CONCURRENCY: 'auto' });
    assert.equal(resolveSettings([environment]).settings.execution.concurrency, 'auto');
    const unusable = resolveSettings([source('file', { 'execution.concurrency': 'Auto' })]);
    assert.equal(unusable.settings.execution.concurrency, 2, 'settings.json must say "auto" exactly, as package.json declares');
    assert.equal(defaultSettings().execution.concurrency, 2, 'the default stays 2, as the seeds say');
  });

  it("blank strings are unset where a value is needed, and the defaults are package.json's", () => {
    const resolved = resolveSettings([source('file', { 'replicate.model': '  ', 'openai.model': '', 's3.keyPrefix': '' })]);
    assert.equal(resolved.settings.generator.model, 'black-forest-labs/flux-kontext-pro');
    assert.equal(resolved.settings.evaluation.visionModel, 'gpt-4o');
    assert.equal(resolved.settings.s3.keyPrefix, '', 'an empty prefix is a real choice: the bucket root');
    assert.equal(defaultSettings().export.minRating, undefined);
  });

  it("environment variables: ACTOR_STUDIO_<KEY>, and the old tool's names", () => {
    assert.equal(environmentVariableOf('execution.concurrency'), 'ACTOR_STUDIO_EXECUTION_CONCURRENCY');
    assert.equal(environmentVariableOf('s3.keyPrefix'), 'ACTOR_STUDIO_S3_KEY_PREFIX');
    assert.equal(environmentVariableOf('checks.identityDriftDistance'), 'ACTOR_STUDIO_CHECKS_IDENTITY_DRIFT_DISTANCE');
  });

  describe('the CLI reads the settings of the workspace that holds --data', () => {
    let sample: Awaited<ReturnType<typeof copySampleData>>;
    let elsewhere: Awaited<ReturnType<typeof makeTempDir>>;
    beforeEach(async () => {
      sample = await copySampleData();
      elsewhere = await makeTempDir();
      await fs.mkdir(path.join(sample.dir, '.vscode'));
      await fs.writeFile(
        path.join(sample.dir, '.vscode', 'settings.json'),
        '{\n  // as VS Code writes it\n  "actorStudio.target.total": 30,\n  "actorStudio.s3.bucket": "from-file",\n}\n',
      );
    });
    afterEach(async () => {
      await sample.cleanup();
      await elsewhere.cleanup();
    });

    it('the same target from any current directory (plan --data X gave 30 or 20 before)', async () => {
      const here = await loadCliSettings({ cwd: sample.dir, env: {}, flags: { data: sample.dataRoot } });
      const there = await loadCliSettings({ cwd: elsewhere.dir, env: {}, flags: { data: sample.dataRoot } });
      assert.equal(here.settings.target.total, 30);
      assert.equal(there.settings.target.total, 30);
      assert.equal(there.settingsFile, path.join(sample.dir, '.vscode', 'settings.json'));
      const actors = await cli(['actors', '--data', sample.dataRoot, '--json'], elsewhere.dir);
      assert.equal(JSON.parse(actors.stdout).target.total, 30);
    });

    it('flags > environment > settings file > defaults; --settings FILE replaces the workspace file', async () => {
      const env = { ACTOR_STUDIO_S3_BUCKET: 'from-env', AWS_DEFAULT_REGION: 'eu-central-1' };
      const fromEnv = await loadCliSettings({ cwd: elsewhere.dir, env, flags: { data: sample.dataRoot } });
      assert.deepEqual([fromEnv.settings.s3.bucket, fromEnv.values['s3.bucket'].source], ['from-env', 'environment ACTOR_STUDIO_S3_BUCKET']);
      assert.deepEqual([fromEnv.settings.s3.region, fromEnv.values['s3.region'].source], ['eu-central-1', 'environment AWS_DEFAULT_REGION']);
      const fromFlag = await loadCliSettings({ cwd: elsewhere.dir, env, flags: { data: sample.dataRoot, 's3-bucket': 'from-flag' } });
      assert.deepEqual([fromFlag.settings.s3.bucket, fromFlag.values['s3.bucket'].source], ['from-flag', 'flag --s3-bucket']);
      const oldTool = await loadCliSettings({
        cwd: elsewhere.dir,
        env: { AWS_SYSTEM_ACTORS_BUCKET: 'seed-bucket' },
        flags: { settings: path.join(elsewhere.dir, 'none.json'), data: sample.dataRoot },
      }).catch((error: Error) => error);
      assert.ok(oldTool instanceof InputError, 'a --settings file that cannot be read is an input error');
      const other = path.join(elsewhere.dir, 'ci.json');
      await fs.writeFile(other, '{ "actorStudio.target.total": 10 }');
      const chosen = await loadCliSettings({
        cwd: elsewhere.dir,
        env: { AWS_SYSTEM_ACTORS_BUCKET: 'seed-bucket' },
        flags: { data: sample.dataRoot, settings: other },
      });
      assert.equal(chosen.settings.target.total, 10);
      assert.deepEqual([chosen.settings.s3.bucket, chosen.values['s3.bucket'].source], ['seed-bucket', 'environment AWS_SYSTEM_ACTORS_BUCKET']);
    });

    it("without --data, the data folder is the workspace settings' dataFolder, relative to that workspace", async () => {
      await fs.rename(sample.dataRoot, path.join(sample.dir, 'studio-data'));
      await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{ "actorStudio.dataFolder": "studio-data" }');
      const nested = path.join(sample.dir, 'notes');
      await fs.mkdir(nested);
      const settings = await loadCliSettings({ cwd: nested, env: {}, flags: {} });
      assert.equal(settings.dataRoot, path.join(sample.dir, 'studio-data'));
      assert.equal(settings.dataRootSource, path.join(sample.dir, '.vscode', 'settings.json'));
    });

    it('`config` prints every setting with its source; --json too', async () => {
      const text = await cli(['config', '--data', sample.dataRoot, '--concurrency', '3'], elsewhere.dir);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /actorStudio\.target\.total\s+30\s+.*settings\.json/);
      assert.match(text.stdout, /actorStudio\.execution\.concurrency\s+3\s+flag --concurrency/);
      assert.match(text.stdout, /object store: S3 bucket from-file/);
      const json = JSON.parse((await cli(['config', '--data', sample.dataRoot, '--json'], elsewhere.dir)).stdout);
      assert.deepEqual(json.settings['actorStudio.replicate.model'], { value: 'black-forest-labs/flux-kontext-pro', source: 'default' });
      assert.equal(json.setup.object_store.bucket, 'from-file');
    });

    it('execute --dry-run --json reports the model, concurrency, evaluator and object store it would use', async () => {
      await fs.writeFile(
        path.join(sample.dir, '.vscode', 'settings.json'),
        '{ "actorStudio.generator.provider": "replicate", "actorStudio.replicate.model": "black-forest-labs/flux-kontext-max", "actorStudio.execution.concurrency": 4, "actorStudio.s3.bucket": "bucket-one" }',
      );
      const plan = await cli(['plan', '--data', sample.dataRoot, '--actor-id', '0001_european_35_male', '--skip-face'], elsewhere.dir);
      assert.equal(plan.code, 0, plan.stderr);
      const dry = await cli(['execute', '--data', sample.dataRoot, '--actor-id', '0001_european_35_male', '--dry-run', '--json'], elsewhere.dir);
      assert.ok(dry.stdout, dry.stderr);
      const setup = JSON.parse(dry.stdout).setup;
      assert.deepEqual(setup.generator, { provider: 'replicate', model: 'black-forest-labs/flux-kontext-max', aspect_ratio: '16:9' });
      assert.equal(setup.concurrency, 4);
      assert.deepEqual(setup.evaluator, { provider: 'local', vision_model: null, face_identity: true });
      assert.deepEqual(setup.object_store, {
        kind: 's3',
        bucket: 'bucket-one',
        region: 'us-east-1',
        endpoint: null,
        key_prefix: 'system_actors/training_data/',
      });
      assert.equal(JSON.parse(dry.stdout).cost.model, 'black-forest-labs/flux-kontext-max', 'the cost is priced with the configured model');
      const flagged = JSON.parse(
        (
          await cli(
            ['execute', '--data', sample.dataRoot, '--actor-id', '0001_european_35_male', '--dry-run', '--json', '--concurrency', '1', '--provider', 'local'],
            elsewhere.dir,
          )
        ).stdout,
      );
      assert.deepEqual([flagged.setup.concurrency, flagged.setup.generator.model], [1, 'local/augment']);
    });

    it('an S3 setting that cannot work is an input error naming it (exit 2), not a crash', async () => {
      await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{ "actorStudio.s3.bucket": "b1" }');
      const result = await cli(['execute', '--data', sample.dataRoot, '--actor-id', '0001_european_35_male', '--dry-run'], elsewhere.dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^actor-studio: S3 bucket name "b1" is not valid/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });

    it('a broken settings file is an input error naming it (exit 2, no stack trace)', async () => {
      await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{ "actorStudio.target.total": ');
      const result = await cli(['actors', '--data', sample.dataRoot], elsewhere.dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /settings\.json: not valid JSON with comments/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  });
});

describe('errors: one taxonomy', () => {
  it('kinds: StudioError says; aborts are cancellations; file-system errors are input; anything else is a bug', () => {
    assert.equal(errorKind(new InputError('x')), 'input');
    assert.equal(errorKind(new ExternalError('x')), 'external');
    assert.equal(errorKind(new StudioError('x', 'cancelled')), 'cancelled');
    assert.equal(errorKind(Object.assign(new Error('gone'), { code: 'ENOENT', path: '/x' })), 'input');
    assert.equal(errorKind(new DOMException('stop', 'AbortError')), 'cancelled');
    assert.equal(errorKind(new TypeError('undefined is not a function')), 'internal');
    assert.equal(new InputError('bad', { file: '/d/m.json' }).file, '/d/m.json');
  });

  it('the CLI maps kinds to exit codes in one place: input 2 without a stack, bugs 1 with it, --debug shows stacks', async () => {
    const temp = await makeTempDir();
    try {
      const missing = await cli(['stats', '--data', path.join(temp.dir, 'nowhere')], temp.dir);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^actor-studio: data folder not found: .*nowhere/);
      assert.doesNotMatch(missing.stderr, /\n\s+at /);
      const debug = await cli(['stats', '--data', path.join(temp.dir, 'nowhere'), '--debug'], temp.dir);
      assert.equal(debug.code, 2);
      assert.match(debug.stderr, /\n\s+at /);
    } finally {
      await temp.cleanup();
    }
  });
});

describe('redaction: one redactor for logs, messages and records', () => {
  it('the union of the rules: given secrets, data URIs, Replicate/OpenAI/AWS keys, bearer tokens, key=value pairs and URL passwords', () => {
    // Key-shaped values are assembled here, so no literal in the repository looks like a real key.
    const replicate = `r8${'_'}${'x'.repeat(16)}`;
    const openai = `sk${'-'}proj-${'y'.repeat(24)}`;
    const aws = `AKIA${'Z'.repeat(16)}`;
    const bearer = `Bearer ${'w'.repeat(12)}`;
    const text = [
      `token ${replicate}`,
      `key ${openai}`,
      aws,
      `Authorization: ${bearer}`,
      'secret_key=abc123',
      'proxy http://user:hunter2@example.com/v1',
      'given s3cr3t-value',
      `image data:image/png;base64,${'A'.repeat(40)}`,
    ].join(' | ');
    const clean = redactSecrets(text, ['s3cr3t-value']);
    for (const secret of ['x'.repeat(16), openai, aws, bearer, 'abc123', 'hunter2', 's3cr3t-value', 'A'.repeat(40)]) {
      assert.ok(!clean.includes(secret), `${secret} left in: ${clean}`);
    }
    assert.match(clean, /http:\/\/user:\[redacted\]@example\.com\/v1/);
    assert.match(clean, /data:image\/png;base64,\[62 chars\]/);
  });
});
