// Case 2 of the adversarial review: symlinks that lead out of the data folder are reported per
// actor and skipped the same way by every command; nothing behind them is read, locked or written.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isImageFile } from '../../src/core/workspace/layout';
import { makeScratch, runCliProcess, type Scratch } from './support/scratch';

const ACTOR = '0000_european_45_female';
const OTHER = '0001_european_35_male';

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

/** A plan as `plan` writes it, made by hand: `seen` holds the images really in the folder, so it is not stale. */
async function writePlan(
  data: string,
  actorId: string,
  plan: { seen?: Record<string, string>; deletions?: unknown[]; generations?: unknown[] },
): Promise<void> {
  const training = path.join(data, 'actors', actorId, 'training_data');
  const seen: Record<string, string> = {};
  for (const entry of await fs.readdir(training, { withFileTypes: true }).catch(() => [])) {
    if (entry.isFile() && isImageFile(entry.name)) seen[entry.name] = await sha256(path.join(training, entry.name));
  }
  const file = path.join(data, 'action_plans', `${actorId}_action_plan.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ schema_version: 1, actor_id: actorId, seen, deletions: [], generations: [], ...plan }, null, 2));
}

/** Moves an actor's training_data/ out of the data folder and leaves a link to it in its place. */
async function linkTrainingOut(scratch: Scratch, actorId: string): Promise<string> {
  const training = path.join(scratch.data, 'actors', actorId, 'training_data');
  const moved = path.join(scratch.outside, `${actorId}-training`);
  await fs.rename(training, moved);
  await fs.symlink(moved, training);
  return moved;
}

describe('adversarial paths: links out of the data folder (case 2)', function () {
  this.timeout(120_000);
  let scratch: Scratch;
  beforeEach(async () => (scratch = await makeScratch()));
  afterEach(() => scratch.cleanup());

  it('execute neither hashes nor moves a planned image that links outside; the operation is skipped with the reason', async () => {
    const linked = `${ACTOR}_77.jpg`;
    await writePlan(scratch.data, ACTOR, {
      deletions: [{ filename: linked, reason: 'hand-edited', sha256: await sha256(path.join(scratch.outside, 'photo.jpg')) }],
    });
    await fs.symlink(path.join(scratch.outside, 'photo.jpg'), path.join(scratch.data, 'actors', ACTOR, 'training_data', linked));
    await scratch.rebaseline();

    const run = await runCliProcess(['execute', '--actor-id', ACTOR, '--execute', '--delete-only', '--provider', 'local', '--json', '--data', scratch.data]);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(summary.done, [], run.stdout);
    assert.equal(summary.skipped.length, 1, run.stdout);
    assert.match(summary.skipped[0].skip_reason, /links outside the data folder/);
    await fs.lstat(path.join(scratch.data, 'actors', ACTOR, 'training_data', linked)); // left where it was
    await scratch.unchanged();
  });

  it('rate refuses an actor folder that links outside before it makes (or breaks) a lock file there', async () => {
    const outsideActor = path.join(scratch.outside, 'actor');
    await fs.cp(path.join(scratch.data, 'actors', OTHER), outsideActor, { recursive: true });
    // A lock of a process that is gone: taking the lock used to break it, i.e. delete it outside.
    const lock = { pid: 4194303, host: os.hostname(), token: 'deadbeefdeadbeef', acquired_at: '2026-01-01T00:00:00.000Z' };
    await fs.writeFile(path.join(outsideActor, '.actor-studio.lock'), JSON.stringify(lock));
    await fs.symlink(outsideActor, path.join(scratch.data, 'actors', '0003_european_30_male'));
    await scratch.rebaseline();

    const rated = await runCliProcess(['rate', '--actor-id', '0003_european_30_male', '--image', `${OTHER}_1.jpg`, '--stars', '4', '--data', scratch.data]);
    assert.equal(rated.code, 2, rated.stdout + rated.stderr);
    assert.match(rated.stderr, /outside the data folder/);
    await scratch.unchanged();

    // The same with only training_data/ linked out: the actor's own folder is inside, the lock is still refused.
    await linkTrainingOut(scratch, OTHER);
    await scratch.rebaseline();
    const again = await runCliProcess(['rate', '--actor-id', OTHER, '--image', `${OTHER}_1.jpg`, '--stars', '4', '--data', scratch.data]);
    assert.equal(again.code, 2, again.stdout + again.stderr);
    assert.match(again.stderr, /training_data is outside the data folder/);
    await fs.access(path.join(scratch.data, 'actors', OTHER, '.actor-studio.lock')).then(
      () => assert.fail('lock left behind'),
      () => undefined,
    );
    await scratch.unchanged();
  });

  it('reconcile --fix does not read through a linked-out training_data, and reports (never "fixes") a manifest entry that is a path', async () => {
    await linkTrainingOut(scratch, OTHER);
    const manifestFile = path.join(scratch.data, 'actors', ACTOR, 'training_data', 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    manifest.images.push({ filename: '../../../../outside/secret.txt', category: 'photorealistic' });
    await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 2));
    await scratch.rebaseline();

    const fixed = await runCliProcess(['reconcile', '--all', '--fix', '--json', '--data', scratch.data]);
    assert.equal(fixed.code, 1, fixed.stdout + fixed.stderr);
    const report = JSON.parse(fixed.stdout);
    assert.deepEqual(
      report.applied.filter((line: string) => line.includes('outside')),
      [],
      'a traversal entry reported as fixed',
    );
    const skipped = Object.fromEntries(report.found.skipped.map((actor: { actor_id: string; reason: string }) => [actor.actor_id, actor.reason]));
    assert.match(skipped[OTHER] ?? '', /links outside the data folder/, fixed.stdout);
    assert.match(skipped[ACTOR] ?? '', /is a path/, fixed.stdout);
    assert.ok(!report.found.actors.some((actor: { actor_id: string }) => actor.actor_id === OTHER), 'files behind the link were compared');
    await scratch.unchanged();
  });

  it('execute --all skips an actor whose training_data links outside, runs the others, and a resume does not crash', async () => {
    await linkTrainingOut(scratch, OTHER);
    // The plan the index's view allowed (no images seen): today it led straight into the link.
    await writePlan(scratch.data, OTHER, { seen: {}, generations: [{ category: 'photorealistic', prompt_id: 'photo_jazz_club' }] });
    await writePlan(scratch.data, ACTOR, { generations: [{ category: 'photorealistic', prompt_id: 'photo_jazz_club' }] });
    await scratch.rebaseline();

    // The dry run says what execute will do: skip it, for the same reason.
    const dry = await runCliProcess(['execute', '--all', '--dry-run', '--provider', 'local', '--data', scratch.data]);
    assert.match(dry.stdout, new RegExp(`${OTHER}[^\n]*\n?[^\n]*training_data links outside the data folder`), dry.stdout);
    for (const attempt of ['first', 'again']) {
      const run = await runCliProcess(['execute', '--all', '--execute', '--provider', 'local', '--data', scratch.data]);
      assert.equal(run.code, 1, `${attempt}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, new RegExp(`actor not executed: ${OTHER}: .*training_data links outside the data folder`), run.stdout);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
    const generated = (await fs.readdir(path.join(scratch.data, 'actors', ACTOR, 'training_data'))).filter((name) => name.startsWith(`${ACTOR}_14.`));
    assert.equal(generated.length, 1, 'the other actor was executed');
    await scratch.unchanged();
  });

  it('plan reports an actor whose training_data links outside instead of planning a whole new set into it', async () => {
    await linkTrainingOut(scratch, OTHER);
    await scratch.rebaseline();
    const planned = await runCliProcess(['plan', '--all', '--evaluator', 'local', '--skip-face', '--data', scratch.data]);
    assert.equal(planned.code, 1, planned.stdout + planned.stderr);
    assert.match(planned.stdout + planned.stderr, new RegExp(`${OTHER}.*outside the data folder`));
    await fs.access(path.join(scratch.data, 'action_plans', `${OTHER}_action_plan.json`)).then(
      () => assert.fail('planned through the link'),
      () => undefined,
    );
    await scratch.unchanged();
  });

  it('export-dataset names an actor whose training_data links outside, reads nothing there, and exports the others', async () => {
    await linkTrainingOut(scratch, OTHER);
    await scratch.rebaseline();
    const out = path.join(os.tmpdir(), `actor-studio-export-${process.pid}-${Date.now()}`);
    try {
      const exported = await runCliProcess(['export-dataset', '--format', 'kohya', '--all', '--out', out, '--json', '--data', scratch.data]);
      assert.equal(exported.code, 1, exported.stdout + exported.stderr);
      const report = JSON.parse(exported.stdout) as { actors: { actorId: string }[]; failed: { actorId: string; reason: string }[] };
      assert.deepEqual(
        report.failed.map((failure) => [failure.actorId, /links outside the data folder/.test(failure.reason)]),
        [[OTHER, true]],
      );
      assert.ok(!report.actors.some((actor) => actor.actorId === OTHER), 'nothing exported from behind the link');
      await scratch.unchanged();

      // The preview applies the same guard: the actor is named, no image of it is listed.
      const previewed = await runCliProcess(['export-dataset', '--format', 'ai-toolkit', '--all', '--preview', '--json', '--data', scratch.data]);
      assert.equal(previewed.code, 1, previewed.stdout + previewed.stderr);
      const preview = JSON.parse(previewed.stdout) as { images: { actor: string }[]; failed: { actorId: string; reason: string }[] };
      assert.deepEqual(
        preview.failed.map((failure) => [failure.actorId, /links outside the data folder/.test(failure.reason)]),
        [[OTHER, true]],
      );
      assert.ok(preview.images.length > 0 && !preview.images.some((image) => image.actor === OTHER), 'nothing read from behind the link');
      await scratch.unchanged();
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });
});
