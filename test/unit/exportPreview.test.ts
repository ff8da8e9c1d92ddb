import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportDatasetCommand } from '../../src/cli/commands/exportCommands';
import { EXIT_USAGE } from '../../src/cli/cliSupport';
import { runCli } from '../../src/cli/main';
import { aiToolkitFit, kohyaBucketSettings, kohyaBuckets, kohyaFit, type Size } from '../../src/core/export/buckets';
import { exportDataset } from '../../src/core/export/dataset';
import { kontextPairProblems } from '../../src/core/export/kontextPairs';
import { type DatasetPreview, previewDataset } from '../../src/core/export/preview';
import { aiToolkitCaption, kohyaCaption } from '../../src/core/export/trainerCaptions';
import { loadSharp } from '../../src/core/image/sharp';
import type { Manifest } from '../../src/core/manifest/manifestSchema';
import { copySampleData, snapshot } from './helpers/tempData';

const EILEEN = '0000_european_45_female';
const CARL = '0001_european_35_male';

const fit = (width: number, height: number) => ({ width, height });

describe('export preview: buckets as the trainers form them', () => {
  // Expected values come from running kohya's make_bucket_resolutions + BucketManager.select_bucket
  // and ai-toolkit's get_bucket_for_image_size + setup_buckets (Python) on the same sizes.
  const kohya1024 = kohyaBuckets(kohyaBucketSettings(1024));

  it('kohya: the predefined buckets at 1024 (min 256, max 2048, steps 64)', () => {
    const labels = kohya1024.map((size) => `${size.width}x${size.height}`);
    assert.equal(labels.length, 41);
    assert.deepEqual(labels.slice(0, 4), ['256x2048', '320x2048', '384x2048', '448x2048']);
    for (const label of ['832x1216', '896x1152', '1024x1024', '1216x832', '1344x768']) {
      assert.ok(labels.includes(label), label);
    }
    assert.deepEqual(labels.at(-1), '2048x512');
  });

  const kohyaCases: [Size, string, Size, [number, number, number, number]][] = [
    [fit(768, 432), '1344x768', fit(1365, 768), [10, 0, 11, 0]],
    [fit(160, 90), '1344x768', fit(1365, 768), [10, 0, 11, 0]],
    [fit(512, 768), '832x1216', fit(832, 1248), [0, 16, 0, 16]],
    [fit(300, 2000), '320x2048', fit(320, 2133), [0, 42, 0, 43]],
    [fit(4000, 3000), '1152x896', fit(1195, 896), [21, 0, 22, 0]],
    [fit(1344, 768), '1344x768', fit(1344, 768), [0, 0, 0, 0]],
  ];
  for (const [image, bucket, resized, [left, top, right, bottom]] of kohyaCases) {
    it(`kohya at 1024: ${image.width}x${image.height} goes to ${bucket}`, () => {
      const result = kohyaFit(image, kohya1024);
      assert.equal(`${result.bucket.width}x${result.bucket.height}`, bucket);
      assert.deepEqual(result.resized, resized);
      assert.deepEqual(result.crop, { left, top, right, bottom });
    });
  }

  it('kohya at 512: max_bucket_reso 1024 (its default for 512) and the same rules', () => {
    const result = kohyaFit(fit(768, 432), kohyaBuckets(kohyaBucketSettings(512)));
    assert.deepEqual([result.bucket, result.resized, result.crop.left], [fit(640, 384), fit(683, 384), 21]);
    assert.ok(result.scale < 1);
  });

  const toolkitCases: [Size, Size, Size, number, boolean][] = [
    [fit(768, 432), fit(768, 448), fit(797, 448), 14, true],
    [fit(160, 90), fit(128, 128), fit(228, 128), 50, true],
    [fit(4000, 3000), fit(1152, 896), fit(1195, 897), 21, false],
    [fit(1920, 1080), fit(1344, 768), fit(1366, 768), 11, false],
    [fit(300, 2000), fit(320, 1984), fit(320, 2134), 0, true],
  ];
  for (const [image, bucket, resized, left, upscaled] of toolkitCases) {
    it(`ai-toolkit at 1024: ${image.width}x${image.height} goes to ${bucket.width}x${bucket.height}`, () => {
      const result = aiToolkitFit(image, 1024);
      assert.deepEqual(result.bucket, bucket);
      assert.deepEqual(result.resized, resized);
      assert.equal(result.crop.left, left);
      assert.equal(result.crop.left + result.crop.right, resized.width - bucket.width);
      assert.equal(result.crop.top + result.crop.bottom, resized.height - bucket.height);
      assert.equal(result.scale > 1, upscaled);
    });
  }
});

