import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { runCli } from '../../src/cli/main';
import { InputError } from '../../src/core/errors';
import { loadManifest, withActorLock } from '../../src/core/manifest/manifestStore';
import { countNeedingReview, keepOnReview, needsReview, reviewReason } from '../../src/core/tracking/review';
import { actorPaths } from '../../src/core/workspace/layout';
import { markNeedsReview } from './helpers/review';
import { copySampleData, REPO_ROOT } from './helpers/tempData';

const CARL = '0001_european_35_male';
const IMAGE = `${CARL}_2.jpg`;
const SHA = 'a'.repeat(64);

async function entryOf(dataRoot: string, filename: string) {
  return (await loadManifest(actorPaths(dataRoot, CARL).manifest)).images.find((image) => image.filename === filename);
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('needs review', () => {
  describe('needsReview and reviewReason', () => {
    const unscorable = { sha256: SHA, issues: ['unscorable'], reasons: ['needs review: face turned too far (yaw 62°); identity not scored'] };

    it('is true for a current unscorable evaluation nobody kept', () => {
      assert.equal(needsReview({ sha256: SHA, evaluation: unscorable }), true);
      assert.equal(needsReview({ evaluation: { issues: ['unscorable'] } }), true, 'no hashes to compare: current');
    });

    it('is false once kept, for other issues, for a stale evaluation, and without an entry', () => {
      assert.equal(needsReview({ sha256: SHA, evaluation: unscorable, review: { decision: 'keep', at: '2026-12-01T10:00:00.000Z' } }), false);
      // A blurred image without a detectable face is deleted for the blur: nobody is asked about it.
      assert.equal(needsReview({ sha256: SHA, evaluation: { ...unscorable, issues: ['blurry', 'unscorable'] } }), false);
      assert.equal(needsReview({ sha256: SHA, evaluation: { ...unscorable, issues: ['blurry'] } }), false);
      assert.equal(needsReview({ sha256: 'b'.repeat(64), evaluation: unscorable }), false, 'made for other bytes');
      assert.equal(needsReview(undefined), false);
    });

    it('says why in words, without the prefix; a plain sentence when no reason is recorded', () => {
      assert.equal(reviewReason({ evaluation: unscorable }), 'face turned too far (yaw 62°); identity not scored');
      assert.equal(reviewReason({ evaluation: { issues: ['unscorable'], reasons: ['blurry'] } }), 'the face could not be scored');
      assert.equal(reviewReason(undefined), 'the face could not be scored');
    });

    it('counts only images on disk and in the manifest', () => {
      const entry = { filename: 'x.jpg', category: 'unknown' as const, sha256: SHA, evaluation: unscorable };
      assert.equal(
        countNeedingReview([
          { tracked: true, missing: false, entry },
          { tracked: true, missing: true, entry },
          { tracked: false, missing: false },
          { tracked: true, missing: false, entry: { ...entry, evaluation: { issues: [] } } },
        ]),
        1,
      );
    });
  });

  describe('keepOnReview', function () {
    this.timeout(60000);
    let sample: Awaited<ReturnType<typeof copySampleData>>;
    beforeEach(async () => {
      sample = await copySampleData();
      await markNeedsReview(sample.dataRoot, CARL, IMAGE);
    });
    afterEach(() => sample.cleanup());

    it('records keep with the time; the image no longer needs review; unknown fields are kept', async () => {
      const file = actorPaths(sample.dataRoot, CARL).manifest;
      const raw = JSON.parse(await fs.readFile(file, 'utf8'));
      raw.studio_note = 'top-level field of a newer version';
      const image = raw.images.find((entry: { filename: string }) => entry.filename === IMAGE);
      image.custom_tag = 'kept by hand';
      await fs.writeFile(file, JSON.stringify(raw, null, 2));
      assert.equal(needsReview(await entryOf(sample.dataRoot, IMAGE)), true);

      const written = await keepOnReview(sample.dataRoot, { actorId: CARL, filename: IMAGE }, { now: () => new Date('2026-12-06T09:00:00.000Z') });
      assert.equal(written.review?.decision, 'keep');
      const after = JSON.parse(await fs.readFile(file, 'utf8'));
      const entry = after.images.find((each: { filename: string }) => each.filename === IMAGE);
      assert.deepEqual(entry.review, { decision: 'keep', at: '2026-12-06T09:00:00.000+00:00' });
      assert.equal(entry.custom_tag, 'kept by hand');
      assert.equal(after.studio_note, 'top-level field of a newer version');
      assert.deepEqual(entry.evaluation.issues, ['unscorable'], 'the evaluation stays as it was');
      assert.equal(needsReview(await entryOf(sample.dataRoot, IMAGE)), false);
    });

    it("writes under the actor's lock: it waits while another writer holds it", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const holder = withActorLock(sample.dataRoot, CARL, async () => {
        locked();
        await held;
      });
      await lockTaken;
      let done = false;
      const keeping = keepOnReview(sample.dataRoot, { actorId: CARL, filename: IMAGE }, { lockTimeoutMs: 20000 }).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(done, false, 'waited for the lock');
      assert.equal((await entryOf(sample.dataRoot, IMAGE))?.review, undefined, 'nothing written while the lock is held');
      release();
      await holder;
      await keeping;
      assert.equal((await entryOf(sample.dataRoot, IMAGE))?.review?.decision, 'keep');
    });

    it('an unknown image is an input error naming the manifest, and nothing is written', async () => {
      const file = actorPaths(sample.dataRoot, CARL).manifest;
      const before = await fs.readFile(file, 'utf8');
      await assert.rejects(keepOnReview(sample.dataRoot, { actorId: CARL, filename: `${CARL}_99.jpg` }), (error: unknown) => {
        assert.ok(error instanceof InputError, String(error));
        assert.equal(error.kind, 'input');
        assert.equal(error.file, file);
        assert.ok(error.message.includes(file) && error.message.includes(`${CARL}_99.jpg`), error.message);
        return true;
      });
      assert.equal(await fs.readFile(file, 'utf8'), before);
    });

    it('an unknown actor or a path for a file name is an input error', async () => {
      await assert.rejects(keepOnReview(sample.dataRoot, { actorId: '9999_nobody', filename: IMAGE }), (error: InputError) => error.kind === 'input');
      await assert.rejects(keepOnReview(sample.dataRoot, { actorId: CARL, filename: '../manifest.json' }), (error: InputError) => error.kind === 'input');
    });
  });

  describe('CLI', function () {
    this.timeout(60000);
    let sample: Awaited<ReturnType<typeof copySampleData>>;
    beforeEach(async () => {
      sample = await copySampleData();
      await markNeedsReview(sample.dataRoot, CARL, IMAGE);
    });
    afterEach(() => sample.cleanup());

    it('review --keep: records keep; actors counts what still needs review', async () => {
      const table = await cli(['actors', '--data', sample.dataRoot]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^ACTOR\s+IMAGES\s+PHOTO\s+B&W\s+COLOUR\s+UNCLASSIFIED\s+MANIFEST\s+BASE IMAGE\s+NEEDS REVIEW\s+PLAN$/m);
      assert.match(table.stdout, new RegExp(`${CARL}\\s+6/20\\s+\\S+\\s+\\S+\\s+\\S+\\s+0\\s+ok\\s+yes\\s+1\\s+none, needs review$`, 'm'));
      assert.match(table.stdout, /1 image\(s\) need review/);
      const before = JSON.parse((await cli(['actors', '--data', sample.dataRoot, '--json'])).stdout);
      assert.deepEqual(
        before.actors.map((actor: { id: string; needs_review: number }) => [actor.id, actor.needs_review]),
        [
          ['0000_european_45_female', 0],
          [CARL, 1],
          ['0002_mixed_30_nonbinary', 0],
        ],
      );

      const { code, stdout, stderr } = await cli(['review', '--data', sample.dataRoot, '--actor-id', CARL, '--image', IMAGE, '--keep']);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, `${CARL}/${IMAGE}: kept on review`);
      assert.equal((await entryOf(sample.dataRoot, IMAGE))?.review?.decision, 'keep');

      const after = JSON.parse((await cli(['actors', '--data', sample.dataRoot, '--json'])).stdout);
      assert.equal(after.actors.find((actor: { id: string }) => actor.id === CARL).needs_review, 0);
      assert.doesNotMatch((await cli(['actors', '--data', sample.dataRoot])).stdout, /need review/);
    });

    it('review --json: the review as written; keeping an image that did not need review says so', async () => {
      const json = await cli(['review', '--data', sample.dataRoot, '--actor-id', CARL, '--image', IMAGE, '--keep', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.actor_id, CARL);
      assert.equal(parsed.filename, IMAGE);
      assert.equal(parsed.review.decision, 'keep');
      assert.equal(parsed.needed_review, true);
      const again = await cli(['review', '--data', sample.dataRoot, '--actor-id', CARL, '--image', IMAGE, '--keep']);
      assert.equal(again.stdout, `${CARL}/${IMAGE}: kept on review (it did not need review)`);
    });

    it('usage and input errors exit 2 with one line and no stack', async () => {
      for (const args of [
        ['review', '--data', sample.dataRoot, '--actor-id', CARL, '--image', IMAGE],
        ['review', '--data', sample.dataRoot, '--image', IMAGE, '--keep'],
        ['review', '--data', sample.dataRoot, '--actor-id', CARL, '--image', `${CARL}_99.jpg`, '--keep'],
        ['review', '--data', sample.dataRoot, '--actor-id', '9999_nobody', '--image', IMAGE, '--keep'],
      ]) {
        const { code, stderr } = await cli(args);
        assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
        assert.doesNotMatch(stderr, /\n\s+at /, 'no stack');
      }
      const unknown = await cli(['review', '--data', sample.dataRoot, '--actor-id', CARL, '--image', `${CARL}_99.jpg`, '--keep']);
      assert.match(unknown.stderr, /manifest\.json: no image/);
      assert.equal((await entryOf(sample.dataRoot, IMAGE))?.review, undefined);
    });
  });
});
