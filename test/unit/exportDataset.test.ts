import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportDatasetCommand } from '../../src/cli/commands/exportCommands';
import { EXIT_USAGE } from '../../src/cli/cliSupport';
import { runCli } from '../../src/cli/main';
import { evaluateActor } from '../../src/core/evaluate/evaluateActor';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { captionFor } from '../../src/core/captions/imageCaption';
import { DatasetExportReport, exportDataset, ExportInputError } from '../../src/core/export/dataset';
import { loadSharp } from '../../src/core/image/sharp';
import type { Manifest } from '../../src/core/manifest/manifestSchema';
import { DELETING_ISSUES } from '../../src/core/manifest/issues';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { copySampleData, snapshot } from './helpers/tempData';

const EILEEN = '0000_european_45_female';
const CARL = '0001_european_35_male';
const SAM = '0002_mixed_30_nonbinary';

function manifestPath(dataRoot: string, actorId: string): string {
  return path.join(dataRoot, 'actors', actorId, 'training_data', 'manifest.json');
}

async function editManifest(dataRoot: string, actorId: string, edit: (manifest: Manifest) => void): Promise<void> {
  const file = manifestPath(dataRoot, actorId);
  const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  edit(manifest);
  await fs.writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

const VISION_CAPTION = 'A charcoal portrait of the person in a wool coat, looking out of a window.';

/**
 * Eileen with stored evaluations: _7 (current) and _11 (stale) with a vision model's caption, _0 blurry, _1 unscorable (needs review: stays out), _5 unscorable but kept on review
 * (bw_stylized: passes), _2 a duplicate of _3, _6 rejected by the vision model, _11 stored for other bytes (stale), _13 and the
 * untracked _12 never evaluated, _10 turned into a webp; the rest pass with a distance.
 */
async function prepareEileen(dataRoot: string): Promise<void> {
  const dir = path.join(dataRoot, 'actors', EILEEN, 'training_data');
  const sharp = await loadSharp();
  await sharp(path.join(dir, `${EILEEN}_10.jpg`))
    .webp()
    .toFile(path.join(dir, `${EILEEN}_10.webp`));
  await fs.rm(path.join(dir, `${EILEEN}_10.jpg`));
  const issues: Record<string, string[]> = { _0: ['blurry'], _1: ['unscorable'], _5: ['unscorable', 'looking_at_camera'] };
  await editManifest(dataRoot, EILEEN, (manifest) => {
    for (const entry of manifest.images) {
      const key = entry.filename.slice(EILEEN.length).replace(/\.\w+$/, '');
      if (key === '_10') {
        entry.filename = `${EILEEN}_10.webp`;
        delete entry.sha256;
      }
      if (key === '_13') {
        continue;
      }
      if (key === '_5') {
        entry.review = { decision: 'keep', at: '2026-12-01T10:00:00.000Z' }; // reviewed: goes out
      }
      entry.evaluation = {
        evaluator: 'local+face',
        sha256: key === '_11' ? 'f'.repeat(64) : entry.sha256,
        category: entry.category,
        quality: 8,
        issues: issues[key] ?? [],
        identity_distance: 0.31,
        ...(key === '_2' ? { duplicate_of: `${EILEEN}_3.jpg` } : {}),
        ...(key === '_6' ? { vision: { model: 'gpt-4o-mini', category: 'bw_stylized', quality: 3, issues: [], keep: false, reason: 'two left hands' } } : {}),
        ...(key === '_7' || key === '_11'
          ? { vision: { model: 'gpt-4o-mini', category: entry.category, quality: 8, issues: [], keep: true, reason: 'fine', caption: VISION_CAPTION } }
          : {}),
      };
    }
  });
}

async function listFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

function stem(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}

async function readMetadata(file: string): Promise<Record<string, unknown>[]> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  assert.equal(lines.pop(), '', 'metadata.jsonl ends with a newline');
  return lines.map((line, index) => {
    const row = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(row).sort(),
      ['caption', 'category', 'file_name', 'identity_distance', 'prompt_id', 'rating'],
      `line ${index + 1} has the fields`,
    );
    return row;
  });
}