describe('export preview: captions as the trainers read them', () => {
  it('kohya: the first line only; the first keep_tokens tokens fixed, the rest would shuffle', () => {
    const read = kohyaCaption('ohwx, a photo, at the beach\nsecond line\n');
    assert.equal(read.caption, 'ohwx, a photo, at the beach');
    assert.deepEqual(read.fixedTokens, ['ohwx']);
    assert.deepEqual(read.shuffledTokens, ['a photo', 'at the beach']);
    assert.equal(read.droppedLines, 1);
    const shuffled = kohyaCaption('ohwx,a photo ,  beach', { keepTokens: 2, shuffleCaption: true });
    assert.equal(shuffled.caption, 'ohwx, a photo, beach', 'shuffling joins the tokens again with ", "');
    assert.deepEqual(shuffled.fixedTokens, ['ohwx', 'a photo']);
  });

  it('ai-toolkit: [trigger] and [name] replaced; the trigger put in front when missing', () => {
    assert.deepEqual(aiToolkitCaption('[trigger], a photo of [name]\n', 'ohwx'), { caption: 'ohwx, a photo of ohwx', triggerAdded: false });
    assert.deepEqual(aiToolkitCaption('a photo of a man\n', 'ohwx'), { caption: 'ohwx a photo of a man', triggerAdded: true });
    assert.deepEqual(aiToolkitCaption('ohwx,at the beach', 'ohwx'), { caption: 'ohwx, at the beach', triggerAdded: false });
  });

  it('Kontext pairs: one control of the same name, else what ai-toolkit would do', () => {
    assert.deepEqual(kontextPairProblems(['a.jpg', 'b.png'], ['a.jpg', 'b.png']), []);
    const problems = kontextPairProblems(['a.jpg', 'b.png', 'c.jpg'], ['a.jpg', 'a.png', 'b.jpg', 'z.jpg']);
    assert.deepEqual(
      problems.map((problem) => problem.file),
      ['a.jpg', 'b.png', 'c.jpg', 'z.jpg'],
    );
    assert.match(problems[0]!.problem, /2 control images named a\.\*: ai-toolkit takes a\.jpg/);
    assert.match(problems[1]!.problem, /its control image is b\.jpg, not b\.png/);
    assert.match(problems[2]!.problem, /no control image/);
    assert.match(problems[3]!.problem, /no target uses/);
  });
});

/** Eileen with _10 as webp (no size in the manifest), _0 failing its checks, _3 a caption of two lines, _5 one without the trigger. */
async function prepareEileen(dataRoot: string): Promise<void> {
  const dir = path.join(dataRoot, 'actors', EILEEN, 'training_data');
  await (
    await loadSharp()
  )(path.join(dir, `${EILEEN}_10.jpg`))
    .webp()
    .toFile(path.join(dir, `${EILEEN}_10.webp`));
  await fs.rm(path.join(dir, `${EILEEN}_10.jpg`));
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  for (const entry of manifest.images) {
    if (entry.filename === `${EILEEN}_10.jpg`) {
      entry.filename = `${EILEEN}_10.webp`;
      delete entry.sha256;
      delete entry.width;
      delete entry.height;
    }
    if (entry.filename === `${EILEEN}_0.jpg`) {
      entry.evaluation = { evaluator: 'local', sha256: entry.sha256, category: entry.category, quality: 2, issues: ['blurry'] };
    }
    if (entry.filename === `${EILEEN}_3.jpg`) {
      entry.caption = '[trigger], a photo of her on a pier\nsecond line';
      entry.caption_source = 'user';
    }
    if (entry.filename === `${EILEEN}_5.jpg`) {
      entry.caption = 'a drawing of her';
      entry.caption_source = 'user';
    }
  }
  await fs.writeFile(file, JSON.stringify(manifest, null, 2));
}

