import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { reconcileActors } from '../../src/core/reconcile';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData, snapshot } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EILEEN = '0000_european_45_female';

describe('CLI: log (other tools log into the tracker)', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let training: string;

  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: sample.dir, isTTY: false });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }
  /** A tool's output: a copy of one of the actor's images under a new name in its training folder. */
  const toolWrites = (name: string) => fs.copyFile(path.join(training, `${CARL}_0.jpg`), path.join(training, name));
  const untrackedFindings = async () =>
    (await reconcileActors({ dataRoot: sample.dataRoot, actorIds: [CARL] })).actors
      .flatMap((actor) => actor.findings)
      .filter((finding) => finding.kind === 'untracked_file')
      .map((finding) => finding.filename);

  beforeEach(async () => {
    sample = await copySampleData();
    training = actorPaths(sample.dataRoot, CARL).trainingDir;
  });
  afterEach(() => sample.cleanup());

  it('a success adopts the image into the manifest as reconcile --fix does and logs it, once', async () => {
    const name = `${CARL}_20.jpg`;
    await toolWrites(name);
    assert.deepEqual(await untrackedFindings(), [name]);
    const { code, stdout, stderr } = await cli([
      'log',
      '--actor-id',
      CARL,
      '--image',
      `data/actors/${CARL}/training_data/${name}`,
      '--prompt',
      'Portrait of the man by a window',
      '--model',
      'acme/tool',
      '--parameters',
      '{"aspect_ratio":"1:1","seed":9}',
      '--category',
      'photorealistic',
      '--save-method',
      'manual',
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${CARL}/${name}: logged a success; into the manifest: adopted as ${name} (index 20)`);
    assert.deepEqual(await untrackedFindings(), [], 'reconcile finds nothing left to adopt');

    const entry = (await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.find((image) => image.filename === name)!;
    assert.deepEqual(
      [entry.index, entry.source, entry.prompt_id, entry.prompt, entry.model, entry.category, entry.category_source, entry.parameters],
      [20, 'generated', null, 'Portrait of the man by a window', 'acme/tool', 'photorealistic', 'prompt', { aspect_ratio: '1:1', seed: 9 }],
    );
    const metadata = JSON.parse(await fs.readFile(path.join(training, 'prompt_metadata.json'), 'utf8'));
    assert.equal(metadata.images[name].prompt, 'Portrait of the man by a window');
    const [success] = (await readGenerationLog(sample.dataRoot)).successes;
    assert.deepEqual(
      [success.actor_id, success.prompt, success.model, success.save_method, success.category, success.result_path, success.parameters],
      [
        CARL,
        'Portrait of the man by a window',
        'acme/tool',
        'manual',
        'photorealistic',
        `actors/${CARL}/training_data/${name}`,
        { aspect_ratio: '1:1', seed: 9 },
      ],
    );

    // A tool that retries: nothing is adopted or logged twice.
    const again = await cli(['log', '--actor-id', CARL, '--image', path.join(training, name), '--prompt', 'Portrait of the man by a window', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { logged: null, filename: name, adopted: null, entry: null });
    assert.equal((await readGenerationLog(sample.dataRoot)).successes.length, 1);
  });

  it('an image whose number another image has is renumbered, as reconcile --fix does; model and save method have defaults', async () => {
    await toolWrites(`${CARL}_2.png`); // _2.jpg is in the manifest
    const { code, stdout, stderr } = await cli([
      'log',
      '--actor-id',
      CARL,
      '--image',
      path.join(training, `${CARL}_2.png`),
      '--prompt',
      'A comic panel',
      '--json',
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.logged, 'success');
    assert.match(result.filename, new RegExp(`^${CARL}_\\d+\\.png$`));
    assert.notEqual(result.filename, `${CARL}_2.png`);
    await fs.access(path.join(training, result.filename));
    assert.deepEqual(
      [result.entry.model, result.entry.save_method, result.entry.result_path],
      ['unknown', 'auto', `actors/${CARL}/training_data/${result.filename}`],
    );
    assert.deepEqual(await untrackedFindings(), []);
  });

  it('a failure is logged with its reason, the message redacted, and its parameters; no image needed', async () => {
    const { code, stdout, stderr } = await cli([
      'log',
      '--actor-id',
      CARL,
      '--prompt',
      'A man, nude',
      '--failed',
      'content_filter',
      '--message',
      'flagged as sensitive (E005) with token r8_placeholder',
      '--model',
      'acme/tool',
      '--parameters',
      '{"safety_tolerance":2}',
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `logged a failure of ${CARL} (content_filter)`);
    const [failure] = (await readGenerationLog(sample.dataRoot)).failures;
    assert.deepEqual(
      [failure.actor_id, failure.prompt, failure.model, failure.failure_reason, failure.save_method, failure.parameters],
      [CARL, 'A man, nude', 'acme/tool', 'content_filter', 'auto', { safety_tolerance: 2 }],
    );
    assert.equal(failure.error_message, 'flagged as sensitive (E005) with token r8_[redacted]');
  });

  it('bad input exits 2 with one line naming the flag, and changes nothing', async () => {
    await toolWrites(`${CARL}_20.jpg`);
    const image = path.join(training, `${CARL}_20.jpg`);
    const before = await snapshot(sample.dir);
    const cases: [string[], RegExp][] = [
      [['--prompt', 'p', '--image', image], /--actor-id and --prompt are required/],
      [['--actor-id', CARL, '--image', image], /--actor-id and --prompt are required/],
      [['--actor-id', '../x', '--prompt', 'p', '--image', image], /unknown actor "\.\.\/x": an actor id is a folder name, not a path/],
      [['--actor-id', 'nobody', '--prompt', 'p', '--failed', 'timeout', '--message', 'm'], /unknown actor "nobody": there is no folder/],
      [['--actor-id', CARL, '--prompt', 'p', '--failed', 'exploded', '--message', 'm'], /--failed must be one of content_filter, .*, not "exploded"/],
      [['--actor-id', CARL, '--prompt', 'p', '--failed', 'cancelled', '--message', 'm'], /--failed must be one of .*storage, not "cancelled"/],
      [['--actor-id', CARL, '--prompt', 'p', '--failed', 'timeout'], /give either --image FILE .* or --failed REASON with --message TEXT/],
      [['--actor-id', CARL, '--prompt', 'p', '--failed', 'timeout', '--message', 'm', '--image', image], /give either --image FILE/],
      [['--actor-id', CARL, '--prompt', 'p'], /give either --image FILE/],
      [['--actor-id', CARL, '--prompt', '  ', '--image', image], /the prompt is empty/],
      [['--actor-id', CARL, '--prompt', 'p', '--image', image, '--parameters', '{seed: 1}'], /--parameters must be a JSON object/],
      [['--actor-id', CARL, '--prompt', 'p', '--image', image, '--parameters', '[1]'], /--parameters must be a JSON object/],
      [['--actor-id', CARL, '--prompt', 'p', '--image', image, '--category', 'sepia'], /--category must be one of photorealistic, bw_stylized, color_stylized/],
      [['--actor-id', CARL, '--prompt', 'p', '--image', image, '--save-method', 'magic'], /--save-method must be one of auto, manual, user_save/],
      [['--actor-id', CARL, '--prompt', 'p', '--image', path.join(training, 'missing.jpg')], /missing\.jpg does not exist/],
      [['--actor-id', CARL, '--prompt', 'p', '--image', path.join(training, 'manifest.json')], /manifest\.json is not an image file/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await cli(['log', ...args]);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
    assert.deepEqual(await snapshot(sample.dir), before);
  });

  it('an image outside the actor’s training folder is refused: elsewhere, another actor’s, or a link out', async () => {
    const outside = path.join(sample.dir, 'elsewhere.jpg');
    await fs.copyFile(path.join(training, `${CARL}_0.jpg`), outside);
    await fs.symlink(outside, path.join(training, `${CARL}_21.jpg`));
    const before = await snapshot(sample.dir);
    const refused: [string, RegExp][] = [
      [outside, /elsewhere\.jpg is not in .*training_data: write the image into the actor's training folder first/],
      [path.join(actorPaths(sample.dataRoot, EILEEN).trainingDir, `${EILEEN}_0.jpg`), /is not in .*0001_european_35_male.*training_data/],
      [path.join(training, '..', 'base_image', `${CARL}_base.png`), /is not in .*training_data/],
      [path.join(training, `${CARL}_21.jpg`), /is outside the data folder/],
    ];
    for (const [image, message] of refused) {
      const { code, stderr } = await cli(['log', '--actor-id', CARL, '--prompt', 'p', '--image', image]);
      assert.equal(code, 2, `${image}: ${stderr}`);
      assert.match(stderr, message);
    }
    assert.deepEqual(await snapshot(sample.dir), before);
    await assert.rejects(fs.access(path.join(sample.dataRoot, 'tracking', 'generation_log.json')));
  });
});
