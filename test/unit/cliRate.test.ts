import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData, REPO_ROOT, snapshot } from './helpers/tempData';

const CARL = '0001_european_35_male';
const IMAGE = `${CARL}_3.jpg`;

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI rate', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const ratingOf = async (filename: string) =>
    (await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.find((image) => image.filename === filename)?.rating;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('rates an image: stars and feedback in the manifest and the log; prints the stars', async () => {
    const { code, stdout, stderr } = await cli([
      'rate',
      '--data',
      sample.dataRoot,
      '--actor-id',
      CARL,
      '--image',
      IMAGE,
      '--stars',
      '4',
      '--feedback',
      'good light',
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${CARL}/${IMAGE}: ★★★★☆ (4/5) "good light"`);
    const rating = await ratingOf(IMAGE);
    assert.equal(rating?.stars, 4);
    assert.equal(rating?.feedback, 'good light');
    const log = await readGenerationLog(sample.dataRoot);
    assert.deepEqual(
      log.ratings.map((entry) => [entry.filename, entry.stars, entry.feedback]),
      [[IMAGE, 4, 'good light']],
    );
  });

  it('--json: the rating as written; markup in feedback kept verbatim', async () => {
    const feedback = '<b>x</b><script>alert(1)</script>';
    const { code, stdout } = await cli([
      'rate',
      '--data',
      sample.dataRoot,
      '--actor-id',
      CARL,
      '--image',
      IMAGE,
      '--stars',
      '2',
      '--feedback',
      feedback,
      '--json',
    ]);
    assert.equal(code, 0);
    const result = JSON.parse(stdout);
    assert.equal(result.actor_id, CARL);
    assert.equal(result.filename, IMAGE);
    assert.equal(result.rating.stars, 2);
    assert.equal(result.rating.feedback, feedback);
    assert.ok(!Number.isNaN(Date.parse(result.rating.rated_at)));
    assert.equal(result.log_warning, null);
    assert.equal((await ratingOf(IMAGE))?.feedback, feedback);
  });

  it('--clear removes the rating from the manifest', async () => {
    assert.equal((await ratingOf(`${CARL}_0.jpg`))?.stars, 4, 'the sample rates this image');
    const { code, stdout } = await cli(['rate', '--data', sample.dataRoot, '--actor-id', CARL, '--image', `${CARL}_0.jpg`, '--clear']);
    assert.equal(code, 0);
    assert.equal(stdout, `${CARL}/${CARL}_0.jpg: rating removed (was ★★★★☆)`);
    assert.equal(await ratingOf(`${CARL}_0.jpg`), undefined);
  });

  it('bad input exits 2 naming the problem and writes nothing', async () => {
    // Files only: taking the actor's lock touches its folder's time, never a file.
    const files = async () => Object.entries(await snapshot(sample.dir)).filter(([name]) => path.extname(name) !== '');
    const before = await files();
    const cases: Array<[string[], RegExp]> = [
      [['--actor-id', CARL, '--image', IMAGE, '--stars', '6'], /--stars must be a whole number from 1 to 5, not "6"/],
      [['--actor-id', CARL, '--image', IMAGE, '--stars', '2.5'], /--stars must be a whole number from 1 to 5, not "2\.5"/],
      [['--actor-id', CARL, '--image', IMAGE], /give either --stars N .* or --clear/],
      [['--actor-id', CARL, '--image', IMAGE, '--stars', '3', '--clear'], /give either --stars N .* or --clear/],
      [['--actor-id', CARL, '--stars', '3'], /--actor-id and --image are required/],
      [['--actor-id', '0099_nobody_20_male', '--image', IMAGE, '--stars', '3'], /unknown actor "0099_nobody_20_male"/],
      [['--actor-id', CARL, '--image', `${CARL}_99.jpg`, '--stars', '3'], new RegExp(`${CARL}/training_data/manifest\\.json: no image "${CARL}_99\\.jpg"`)],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(['rate', '--data', sample.dataRoot, ...args]);
      assert.equal(code, 2, `exit 2 for ${args.join(' ')}`);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
    const noData = await cli(['rate', '--data', path.join(sample.dir, 'nope'), '--actor-id', CARL, '--image', IMAGE, '--stars', '3']);
    assert.equal(noData.code, 2);
    assert.match(noData.stderr, /data folder not found/);
    assert.deepEqual(await files(), before);
  });

  it('the built bin rates', async () => {
    const bin = path.join(REPO_ROOT, 'dist', 'cli.js');
    const { stdout } = await promisify(execFile)(bin, ['rate', '--data', sample.dataRoot, '--actor-id', CARL, '--image', IMAGE, '--stars', '5', '--json']);
    assert.equal(JSON.parse(stdout).rating.stars, 5);
    assert.equal((await ratingOf(IMAGE))?.stars, 5);
  });
});
