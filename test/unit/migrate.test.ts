import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { migrateCommand } from '../../src/cli/commands/migrateCommand';
import { runCli } from '../../src/cli/main';
import { loadSharp } from '../../src/core/image/sharp';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { Manifest, manifestSchema } from '../../src/core/manifest/manifestSchema';
import { firstUrlIn, LEGACY_MANIFEST_COPY, migrateActors, MigrationActorReport, objectKeyFromUrl } from '../../src/core/migrate';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { copySampleData, snapshot } from './helpers/tempData';

/** The sample's old-format actor: response.json + prompt_metadata.json, no manifest. */
const LEGACY = '0002_mixed_30_nonbinary';
/** Made here: an old manifest with S3 response objects, base_images by moved_to / relative_path, png and jpg files. */
const OLD = '0003_asian_28_female';
const S3 = 'https://old-bucket.s3.amazonaws.com/system_actors/training_data';
const PATH_STYLE = 'https://s3.us-west-2.amazonaws.com/old-bucket/system_actors/training_data';

const trainingFile = (dataRoot: string, actorId: string, name: string) => path.join(dataRoot, 'actors', actorId, 'training_data', name);
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

async function writeImage(file: string, format: 'png' | 'jpeg', red: number): Promise<void> {
  const sharp = await loadSharp();
  const image = sharp({ create: { width: 64, height: 36, channels: 3, background: { r: red, g: 90, b: 40 } } });
  await image[format]().toFile(file);
}

const OLD_MANIFEST = {
  actor: { id: OLD, sex: 'female' },
  base_images: [
    { moved_to: `/home/markus/actor_maker/data/actors/${OLD}/base_image/${OLD}_base.png`, original_path: '/tmp/upload.png' },
    { relative_path: `base_image/${OLD}_old_base.jpg` },
  ],
  images: [
    {
      filename: `${OLD}_0.png`,
      index: 0,
      type: 'photorealistic',
      prompt_id: 'photo_rain_street_run',
      prompt: 'A woman runs through the rain.',
      s3_url: { ETag: '"9f1c"', Location: `${S3}/${OLD}/${OLD}_0.png`, Bucket: 'old-bucket', Key: `system_actors/training_data/${OLD}/${OLD}_0.png` },
      custom_note: 'kept as it is',
    },
    { filename: `${OLD}_1.jpg`, index: 1, category: 'bw', prompt: 'Pen and ink portrait.', s3_url: { href: `${PATH_STYLE}/${OLD}/${OLD}_1.jpg` } },
    { filename: `${OLD}_4.jpg`, index: 4, category: 'color_stylized', s3_url: { ETag: '"77aa"' } },
  ],
  generations: [{ id: 'batch-1', images: [`${OLD}_0.png`, `${OLD}_1.jpg`] }],
  legacy_notes: 'unknown top-level fields survive',
};

/** Adds the old-format actor: files on disk, old manifest, response.json and prompt_metadata.json. */
async function addOldActor(dataRoot: string): Promise<void> {
  const dir = path.join(dataRoot, 'actors', OLD);
  await fs.mkdir(path.join(dir, 'training_data'), { recursive: true });
  await fs.mkdir(path.join(dir, 'base_image'), { recursive: true });
  await writeImage(path.join(dir, 'base_image', `${OLD}_base.png`), 'png', 200);
  await writeImage(trainingFile(dataRoot, OLD, `${OLD}_0.png`), 'png', 10);
  await writeImage(trainingFile(dataRoot, OLD, `${OLD}_1.jpg`), 'jpeg', 60);
  await writeImage(trainingFile(dataRoot, OLD, `${OLD}_2.jpeg`), 'jpeg', 110);
  await writeImage(trainingFile(dataRoot, OLD, `${OLD}_3.png`), 'png', 160);
  await fs.writeFile(trainingFile(dataRoot, OLD, `${OLD}_5.webp`), 'not an image at all');
  await fs.writeFile(trainingFile(dataRoot, OLD, 'manifest.json'), `${JSON.stringify(OLD_MANIFEST, null, 2)}\n`);
  const response = [`${S3}/${OLD}/${OLD}_0.png`, `${S3}/${OLD}/${OLD}_2.jpeg`, `${S3}/${OLD}/${OLD}_7.jpg`, 42];
  await fs.writeFile(trainingFile(dataRoot, OLD, 'response.json'), JSON.stringify(response, null, 2));
  const metadata = {
    images: {
      [`${OLD}_3.png`]: {
        prompt: 'Colour comic panel.',
        prompt_preview: 'Colour comic panel.',
        generated_at: '2025-03-01T12:00:00.000Z',
        s3_url: '',
        index: 3,
        category: 'color_stylized',
      },
      [`${OLD}_6.jpg`]: { prompt: 'An image that was deleted by hand.' },
    },
  };
  await fs.writeFile(trainingFile(dataRoot, OLD, 'prompt_metadata.json'), JSON.stringify(metadata, null, 2));
}

