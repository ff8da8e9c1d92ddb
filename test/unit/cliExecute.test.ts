import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/cliSupport';
import { NEXT_RUN_PLACEHOLDER } from '../../src/core/execute/dryRun';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { actorPlanPath } from '../../src/core/workspace/layout';
import { actorPaths } from '../../src/core/workspace/layout';
import { nextImageNumber } from '../../src/core/actors/numbering';
import { E005_ERROR, FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { consistencyProblems } from '../slow/crashHarness';
import { copySampleData, REPO_ROOT, snapshot } from './helpers/tempData';

const EVA = '0000_european_45_female'; // the sample actor whose plan deletes 4 images and generates 11
const CLI_JS = path.join(REPO_ROOT, 'dist', 'cli.js');
const SAMPLE_UNTRACKED = [`${EVA}_12.jpg`];

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, extra: Partial<CliIO> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env, ...extra });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

interface PlanFile {
  deletions: { filename: string }[];
  generations: { prompt_id: string; category: string }[];
}

/** Plans an actor with the local checks and a fixed seed (face identity off: fast, and enough here). */
async function planActor(dataRoot: string, actorId: string): Promise<PlanFile> {
  const result = await cli(['plan', '--data', dataRoot, '--actor-id', actorId, '--seed', '1', '--skip-face', '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(await fs.readFile(actorPlanPath(dataRoot, actorId), 'utf8'));
}

/**
 * Training folder and manifest agree (files, sha256), no number twice (trash included). The sample's
 * actor has one untracked image from the start: it stays untracked until a completed run adopts it, nothing else may be.
 */
async function assertConsistent(dataRoot: string, actorId: string): Promise<void> {
  const { lost, duplicated } = await consistencyProblems(dataRoot, actorId, SAMPLE_UNTRACKED);
  assert.deepEqual([...lost, ...duplicated], []);
}

describe('CLI execute and undo', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());
  const data = () => ['--data', sample.dataRoot];

  it('usage errors exit 2 with a message and write nothing', async () => {
    await planActor(sample.dataRoot, EVA);
    const before = await snapshot(sample.dir);
    const cases: [string[], RegExp][] = [
      [['--actor-id', EVA], /either --dry-run or --execute/],
      [['--actor-id', EVA, '--dry-run', '--execute'], /either --dry-run or --execute/],
      [['--actor-id', EVA, '--execute', '--delete-only', '--generate-only'], /--delete-only and --generate-only exclude each other/],
      [['--execute'], /either --actor-id ID or --all/],
      [['--actor-id', EVA, '--all', '--execute'], /either --actor-id ID or --all/],
      [['--actor-id', '9999_x_1_male', '--execute'], /unknown actor id "9999_x_1_male"/],
      [['--actor-id', EVA, '--execute', '--concurrency', '0'], /flag --concurrency: "0"|flag --concurrency: 0 is not usable .*expected 1 to 8/],
      [['--actor-id', EVA, '--execute', '--provider', 'dalle'], /flag --provider: "dalle" is not usable .*expected one of auto, local, replicate/],
      [['--actor-id', EVA, '--execute', '--provider', 'replicate'], /no Replicate API token/],
      [['--actor-id', EVA, '--execute', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(['execute', ...data(), ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    const unknownRun = await cli(['undo', ...data(), '--run', 'no-such-run']);
    assert.equal(unknownRun.code, 2);
    assert.match(unknownRun.stderr, /unknown run "no-such-run"/);
    assert.deepEqual(await snapshot(sample.dir), before);
  });

  it('a dry run lists the exact operations, names and cost, and changes nothing', async () => {
    const plan = await planActor(sample.dataRoot, EVA);
    const before = await snapshot(sample.dir);
    const { code, stdout, stderr } = await cli(['execute', ...data(), '--actor-id', EVA, '--dry-run', '--provider', 'replicate', '--json']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    const [actor] = result.actors;
    assert.equal(result.dry_run, true);
    assert.equal(result.mode, 'everything');
    assert.deepEqual(
      actor.trash.map((trash: { filename: string; to: string }) => [trash.filename, trash.to]),
      plan.deletions.map((deletion) => [deletion.filename, path.join('.trash', NEXT_RUN_PLACEHOLDER, 'actors', EVA, 'training_data', deletion.filename)]),
    );
    const next = nextImageNumber(sample.dataRoot, EVA, await loadManifest(actorPaths(sample.dataRoot, EVA).manifest));
    assert.deepEqual(
      actor.create.map((create: { filename: string; prompt_id: string }) => [create.filename, create.prompt_id]),
      plan.generations.map((generation, position) => [`${EVA}_${next + position}.jpg`, generation.prompt_id]),
    );
    assert.ok(
      actor.create.every((create: { prompt: string }) => /the woman/.test(create.prompt)),
      'the filled prompt text',
    );
    assert.equal(result.cost.model, 'black-forest-labs/flux-kontext-pro');
    assert.equal(result.cost.total, Math.round(plan.generations.length * 0.04 * 10_000) / 10_000);

    const text = await cli(['execute', ...data(), '--actor-id', EVA, '--dry-run', '--generate-only', '--provider', 'local']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`create  ${EVA}_${next}\\.jpg  \\w+  ${plan.generations[0].prompt_id}: `));
    assert.doesNotMatch(text.stdout, /trash {3}/, '--generate-only trashes nothing');
    // 13: the untracked _12 and the imported _13 have no prompt and colour pixels, so they stay
    // unclassified (no longer guessed photorealistic and colour stylized) and are made up for.
    assert.match(text.stdout, /0 to trash, 13 to create, \$0\.00 .*nothing was changed/);
    assert.deepEqual(await snapshot(sample.dir), before, 'nothing written');
  });

  it('executes a plan with the local generator; undo puts the deleted files and entries back byte for byte', async () => {
    const plan = await planActor(sample.dataRoot, EVA);
    const { trainingDir, manifest: manifestFile, promptMetadata } = actorPaths(sample.dataRoot, EVA);
    const deleted = plan.deletions.map((deletion) => deletion.filename);
    const originalBytes = new Map(await Promise.all(deleted.map(async (name) => [name, await fs.readFile(path.join(trainingDir, name))] as const)));
    const entryOf = <T extends { filename: string }>(manifest: { images: T[] }, name: string) => manifest.images.find((image) => image.filename === name);
    const originalManifest = await loadManifest(manifestFile);
    const originalMetadata = JSON.parse(await fs.readFile(promptMetadata, 'utf8'));
    const predicted = JSON.parse((await cli(['execute', ...data(), '--actor-id', EVA, '--dry-run', '--json'])).stdout).actors[0].create;

    const { code, stdout, stderr } = await cli(['execute', ...data(), '--actor-id', EVA, '--execute', '--provider', 'local', '--json']);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    assert.equal(summary.status, 'completed');
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.done.length, deleted.length + plan.generations.length);
    assert.equal(summary.spend.total, 0, 'the local generator costs nothing');

    for (const name of deleted) {
      await assert.rejects(fs.access(path.join(trainingDir, name)), `${name} left the training folder`);
      const trashed = path.join(sample.dataRoot, '.trash', summary.run_id, 'actors', EVA, 'training_data', name);
      assert.deepEqual(await fs.readFile(trashed), originalBytes.get(name), `${name} is in the trash as it was`);
    }
    const generated = summary.done.filter((operation: { kind: string }) => operation.kind === 'generate');
    assert.deepEqual(
      generated.map((operation: { filename: string }) => operation.filename).sort(),
      predicted.map((create: { filename: string }) => create.filename).sort(),
      'the names the dry run announced',
    );
    const manifest = await loadManifest(manifestFile);
    for (const operation of generated) {
      assert.equal(entryOf(manifest, operation.filename)?.prompt_id, operation.prompt_id, operation.filename);
    }
    assert.deepEqual(
      generated.map((operation: { prompt_id: string }) => operation.prompt_id).sort(),
      plan.generations.map((generation) => generation.prompt_id).sort(),
    );
    await assertConsistent(sample.dataRoot, EVA);

    const undo = await cli(['undo', ...data(), '--json']);
    assert.equal(undo.code, 0, undo.stderr);
    const undone = JSON.parse(undo.stdout);
    assert.equal(undone.run_id, summary.run_id);
    assert.deepEqual(undone.restored.map((file: { filename: string }) => file.filename).sort(), [...deleted].sort());
    const restoredManifest = await loadManifest(manifestFile);
    const restoredMetadata = JSON.parse(await fs.readFile(promptMetadata, 'utf8'));
    for (const name of deleted) {
      assert.deepEqual(await fs.readFile(path.join(trainingDir, name)), originalBytes.get(name), `${name}: the same bytes`);
      assert.deepEqual(entryOf(restoredManifest, name), entryOf(originalManifest, name), `${name}: the same manifest entry`);
      assert.deepEqual(restoredMetadata.images?.[name], originalMetadata.images?.[name], `${name}: the same prompt metadata`);
    }
    // The sample's untracked image was kept by the plan, so the execution adopted it (undo leaves additions).
    assert.deepEqual(
      summary.adopted.map((file: { filename: string }) => file.filename),
      SAMPLE_UNTRACKED,
    );
    assert.equal(restoredManifest.images.length, originalManifest.images.length + plan.generations.length + 1, 'the generated and adopted images stay');
    await assertConsistent(sample.dataRoot, EVA);
    const again = await cli(['undo', ...data()]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to undo/);
  });

  it('Ctrl+C stops the run and says how to resume; the same command again finishes it without repeating work', async () => {
    const plan = await planActor(sample.dataRoot, EVA);
    const before = new Set((await loadManifest(actorPaths(sample.dataRoot, EVA).manifest)).images.map((image) => image.filename));
    const interrupt = new AbortController();
    const args = ['execute', ...data(), '--actor-id', EVA, '--execute', '--provider', 'local'];
    const first = await cli(
      args,
      {},
      {
        signal: interrupt.signal,
        // Plain progress lines (not a terminal): abort as soon as the first image is saved.
        stderr: (text) => /generate .*: done/.test(text) && interrupt.abort(),
      },
    );
    assert.equal(first.code, 1, 'an interrupted run did not do everything');
    assert.match(first.stdout, /cancelled/);
    assert.match(first.stdout, /run the same command again to resume/);
    const second = await cli([...args, '--json']);
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout);
    assert.equal(summary.resumed, true);
    assert.equal(summary.done.length, plan.deletions.length + plan.generations.length, 'every operation done once over both runs');
    await assertConsistent(sample.dataRoot, EVA);
    const manifest = await loadManifest(actorPaths(sample.dataRoot, EVA).manifest);
    const added = manifest.images.filter((image) => !before.has(image.filename) && !SAMPLE_UNTRACKED.includes(image.filename));
    assert.deepEqual(
      added.map((image) => image.prompt_id).sort(),
      plan.generations.map((generation) => generation.prompt_id).sort(),
      'one image per planned generation',
    );
  });

  it('on a terminal, progress is one stderr line rewritten with \\r, cleared before the summary', async () => {
    await planActor(sample.dataRoot, EVA);
    const written: string[] = [];
    const result = await cli(['execute', ...data(), '--actor-id', EVA, '--execute', '--delete-only'], {}, {
      isTTY: true,
      stderrWrite: (text: string) => written.push(text),
    } as Partial<CliIO>);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      written.some((text) => text.startsWith('\r[') && text.includes(' 4/4 ')),
      written.join('|'),
    );
    assert.equal(written.at(-1), '\r\x1b[K');
    assert.match(result.stdout, /done: 4 \(4 moved to the trash, 0 generated\)/);
  });

  describe('with Replicate (the real SDK against a local server speaking its API)', () => {
    let replicate: FakeReplicateServer;
    beforeEach(async () => {
      replicate = await FakeReplicateServer.start({ plan: { syncComplete: true } });
    });
    afterEach(() => replicate.close());

    it('failed generations exit 1 with their reasons listed; the rest are saved', async () => {
      const plan = await planActor(sample.dataRoot, EVA);
      replicate.nextPrediction({ outcome: 'failed', error: E005_ERROR, syncComplete: true }, { outcome: 'failed', syncComplete: true });
      replicate.fail('create', { status: 422 });
      const env = { REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl };
      const { code, stdout, stderr } = await cli(['execute', ...data(), '--actor-id', EVA, '--execute', '--generate-only'], env);
      assert.equal(code, 1, stderr);
      assert.match(stdout, /failed: 3\n/);
      for (const reason of ['content_filter', 'model_error', 'invalid_input']) {
        assert.match(stdout, new RegExp(`${EVA}: generate \\w+: ${reason}: \\S`), reason);
      }
      assert.match(stdout, new RegExp(`done: ${plan.generations.length - 3} `));
      assert.match(stdout, new RegExp(`spend: \\$${((plan.generations.length - 3) * 0.04).toFixed(2)}`), 'only images that arrived are paid for');
      assert.ok(!`${stdout}${stderr}`.includes(FAKE_REPLICATE_TOKEN), 'no token in the output');
      await assertConsistent(sample.dataRoot, EVA);
    });
  });

  it('two CLI processes executing the same actor at once: the lock serialises them, no number twice, the plan applied once', async () => {
    const plan = await planActor(sample.dataRoot, EVA);
    const runOne = () =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [CLI_JS, 'execute', ...data(), '--actor-id', EVA, '--execute', '--provider', 'local', '--json'], (error, stdout) =>
          resolve({ code: error ? Number(error.code) : 0, stdout }),
        );
      });
    const results = await Promise.all([runOne(), runOne()]);
    const summaries = results.map((result) => JSON.parse(result.stdout));
    const worked = summaries.filter((summary) => summary.done.length > 0);
    assert.equal(worked.length, 1, 'one process did the work');
    assert.equal(worked[0].done.length, plan.deletions.length + plan.generations.length);
    const other = summaries.find((summary) => summary !== worked[0]);
    assert.match(other.skipped_actors[0]?.reason ?? '', /stale/, 'the other found the plan already carried out');
    assert.deepEqual(results.map((result) => result.code).sort(), [0, 1]);
    await assertConsistent(sample.dataRoot, EVA); // numbers checked across the training folder and the trash
  });
});