/** Every image has a caption of the same name that starts with the trigger; nothing else lies there. */
async function checkCaptionedFolder(dir: string, trigger: string): Promise<string[]> {
  const files = await listFiles(dir);
  const images = files.filter((file) => !file.endsWith('.txt'));
  const captions = files.filter((file) => file.endsWith('.txt'));
  assert.deepEqual(captions.map(stem), images.map(stem), 'one caption per image, same names');
  for (const image of images) {
    assert.match(image, /\.(png|jpg|jpeg)$/, `${image}: a format trainers read`);
    const caption = await fs.readFile(path.join(dir, `${stem(image)}.txt`), 'utf8');
    assert.match(caption, new RegExp(`^${trigger} (?:woman|man|person)(?:,|\n)`), `${image}: trigger and class word first in "${caption}"`);
    assert.doesNotMatch(
      caption.slice(trigger.length).replace(/^ \w+/, ''),
      /input image|\bwoman\b|\bman\b/i,
      `${image}: descriptor and generator instructions replaced`,
    );
  }
  return images;
}

describe('export-dataset', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let out: string;
  beforeEach(async () => {
    sample = await copySampleData();
    out = path.join(sample.dir, 'export');
  });
  afterEach(() => sample.cleanup());

  it('kohya: only images that pass, captions with the trigger first, dataset.toml and metadata.jsonl', async () => {
    await prepareEileen(sample.dataRoot);
    const dataBefore = await snapshot(sample.dataRoot);
    const report = await exportDataset({ dataRoot: sample.dataRoot, actorIds: [EILEEN], format: 'kohya', outDir: out, trigger: 'ohwx', repeats: 12 });

    const actorDir = path.join(out, EILEEN);
    assert.deepEqual(await listFiles(out), [EILEEN], 'no staging folder left behind');
    assert.deepEqual(await listFiles(actorDir), ['12_ohwx woman', 'dataset.toml', 'metadata.jsonl']);
    const images = await checkCaptionedFolder(path.join(actorDir, '12_ohwx woman'), 'ohwx');
    const expected = ['_10.png', '_11.jpg', '_12.jpg', '_13.jpg', '_3.jpg', '_5.jpg', '_7.jpg', '_8.jpg', '_9.jpg']
      .map((suffix) => `${EILEEN}${suffix}`)
      .sort();
    assert.deepEqual(images, expected);
    const png = await (await loadSharp())(path.join(actorDir, '12_ohwx woman', `${EILEEN}_10.png`)).metadata();
    assert.equal(png.format, 'png', 'webp became a real png');

    const [actor] = report.actors;
    assert.equal(actor.exported, 9);
    assert.deepEqual(actor.notEvaluated.sort(), [`${EILEEN}_11.jpg`, `${EILEEN}_12.jpg`, `${EILEEN}_13.jpg`]);
    const reasons = Object.fromEntries(actor.skipped.map((skip) => [skip.filename, skip.reason]));
    assert.deepEqual(reasons, {
      [`${EILEEN}_0.jpg`]: 'failed checks: blurry',
      [`${EILEEN}_1.jpg`]: 'needs review: its face could not be scored (keep it on review to export it)',
      [`${EILEEN}_2.jpg`]: `duplicate of ${EILEEN}_3.jpg`,
      [`${EILEEN}_6.jpg`]: 'vision model says delete: two left hands',
    });

    const caption = await fs.readFile(path.join(actorDir, '12_ohwx woman', `${EILEEN}_3.txt`), 'utf8');
    assert.match(caption, /^ohwx woman, Cinematic photorealistic film still of ohwx /);
    assert.equal(
      await fs.readFile(path.join(actorDir, '12_ohwx woman', `${EILEEN}_13.txt`), 'utf8'),
      'ohwx woman\n',
      'no prompt, unknown category: trigger and class word alone',
    );
    assert.equal(
      await fs.readFile(path.join(actorDir, '12_ohwx woman', `${EILEEN}_7.txt`), 'utf8'),
      'ohwx woman, A charcoal portrait of ohwx in a wool coat, looking out of a window.\n',
      'a vision caption describes what the image shows: it wins over the prompt',
    );
    const stale = await fs.readFile(path.join(actorDir, '12_ohwx woman', `${EILEEN}_11.txt`), 'utf8');
    assert.ok(stale.startsWith('ohwx woman, ') && !stale.includes('charcoal portrait'), `a stale evaluation's caption is not used: "${stale}"`);

    const toml = await fs.readFile(path.join(actorDir, 'dataset.toml'), 'utf8');
    const keys = parseTomlish(toml);
    assert.equal(keys['general.caption_extension'], '.txt');
    assert.equal(keys['datasets.subsets.image_dir'], path.join(actorDir, '12_ohwx woman'));
    assert.equal(keys['datasets.subsets.class_tokens'], 'ohwx woman');
    assert.equal(keys['datasets.subsets.num_repeats'], 12);
    assert.equal(keys['datasets.subsets.caption_extension'], '.txt');

    const rows = await readMetadata(path.join(actorDir, 'metadata.jsonl'));
    assert.deepEqual(
      rows.map((row) => row.file_name).sort(),
      images.map((image) => `12_ohwx woman/${image}`),
    );
    const three = rows.find((row) => row.file_name === `12_ohwx woman/${EILEEN}_3.jpg`)!;
    assert.deepEqual(
      { ...three, caption: undefined },
      {
        file_name: `12_ohwx woman/${EILEEN}_3.jpg`,
        caption: undefined,
        category: 'photorealistic',
        prompt_id: three.prompt_id,
        rating: null,
        identity_distance: 0.31,
      },
    );
    assert.equal(three.caption, caption.trim());
    assert.equal(rows.find((row) => row.file_name === `12_ohwx woman/${EILEEN}_11.jpg`)!.identity_distance, null, 'a stale evaluation tells nothing');

    assert.deepEqual(await snapshot(sample.dataRoot), dataBefore, 'nothing written inside the data folder');
  });

  it('ai-toolkit: images with captions, a control image of the same name and format for each (Kontext pairs)', async () => {
    await prepareEileen(sample.dataRoot);
    const report = await exportDataset({ dataRoot: sample.dataRoot, actorIds: [EILEEN, SAM], format: 'ai-toolkit', outDir: out });
    assert.deepEqual(await listFiles(out), [EILEEN, SAM]);
    for (const actor of report.actors) {
      const dir = path.join(out, actor.actorId);
      assert.deepEqual(await listFiles(dir), ['control', 'images', 'metadata.jsonl']);
      const images = await checkCaptionedFolder(path.join(dir, 'images'), actor.actorId);
      assert.equal(images.length, actor.exported);
      assert.deepEqual(await listFiles(path.join(dir, 'control')), images, `${actor.actorId}: every image has its control image`);
      const sharp = await loadSharp();
      for (const image of images) {
        const [target, control] = await Promise.all([sharp(path.join(dir, 'images', image)).metadata(), sharp(path.join(dir, 'control', image)).metadata()]);
        assert.equal(control.format, target.format, `${actor.actorId}/${image}: control converted to the target's format`);
      }
      const rows = await readMetadata(path.join(dir, 'metadata.jsonl'));
      assert.deepEqual(
        rows.map((row) => row.file_name).sort(),
        images.map((image) => `images/${image}`),
      );
    }
    // Sam has no manifest: all images go out unevaluated, captioned as trigger alone, and "person" is the class.
    const sam = report.actors.find((actor) => actor.actorId === SAM)!;
    assert.equal(sam.exported, 3);
    assert.equal(sam.notEvaluated.length, 3);
    assert.equal(sam.className, 'person');
  });

  it('real local evaluations decide what goes out, and --min-rating filters by stars', async () => {
    const actor = new ActorIndex(sample.dataRoot).actor(CARL);
    await evaluateActor({ dataRoot: sample.dataRoot, actor, evaluator: new LocalChecksEvaluator() });
    const manifest = JSON.parse(await fs.readFile(manifestPath(sample.dataRoot, CARL), 'utf8')) as Manifest;
    const passing = manifest.images.filter((entry) => {
      assert.ok(entry.evaluation, `${entry.filename} was evaluated`);
      const issues = entry.evaluation.issues ?? [];
      return (
        !issues.some((issue) => (DELETING_ISSUES as ReadonlySet<string>).has(issue)) &&
        !(issues.includes('unscorable') && entry.review?.decision !== 'keep') &&
        !entry.evaluation.duplicate_of
      );
    });
    const all = await exportDataset({ dataRoot: sample.dataRoot, actorIds: [CARL], format: 'kohya', outDir: out });
    assert.deepEqual(all.actors[0].notEvaluated, []);
    const exported = await checkCaptionedFolder(path.join(out, CARL, `10_${CARL} man`), CARL);
    assert.deepEqual(exported, passing.map((entry) => entry.filename).sort());

    const rated = await exportDataset({ dataRoot: sample.dataRoot, actorIds: [CARL], format: 'kohya', outDir: out, minRating: 4, force: true });
    const expected = passing
      .filter((entry) => (entry.rating?.stars ?? 0) >= 4)
      .map((entry) => entry.filename)
      .sort();
    assert.ok(expected.length > 0 && expected.length < exported.length, 'the sample has images on both sides of 4 stars');
    assert.deepEqual(await checkCaptionedFolder(path.join(out, CARL, `10_${CARL} man`), CARL), expected, '--force replaced the earlier export');
    assert.ok(rated.actors[0].skipped.some((skip) => /not rated|below the minimum 4/.test(skip.reason)));
    for (const row of await readMetadata(path.join(out, CARL, 'metadata.jsonl'))) {
      assert.ok((row.rating as number) >= 4);
    }
  });

  it('refuses a non-empty folder without force, and any folder inside the data folder', async () => {
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, 'keep.txt'), 'mine');
    await assert.rejects(
      exportDataset({ dataRoot: sample.dataRoot, actorIds: [CARL], format: 'kohya', outDir: out }),
      (error: Error) => error instanceof ExportInputError && error.message.includes(out),
    );
    await assert.rejects(
      exportDataset({ dataRoot: sample.dataRoot, actorIds: [CARL], format: 'kohya', outDir: path.join(sample.dataRoot, 'export'), force: true }),
      (error: Error) => error instanceof ExportInputError && /inside the data folder/.test(error.message),
    );
    await assert.rejects(
      exportDataset({ dataRoot: sample.dataRoot, actorIds: [CARL, EILEEN], format: 'kohya', outDir: path.join(sample.dir, 'x'), trigger: 'ohwx' }),
      ExportInputError,
    );
    await exportDataset({ dataRoot: sample.dataRoot, actorIds: [CARL], format: 'kohya', outDir: out, force: true });
    assert.equal(await fs.readFile(path.join(out, 'keep.txt'), 'utf8'), 'mine', 'force replaces only the exported actors');
  });

  it('an aborted export leaves no staging folder and no partial actor folder', async () => {
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(exportDataset({ dataRoot: sample.dataRoot, actorIds: [EILEEN], format: 'ai-toolkit', outDir: out, signal: abort.signal }), {
      name: 'AbortError',
    });
    assert.deepEqual(await listFiles(out), []);
  });

  it('CLI: exit 2 on a non-empty --out without --force; --json report with --force', async () => {
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, 'keep.txt'), 'mine');
    const run = async (args: string[]) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const io = { stdout: (text: string) => stdout.push(text), stderr: (text: string) => stderr.push(text), cwd: sample.dir, isTTY: false };
      const code = await runCli([exportDatasetCommand.name, ...args], io);
      return { code, stdout: stdout.join('\n') };
    };
    const base = ['--data', sample.dataRoot, '--format', 'ai-toolkit', '--out', 'export', '--actor-id', CARL];
    assert.equal((await run(base)).code, EXIT_USAGE);
    assert.deepEqual(await listFiles(out), ['keep.txt'], 'nothing written when refused');
    assert.equal((await run([...base.slice(0, 2), '--format', 'dreambooth', '--out', 'export', '--all'])).code, EXIT_USAGE);
    const done = await run([...base, '--force', '--json', '--min-rating', '5']);
    assert.equal(done.code, 0);
    const report = JSON.parse(done.stdout) as DatasetExportReport;
    assert.equal(report.format, 'ai-toolkit');
    assert.deepEqual(await listFiles(path.join(out, CARL, 'images')), [`${CARL}_5.jpg`, `${CARL}_5.txt`], 'only the 5-star image');
    assert.equal(report.exported, 1);

    // Without --min-rating the workspace setting decides, as in the editor; --min-rating 0 lifts it.
    await fs.mkdir(path.join(sample.dir, '.vscode'), { recursive: true });
    await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{\n  // stars\n  "actorStudio.export.minRating": 5,\n}\n');
    const fromSettings = JSON.parse((await run([...base, '--force', '--json'])).stdout) as DatasetExportReport;
    assert.equal(fromSettings.exported, 1, 'the setting of 5 stars applied');
    const lifted = JSON.parse((await run([...base, '--force', '--json', '--min-rating', '0'])).stdout) as DatasetExportReport;
    assert.ok(lifted.exported > 1, '--min-rating 0: no minimum');
    await fs.writeFile(path.join(sample.dir, '.vscode', 'settings.json'), '{ "actorStudio.export.minRating": ');
    assert.equal((await run([...base, '--force'])).code, EXIT_USAGE, 'a broken settings file is named, not ignored');
  });

  it('captions replace every form of the descriptor and put the trigger and class word first', () => {
    const keep = " Keep the person's identity, face and hairstyle from the input image exactly.";
    assert.equal(
      captionFor(`Photo of the man from the input image on a pier, the man looking away.${keep}`, 'man', 'ohwx', 'photorealistic'),
      'ohwx man, Photo of ohwx on a pier, ohwx looking away.',
    );
    assert.equal(captionFor('The woman from the input image laughing', 'woman', 'ohwx', 'photorealistic'), 'ohwx woman, laughing');
    assert.equal(
      captionFor("A person in a woman's coat, the person smiling", 'person', 'sks', 'color_stylized'),
      "sks person, A sks in a woman's coat, sks smiling",
    );
    assert.equal(captionFor(null, 'man', 'ohwx', 'bw_stylized'), 'ohwx man, black and white stylized illustration');
    assert.equal(
      captionFor('The person smiling', 'person', 'ohwx', 'photorealistic', 'woman'),
      'ohwx woman, smiling',
      "a vision caption: the actor's class word",
    );
  });
});

/** Just enough TOML for the file we write: [tables], [[arrays]] and key = "string" | number | bool. */
function parseTomlish(text: string): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  let table = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      continue;
    }
    const header = /^\[\[?([\w.]+)\]\]?$/.exec(line);
    if (header) {
      table = header[1];
      continue;
    }
    const pair = /^(\w+)\s*=\s*(.+)$/.exec(line);
    assert.ok(pair, `not a TOML key = value line: ${line}`);
    keys[`${table}.${pair[1]}`] = JSON.parse(pair[2]);
  }
  return keys;
}