async function readManifest(dataRoot: string, actorId: string): Promise<Manifest> {
  const result = validateJsonText(await fs.readFile(trainingFile(dataRoot, actorId, 'manifest.json'), 'utf8'), manifestSchema);
  assert.ok(result.ok, `${actorId}: the migrated manifest passes manifestSchema: ${JSON.stringify(!result.ok && result.problems)}`);
  return result.value;
}

function entry(manifest: Manifest, filename: string) {
  const found = manifest.images.find((image) => image.filename === filename);
  assert.ok(found, `${filename} has an entry`);
  return found;
}

function reasonFor(report: MigrationActorReport, item: string | RegExp): string {
  const found = report.notImported.find((problem) => (typeof item === 'string' ? problem.item === item : item.test(problem.item)));
  assert.ok(found, `reported as not imported: ${item}; got ${JSON.stringify(report.notImported, null, 2)}`);
  return found.reason;
}

/** Runs the command object as runCli does: parse, run, usage errors exit 2. */
async function cli(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text), cwd, isTTY: false, env: {} };
  const code = await runCli([migrateCommand.name, ...args], io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('migrate (legacy data import)', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
    await addOldActor(sample.dataRoot);
  });
  afterEach(() => sample.cleanup());

  const migrate = (dryRun = false, actorIds = [LEGACY, OLD]) => migrateActors({ dataRoot: sample.dataRoot, actorIds, dryRun });

  it("imports the sample's old folder (response.json + prompt_metadata.json) into a new manifest", async () => {
    const report = await migrate();
    const legacy = report.actors.find((actor) => actor.actorId === LEGACY)!;
    assert.equal(legacy.changed, true);
    assert.deepEqual(legacy.notImported, [], 'every URL of 0002 has its file');
    const manifest = await readManifest(sample.dataRoot, LEGACY);
    assert.deepEqual(
      manifest.images.map((image) => [image.filename, image.index, image.source, image.category]),
      [0, 1, 2].map((n) => [`${LEGACY}_${n}.jpg`, n, 'imported', 'unknown']),
    );
    const first = entry(manifest, `${LEGACY}_0.jpg`);
    assert.match(first.prompt ?? '', /^Cinematic photorealistic film still of the person .* on a rooftop/);
    assert.equal(first.prompt_id, null, 'the prompt matches no library prompt id recorded anywhere');
    assert.equal(first.created_at, '2025-05-20T14:32:10.000Z', 'the time from prompt_metadata.json');
    for (const n of [0, 1, 2]) {
      const image = entry(manifest, `${LEGACY}_${n}.jpg`);
      assert.equal(image.s3_url, `https://example-bucket.s3.amazonaws.com/system_actors/training_data/${LEGACY}/${LEGACY}_${n}.jpg`);
      assert.equal(image.s3_key, `system_actors/training_data/${LEGACY}/${LEGACY}_${n}.jpg`);
      assert.equal(image.sha256, await sha256(trainingFile(sample.dataRoot, LEGACY, `${LEGACY}_${n}.jpg`)));
      assert.deepEqual([image.width, image.height], [768, 432]);
    }
    assert.equal(entry(manifest, `${LEGACY}_1.jpg`).prompt, null, 'no prompt was ever recorded for _1');
    assert.equal(manifest.base_images[0].filename, `${LEGACY}_base.jpg`);
    assert.equal(manifest.highest_index, 2);
  });

  it('imports an old manifest: URL objects become strings, base images are resolved, png and jpg files are entries', async () => {
    const report = await migrate();
    const manifest = await readManifest(sample.dataRoot, OLD);
    assert.deepEqual(
      manifest.images.map((image) => image.filename),
      [`${OLD}_0.png`, `${OLD}_1.jpg`, `${OLD}_4.jpg`, `${OLD}_2.jpeg`, `${OLD}_3.png`],
      'old entries first in their order, then the untracked files by number',
    );
    const zero = entry(manifest, `${OLD}_0.png`);
    assert.equal(zero.s3_url, `${S3}/${OLD}/${OLD}_0.png`, "the object's Location");
    assert.equal(zero.s3_key, `system_actors/training_data/${OLD}/${OLD}_0.png`, "the object's Key");
    assert.equal(zero.category, 'photorealistic', 'from the old "type" field');
    assert.equal(zero.prompt_id, 'photo_rain_street_run');
    assert.equal(zero.source, 'imported');
    assert.equal(zero.custom_note, 'kept as it is');
    assert.equal(zero.sha256, await sha256(trainingFile(sample.dataRoot, OLD, `${OLD}_0.png`)));
    assert.deepEqual([zero.width, zero.height], [64, 36]);
    const one = entry(manifest, `${OLD}_1.jpg`);
    assert.equal(one.s3_url, `${PATH_STYLE}/${OLD}/${OLD}_1.jpg`, 'the href of the object');
    assert.equal(one.s3_key, `system_actors/training_data/${OLD}/${OLD}_1.jpg`, 'key from a path-style URL, bucket dropped');
    assert.equal(one.category, 'bw_stylized', '"bw" read as bw_stylized');
    const two = entry(manifest, `${OLD}_2.jpeg`);
    assert.deepEqual([two.index, two.source, two.category, two.prompt, two.prompt_id], [2, 'imported', 'unknown', null, null]);
    assert.equal(two.s3_url, `${S3}/${OLD}/${OLD}_2.jpeg`, 'URL from response.json');
    const three = entry(manifest, `${OLD}_3.png`);
    assert.deepEqual([three.prompt, three.category, three.created_at], ['Colour comic panel.', 'color_stylized', '2025-03-01T12:00:00.000Z']);
    assert.equal(entry(manifest, `${OLD}_4.jpg`).s3_url, null, 'an object without a URL');
    assert.equal(manifest.highest_index, 7, 'response.json names _7 (an object in S3): 7 is never given out again');
    assert.deepEqual(
      manifest.base_images.map((base) => base.filename),
      [`${OLD}_base.png`, undefined],
      'a file name only for the file found; the other entry keeps its relative_path',
    );
    assert.equal(manifest.base_images[0].sha256, await sha256(path.join(sample.dataRoot, 'actors', OLD, 'base_image', `${OLD}_base.png`)));
    assert.equal(manifest.base_images[0].moved_to, OLD_MANIFEST.base_images[0].moved_to, 'old fields are kept');
    assert.equal((manifest as Record<string, unknown>).legacy_notes, OLD_MANIFEST.legacy_notes);
    assert.deepEqual(manifest.generations[0].images, [`${OLD}_0.png`, `${OLD}_1.jpg`]);

    const metadata = JSON.parse(await fs.readFile(trainingFile(sample.dataRoot, OLD, 'prompt_metadata.json'), 'utf8'));
    assert.deepEqual(metadata.images[`${OLD}_0.png`], { prompt: zero.prompt, prompt_preview: zero.prompt, s3_url: zero.s3_url, index: 0 });
    assert.equal(metadata.images[`${OLD}_1.jpg`].prompt, 'Pen and ink portrait.');
    assert.equal(metadata.images[`${OLD}_6.jpg`].prompt, 'An image that was deleted by hand.', 'entries are never dropped');
    assert.ok(
      report.actors[1].imported.includes(
        `${OLD}_0.png: s3_url object replaced by its URL string; category photorealistic from "type": "photorealistic"; sha256, size, width, height from the file`,
      ),
      `one line per image, saying what was imported: ${report.actors[1].imported.join('\n')}`,
    );
  });

  it('reports each item it could not import, naming the file or URL and the problem', async () => {
    const report = (await migrate()).actors.find((actor) => actor.actorId === OLD)!;
    const training = `actors/${OLD}/training_data`;
    assert.match(reasonFor(report, `${S3}/${OLD}/${OLD}_7.jpg`), new RegExp(`${training}/${OLD}_7.jpg does not exist`));
    assert.match(reasonFor(report, `${training}/response.json[3]`), /42 is not a URL/);
    assert.match(reasonFor(report, `${training}/${OLD}_5.webp`), /could not be decoded/);
    assert.match(reasonFor(report, `${training}/${OLD}_4.jpg`), /listed in manifest.json, but the file does not exist; the entry is kept/);
    assert.match(reasonFor(report, `${training}/prompt_metadata.json images["${OLD}_6.jpg"]`), /_6.jpg, which does not exist/);
    assert.match(
      reasonFor(report, `${training}/manifest.json base_images[1] (relative_path "base_image/${OLD}_old_base.jpg")`),
      new RegExp(`^relative_path "base_image/${OLD}_old_base.jpg": not found \\(nor ${OLD}_old_base.jpg in base_image/\\); the entry is kept$`),
    );
    assert.match(reasonFor(report, `${training}/manifest.json images[2].s3_url`), /an object with no URL in it; set to null/);
    assert.equal(report.notImported.length, 7, JSON.stringify(report.notImported, null, 2));
  });

  it('is idempotent: a second run writes nothing and the files are byte-identical to one run', async () => {
    await migrate();
    const files = [LEGACY, OLD].flatMap((actor) => ['manifest.json', 'prompt_metadata.json'].map((name) => trainingFile(sample.dataRoot, actor, name)));
    files.push(trainingFile(sample.dataRoot, OLD, LEGACY_MANIFEST_COPY));
    const once = await Promise.all(files.map((file) => fs.readFile(file)));
    const before = await snapshot(sample.dataRoot);
    const second = await migrate();
    const twice = await Promise.all(files.map((file) => fs.readFile(file)));
    files.forEach((file, position) => assert.ok(once[position].equals(twice[position]), `${file} is byte-identical after a second run`));
    assert.deepEqual(await snapshot(sample.dataRoot), before, 'the second run wrote no file at all');
    assert.deepEqual(
      second.actors.map((actor) => [actor.changed, actor.imported]),
      [
        [false, []],
        [false, []],
      ],
    );
  });

  it('a dry run reports what a run would do and writes nothing', async () => {
    const before = await snapshot(sample.dataRoot);
    const dry = await migrate(true);
    assert.deepEqual(await snapshot(sample.dataRoot), before, 'no file or folder changed');
    assert.equal(dry.dryRun, true);
    const real = await migrate(false);
    assert.deepEqual(dry.actors, real.actors, 'the dry run announced exactly what the run did');
  });

  it('keeps the originals: response.json, old files, and the old manifest byte for byte as manifest.legacy.json, once', async () => {
    const originals = ['response.json', 'manifest.json', `${OLD}_5.webp`].map((name) => trainingFile(sample.dataRoot, OLD, name));
    const bytes = await Promise.all(originals.map((file) => fs.readFile(file)));
    await migrate();
    assert.ok((await fs.readFile(originals[0])).equals(bytes[0]), 'response.json untouched');
    assert.ok((await fs.readFile(originals[2])).equals(bytes[2]), 'the unreadable image is left where it was');
    const copy = trainingFile(sample.dataRoot, OLD, LEGACY_MANIFEST_COPY);
    assert.ok((await fs.readFile(copy)).equals(bytes[1]), 'the old manifest, byte for byte');
    assert.ok((await fs.readFile(trainingFile(sample.dataRoot, LEGACY, 'response.json'))).length > 0);
    await assert.rejects(fs.access(trainingFile(sample.dataRoot, LEGACY, LEGACY_MANIFEST_COPY)), 'no copy where there was no manifest');
    // Another old manifest put back by hand is migrated, but the first copy stays.
    await fs.writeFile(originals[1], JSON.stringify({ ...OLD_MANIFEST, legacy_notes: 'second' }));
    await migrate();
    assert.ok((await fs.readFile(copy)).equals(bytes[1]), 'the copy is written once');
  });

  it('the migrated actors load in the ActorIndex with only the problems the report named', async () => {
    await migrate();
    const index = await new ActorIndex(sample.dataRoot).index();
    const legacy = index.actors.find((actor) => actor.id === LEGACY)!;
    assert.equal(legacy.manifestState, 'ok');
    assert.deepEqual(legacy.problems, []);
    assert.deepEqual(
      legacy.images.map((image) => [image.tracked, image.missing]),
      [
        [true, false],
        [true, false],
        [true, false],
      ],
    );
    const old = index.actors.find((actor) => actor.id === OLD)!;
    assert.equal(old.manifestState, 'ok');
    assert.equal(old.baseImage?.filename, `${OLD}_base.png`);
    const unexpected = old.problems.filter((problem) => !problem.message.startsWith(`${OLD}_4.jpg is in the manifest but not on disk`));
    assert.deepEqual(unexpected, [], 'only the reported missing file (the kept copy is a known data file)');
    assert.ok(
      old.problems.some((problem) => problem.severity === 'warning' && problem.message.includes(`${OLD}_4.jpg`)),
      'the kept dead entry shows as missing',
    );
    assert.deepEqual(
      old.images.filter((image) => !image.tracked).map((image) => image.filename),
      [`${OLD}_5.webp`],
      'the unreadable file stays listed as untracked',
    );
  });

  it('never reads or writes outside the data folder: links out are reported, not followed', async () => {
    const outside = path.join(sample.dir, 'outside');
    await fs.mkdir(outside);
    await writeImage(path.join(outside, 'private.jpg'), 'jpeg', 30);
    await fs.writeFile(path.join(outside, 'response.json'), JSON.stringify([`${S3}/${OLD}/${OLD}_9.jpg`]));
    const linked = '0004_african_40_male';
    await fs.mkdir(path.join(sample.dataRoot, 'actors', linked, 'training_data'), { recursive: true });
    await fs.symlink(path.join(outside, 'private.jpg'), trainingFile(sample.dataRoot, linked, `${linked}_0.jpg`));
    await fs.symlink(path.join(outside, 'response.json'), trainingFile(sample.dataRoot, linked, 'response.json'));
    const isOutsideData = (name: string) => !name.startsWith(`data${path.sep}`) && name !== 'data';
    const before = Object.entries(await snapshot(sample.dir)).filter(([name]) => isOutsideData(name));
    const report = await migrateActors({ dataRoot: sample.dataRoot, actorIds: [LEGACY, OLD, linked] });
    const after = Object.entries(await snapshot(sample.dir)).filter(([name]) => isOutsideData(name));
    assert.deepEqual(after, before, 'nothing outside the data folder changed');
    const problems = report.actors[2].notImported;
    assert.match(reasonFor(report.actors[2], `actors/${linked}/training_data/${linked}_0.jpg`), /links outside the data folder/);
    assert.match(reasonFor(report.actors[2], `actors/${linked}/training_data/response.json`), /links outside the data folder and was not read/);
    assert.equal(problems.length, 2);
  });

  it('leaves an unreadable manifest as it is and says where it is broken', async () => {
    const file = trainingFile(sample.dataRoot, OLD, 'manifest.json');
    await fs.writeFile(file, '{\n  "images": [\n    { "filename": "x.jpg", }\n  ]\n}\n');
    const before = await fs.readFile(file);
    const [report] = (await migrate(false, [OLD])).actors;
    assert.equal(report.changed, false);
    assert.match(
      reasonFor(report, `actors/${OLD}/training_data/manifest.json:3:28`),
      /invalid JSON: .*; nothing was imported for this actor and the file was left as it is/,
    );
    assert.ok((await fs.readFile(file)).equals(before));
    await assert.rejects(fs.access(trainingFile(sample.dataRoot, OLD, LEGACY_MANIFEST_COPY)));
  });

  it('reads URLs the way the old tool stored them, and keys only where the URL form says where the key is', () => {
    assert.equal(firstUrlIn({ ETag: '"1"', Bucket: 'b', Location: 'https://b.s3.amazonaws.com/k.jpg' }), 'https://b.s3.amazonaws.com/k.jpg');
    assert.equal(firstUrlIn({ meta: { href: 'https://cdn.example.com/a.png' } }), 'https://cdn.example.com/a.png');
    assert.equal(firstUrlIn({ ETag: '"1"' }), undefined);
    assert.equal(objectKeyFromUrl('s3://bucket/system_actors/a%20b.jpg'), 'system_actors/a b.jpg');
    assert.equal(objectKeyFromUrl('https://my.bucket.s3.eu-west-1.amazonaws.com/x/y.jpg'), 'x/y.jpg');
    assert.equal(objectKeyFromUrl('https://bucket.s3-us-west-2.amazonaws.com/x/y.jpg'), 'x/y.jpg');
    assert.equal(objectKeyFromUrl('https://s3.amazonaws.com/bucket/x/y.jpg'), 'x/y.jpg');
    assert.equal(objectKeyFromUrl('http://localhost:4569/bucket/x/y.jpg'), undefined, 'a custom endpoint may or may not put the bucket in the path');
    assert.equal(objectKeyFromUrl('not a url'), undefined);
  });

  describe('actor-studio migrate', () => {
    it('--dry-run --json prints the report, writes nothing, and exits 1 when something could not be imported', async () => {
      const before = await snapshot(sample.dataRoot);
      const { code, stdout } = await cli(['--data', sample.dataRoot, '--dry-run', '--json'], sample.dir);
      assert.equal(code, 1);
      const report = JSON.parse(stdout);
      assert.equal(report.dryRun, true);
      assert.deepEqual(
        report.actors.map((actor: MigrationActorReport) => actor.actorId),
        ['0000_european_45_female', '0001_european_35_male', LEGACY, OLD],
        'every actor by default',
      );
      assert.equal(report.actors[3].notImported.length, 7);
      assert.deepEqual(await snapshot(sample.dataRoot), before);
    });

    it('migrates one actor, prints what was imported, and exits 0 when everything was', async () => {
      const { code, stdout } = await cli(['--data', 'data', '--actor-id', LEGACY], sample.dir);
      assert.equal(code, 0, stdout);
      assert.match(stdout, new RegExp(`^${LEGACY}: migrated$`, 'm'));
      assert.match(stdout, new RegExp(`^  \\+ ${LEGACY}_0.jpg: new entry for the file; prompt from prompt_metadata.json; .*URL from response.json`, 'm'));
      assert.match(stdout, /^1 of 1 actor\(s\) changed; 0 item\(s\) could not be imported$/m);
      await readManifest(sample.dataRoot, LEGACY);
      const again = await cli(['--data', 'data', '--actor-id', LEGACY], sample.dir);
      assert.match(again.stdout, new RegExp(`^${LEGACY}: nothing to change$`, 'm'));
    });

    it('prints what could not be imported and exits 1', async () => {
      const { code, stdout } = await cli(['--data', sample.dataRoot, '--actor-id', OLD], sample.dir);
      assert.equal(code, 1);
      assert.match(stdout, new RegExp(`^  ! ${S3.replace(/\./g, '\\.')}/${OLD}/${OLD}_7.jpg: listed in .*response.json, but .*_7.jpg does not exist$`, 'm'));
      assert.match(stdout, /8 item\(s\) could not be imported$/m);
      assert.match(
        stdout,
        new RegExp(
          `^  ! actors/${OLD}/training_data/prompt_metadata.json images\\["${OLD}_6.jpg"\\]: has no readable generated_at time and its image file is gone`,
          'm',
        ),
      );
    });

    it('usage errors exit 2', async () => {
      const both = await cli(['--data', sample.dataRoot, '--all', '--actor-id', LEGACY], sample.dir);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /either --actor-id ID or --all, not both/);
      const unknown = await cli(['--data', sample.dataRoot, '--actor-id', '9999_x_1_male'], sample.dir);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown actor id "9999_x_1_male"/);
      const option = await cli(['--data', sample.dataRoot, '--fix'], sample.dir);
      assert.equal(option.code, 2);
      assert.match(option.stderr, /usage: actor-studio migrate/);
      const noData = await cli(['--data', path.join(sample.dir, 'nowhere')], sample.dir);
      assert.equal(noData.code, 2);
      assert.match(noData.stderr, /data folder not found/);
    });
  });
});