describe('export preview: previewDataset and export-dataset --preview', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
    await prepareEileen(sample.dataRoot);
  });
  afterEach(() => sample.cleanup());

  it('kohya: the same images, names and captions as the export writes, and the warnings', async () => {
    const before = await snapshot(sample.dataRoot);
    const preview = await previewDataset({ dataRoot: sample.dataRoot, actorIds: [EILEEN], format: 'kohya', trigger: 'ohwx' });
    assert.deepEqual(await snapshot(sample.dataRoot), before, 'the preview writes nothing');

    const out = path.join(sample.dir, 'export');
    const report = await exportDataset({ dataRoot: sample.dataRoot, actorIds: [EILEEN], format: 'kohya', outDir: out, trigger: 'ohwx' });
    const folder = path.join(out, EILEEN, '10_ohwx woman');
    const written = (await fs.readdir(folder)).filter((name) => !name.endsWith('.txt')).sort();
    assert.deepEqual(preview.images.map((image) => path.basename(image.file)).sort(), written, 'the preview lists what the export writes');
    for (const image of preview.images) {
      const text = await fs.readFile(path.join(folder, path.basename(image.file).replace(/\.\w+$/, '.txt')), 'utf8');
      assert.equal(image.caption, kohyaCaption(text).caption, `${image.file}: the caption kohya reads from the written file`);
    }
    assert.deepEqual(preview.actors[0]!.skipped, report.actors[0]!.skipped);
    assert.deepEqual(preview.actors[0]!.notEvaluated.sort(), report.actors[0]!.notEvaluated.sort());

    const three = preview.images.find((image) => image.source === `${EILEEN}_3.jpg`)!;
    assert.equal(three.caption, 'ohwx, a photo of her on a pier', 'the stored caption with the trigger in place, first line only');
    const five = preview.images.find((image) => image.source === `${EILEEN}_5.jpg`)!;
    assert.equal(five.caption, 'a drawing of her');
    assert.ok(five.warnings.includes('no "ohwx" token in the caption: kohya does not add the trigger (class_tokens are ignored)'));
    assert.deepEqual(three.tokens, { fixed: ['ohwx'], shuffled: ['a photo of her on a pier'] });
    assert.ok(three.warnings.some((warning) => /1 more line\(s\): kohya reads only the first/.test(warning)));

    const seeded = preview.images.filter((image) => image.captionSource !== 'user');
    assert.ok(seeded.length > 0, 'some captions are seeds');
    for (const image of seeded) {
      assert.match(image.caption, /^ohwx woman(?:,|$)/, `${image.file}: the seed leads with trigger and class word`);
      assert.ok(!image.warnings.some((warning) => /"ohwx"/.test(warning)), `${image.file}: "ohwx woman" holds the trigger: ${image.warnings.join('; ')}`);
    }

    const webp = preview.images.find((image) => image.source === `${EILEEN}_10.webp`)!;
    assert.equal(webp.file, `10_ohwx woman/${EILEEN}_10.png`);
    assert.deepEqual(webp.size, fit(768, 432), 'no size in the manifest: read from the header');
    assert.ok(webp.warnings.some((warning) => /WebP input: ai-toolkit says WebP "currently has issues"; the export converts it to PNG/.test(warning)));

    const small = preview.images.find((image) => image.source === `${EILEEN}_11.jpg`)!;
    assert.deepEqual([small.bucket, small.upscaled, small.scale], ['1344x768', true, 8.53]);
    assert.deepEqual(preview.buckets, [
      { actor: EILEEN, bucket: '1344x768', width: 1344, height: 768, count: 12, images: preview.images.map((image) => image.file) },
    ]);
    const warnings = preview.warnings.join('\n');
    assert.match(warnings, /class_tokens "ohwx woman" will be ignored because captions exist/);
    assert.match(warnings, /12 image\(s\) would be upscaled/);
    assert.match(warnings, new RegExp(`skipped ${EILEEN}_0.jpg: failed checks: blurry`));
    assert.match(warnings, /1 WebP image\(s\)/);
    assert.deepEqual(preview.actors[0]!.settings.max_bucket_reso, 2048);

    const toml = await fs.readFile(path.join(out, EILEEN, 'dataset.toml'), 'utf8');
    for (const line of [
      'resolution = 1024',
      'min_bucket_reso = 256',
      'max_bucket_reso = 2048',
      'bucket_reso_steps = 64',
      'bucket_no_upscale = false',
      'keep_tokens = 1',
    ]) {
      assert.ok(toml.includes(`\n${line}\n`), `dataset.toml has ${line}`);
    }
  });

  it('ai-toolkit: trigger injected, a bucket of one, control pairs and the stretched base image', async () => {
    const preview = await previewDataset({ dataRoot: sample.dataRoot, actorIds: [EILEEN], format: 'ai-toolkit' });
    const three = preview.images.find((image) => image.source === `${EILEEN}_3.jpg`)!;
    assert.equal(three.caption, `${EILEEN}, a photo of her on a pier second line`, 'ai-toolkit reads every line');
    assert.equal(three.control, `control/${EILEEN}_3.jpg`);
    const five = preview.images.find((image) => image.source === `${EILEEN}_5.jpg`)!;
    assert.deepEqual([five.caption, five.triggerAdded], [`${EILEEN} a drawing of her`, true]);
    const small = preview.images.find((image) => image.source === `${EILEEN}_11.jpg`)!;
    assert.deepEqual([small.bucket, small.crop], ['128x128', { left: 50, top: 0, right: 50, bottom: 0 }]);
    assert.ok(small.warnings.includes('alone in bucket 128x128'));
    const warnings = preview.warnings.join('\n');
    assert.match(warnings, new RegExp(`bucket 128x128 holds a single image \\(${EILEEN}_11.jpg\\)`));
    assert.match(warnings, /the base image \(512x512\) is stretched/);
    assert.doesNotMatch(warnings, /class_tokens|Kontext pairs/);
  });

  it('two images of one name (a.jpg, a.webp) would share a caption file: the second stays out, in preview and export alike', async () => {
    const dir = path.join(sample.dataRoot, 'actors', CARL, 'training_data');
    await (
      await loadSharp()
    )(path.join(dir, `${CARL}_0.jpg`))
      .webp()
      .toFile(path.join(dir, `${CARL}_0.webp`));
    const choices = { dataRoot: sample.dataRoot, actorIds: [CARL], format: 'ai-toolkit' as const };
    const preview = await previewDataset(choices);
    const skipped = [{ filename: `${CARL}_0.webp`, reason: `another image is already exported as ${CARL}_0.jpg` }];
    assert.deepEqual(preview.actors[0]!.skipped, skipped);
    const out = path.join(sample.dir, 'export');
    const report = await exportDataset({ ...choices, outDir: out });
    assert.deepEqual(report.actors[0]!.skipped, skipped);
    const images = await fs.readdir(path.join(out, CARL, 'images'));
    assert.deepEqual(images.filter((name) => name.startsWith(`${CARL}_0.`)).sort(), [`${CARL}_0.jpg`, `${CARL}_0.txt`]);
    assert.deepEqual(
      preview.images.map((image) => image.file).sort(),
      images
        .filter((name) => !name.endsWith('.txt'))
        .map((name) => `images/${name}`)
        .sort(),
    );
  });

  it('CLI: --preview --json writes nothing (no --out needed, none created) and has images, buckets, warnings', async () => {
    const out = path.join(sample.dir, 'never');
    const run = async (args: string[]) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const io = { stdout: (text: string) => stdout.push(text), stderr: (text: string) => stderr.push(text), cwd: sample.dir, isTTY: false };
      const code = await runCli([exportDatasetCommand.name, '--data', sample.dataRoot, ...args], io);
      return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
    };
    const before = await snapshot(sample.dir);
    const json = await run(['--format', 'ai-toolkit', '--actor-id', CARL, '--out', 'never', '--preview', '--json', '--resolution', '512', '--min-rating', '0']);
    assert.equal(json.code, 0, json.stderr);
    const preview = JSON.parse(json.stdout) as DatasetPreview;
    assert.equal(preview.resolution, 512);
    assert.equal(preview.images.length, 6);
    for (const image of preview.images) {
      assert.ok(image.file.startsWith('images/') && image.caption.startsWith(CARL) && image.bucket === '640x384' && Array.isArray(image.warnings));
    }
    assert.deepEqual(
      preview.buckets.map((bucket) => [bucket.bucket, bucket.count]),
      [['640x384', 6]],
    );
    assert.ok(preview.warnings.length > 0);
    await assert.rejects(fs.stat(out), { code: 'ENOENT' }, '--out is not created');
    assert.deepEqual(await snapshot(sample.dir), before, 'nothing written anywhere');

    const text = await run(['--format', 'kohya', '--actor-id', EILEEN, '--preview']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /file +size +bucket +crop +scale +caption/);
    assert.match(text.stdout, /buckets: 1344x768 \(12\)/);
    assert.match(text.stderr, /class_tokens .* will be ignored because captions exist/);
    assert.match(text.stdout, /nothing was written/);

    assert.equal((await run(['--format', 'kohya', '--all', '--preview', '--resolution', '1000'])).code, EXIT_USAGE, 'not a multiple of 64');
    assert.equal((await run(['--format', 'kohya', '--all'])).code, EXIT_USAGE, 'no --out and no --preview');
  });
});
