// actor-studio captions and caption: listing with sources and lint, bulk edits with --dry-run,
// --undo, one caption set, and input errors exiting 2 with one clear line.
import * as assert from 'node:assert/strict';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { actorPaths } from '../../src/core/workspace/layout';
import { cli } from './helpers/cli';
import { copySampleData, snapshot } from './helpers/tempData';

const EVA = '0000_european_45_female';
const IMAGE = `${EVA}_1.jpg`;

describe('CLI captions', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const entry = async (filename: string) =>
    (await loadManifest(actorPaths(sample.dataRoot, EVA).manifest)).images.find((image) => image.filename === filename)!;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('--json --lint: each image with file, caption, source and findings', async () => {
    const { code, stdout, stderr } = await cli(['captions', '--data', sample.dataRoot, '--actor-id', EVA, '--lint', '--json']);
    assert.equal(code, 0, stderr);
    const [actor] = JSON.parse(stdout).actors;
    assert.equal(actor.actor_id, EVA);
    const image = actor.images.find((each: { file: string }) => each.file === IMAGE);
    assert.equal(image.source, 'prompt');
    assert.match(image.caption, /^\[trigger\] (?:woman|man|person), /);
    assert.deepEqual(image.lint, [], 'a seed leads with trigger and class word, and this prompt is short');
    for (const finding of actor.images.flatMap((each: { lint: unknown[] }) => each.lint)) {
      assert.deepEqual(Object.keys(finding).sort(), ['code', 'message', 'severity']);
    }
  });

  it('--lint exits 1 when a caption has an error (the trigger is missing)', async () => {
    await cli(['caption', '--data', sample.dataRoot, '--actor-id', EVA, '--image', IMAGE, '--set', 'a woman on a pier']);
    const { code, stdout } = await cli(['captions', '--data', sample.dataRoot, '--actor-id', EVA, '--lint']);
    assert.equal(code, 1);
    assert.match(stdout, new RegExp(`${IMAGE} {2}\\[user\\] {2}a woman on a pier\\n {6}error trigger_missing: `));
  });

  it("caption --set stores the user's caption; captions --undo puts back the seed", async () => {
    const set = await cli(['caption', '--data', sample.dataRoot, '--actor-id', EVA, '--image', IMAGE, '--set', '[trigger] woman on a pier']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /changed 1 caption \(undo: actor-studio captions --undo\)$/);
    assert.equal((await entry(IMAGE)).caption, '[trigger] woman on a pier');
    assert.equal((await entry(IMAGE)).caption_source, 'user');
    const undone = await cli(['captions', '--data', sample.dataRoot, '--undo']);
    assert.equal(undone.stdout, 'undid set "[trigger] woman on a pier": 1 caption(s) restored (0 more to undo)');
    assert.equal((await entry(IMAGE)).caption, undefined);
    assert.equal((await entry(IMAGE)).caption_source, undefined);
    assert.equal((await cli(['captions', '--data', sample.dataRoot, '--undo'])).stdout, 'no caption edit to undo');
  });

  it('--dry-run lists before and after and writes nothing; without it the edit is written', async () => {
    const before = await snapshot(sample.dataRoot);
    const args = ['captions', '--data', sample.dataRoot, '--actor-id', EVA, '--replace', 'Cinematic', '--with', 'Moody', '--json'];
    const dry = await cli([...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const preview = JSON.parse(dry.stdout);
    assert.equal(preview.dry_run, true);
    assert.ok(preview.changes.length > 0 && preview.unchanged > 0);
    for (const change of preview.changes) {
      assert.equal(change.after, change.before.replaceAll('Cinematic', 'Moody'));
    }
    assert.deepEqual(await snapshot(sample.dataRoot), before, 'nothing written');
    const applied = JSON.parse((await cli(args)).stdout);
    assert.equal(typeof applied.undo_id, 'string');
    assert.equal((await entry(IMAGE)).caption, preview.changes.find((change: { file: string }) => change.file === IMAGE).after);
  });

  it('input errors exit 2 with one line naming the flag or file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['captions'], /give either --actor-id ID or --all/],
      [['captions', '--actor-id', EVA, '--prepend', 'a', '--append', 'b'], /give one edit at a time, not --prepend and --append/],
      [['captions', '--actor-id', EVA, '--replace', 'a'], /--replace needs --with/],
      [['captions', '--actor-id', EVA, '--replace', '([', '--with', 'b', '--regex'], /not a valid regular expression: \/\(\[\//],
      [['captions', '--actor-id', EVA, '--image', 'nope.jpg', '--set', 'x'], /manifest\.json: no image "nope\.jpg" in this manifest/],
      [['captions', '--actor-id', EVA, '--lint', '--max-tokens', 'ten'], /--max-tokens must be a whole number/],
      [['captions', '--undo', '--all'], /--undo takes back the last caption edit/],
      [['caption', '--actor-id', EVA, '--image', IMAGE], /--actor-id, --image and --set are required/],
      [['caption', '--actor-id', 'ghost', '--image', IMAGE, '--set', 'x'], /unknown actor id "ghost"/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli([...args.slice(0, 1), '--data', sample.dataRoot, ...args.slice(1)]);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr.split('\n')[0], message);
    }
  });
});
