import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActorIndex, indexDataFolder } from '../../src/core/actors/dataIndex';
import { copySampleData, makeTempDir, SAMPLE_DATA, snapshot, writeActor } from './helpers/tempData';

const GOOD = { schema_version: 1, images: [{ filename: 'a_1.jpg', category: 'photorealistic' }] };

describe('data folder index', () => {
  it('reads the sample: counts per category, untracked images, base images', async () => {
    const index = await indexDataFolder(SAMPLE_DATA);
    assert.ok(index.exists);
    assert.deepEqual(
      index.actors.map((actor) => actor.id),
      ['0000_european_45_female', '0001_european_35_male', '0002_mixed_30_nonbinary'],
    );
    const [eileen, carl, legacy] = index.actors;
    assert.deepEqual(eileen.counts, { photorealistic: 8, bw_stylized: 2, color_stylized: 1, unknown: 2 });
    assert.equal(eileen.total, 13);
    assert.equal(eileen.info.displayName, 'Eileen (sample)');
    assert.equal(eileen.info.descriptor, 'woman');
    assert.deepEqual(
      eileen.images.filter((image) => !image.tracked).map((image) => image.filename),
      ['0000_european_45_female_12.jpg'],
    );
    assert.equal(carl.info.descriptor, 'man');
    assert.equal(carl.baseImage?.filename, '0001_european_35_male_base.png');
    assert.equal(legacy.manifestState, 'missing');
    assert.equal(legacy.images.length, 3);
    assert.ok(legacy.images.every((image) => !image.tracked && image.category === 'unknown'));
    assert.equal(legacy.info.descriptor, 'person');
  });

  it('orders images by their number, not as strings', async () => {
    const index = await indexDataFolder(SAMPLE_DATA);
    const numbers = index.actors[0].images.map((image) => image.number);
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    assert.ok(numbers.indexOf(10) > numbers.indexOf(9));
  });

  it('lets manifest metadata win over the id', async () => {
    const temp = await makeTempDir();
    try {
      await writeActor(temp.dir, '0005_european_30_male', { manifest: { actor: { sex: 'female', age: 31, descriptor: 'dancer' } } });
      const [actor] = (await indexDataFolder(temp.dir)).actors;
      assert.equal(actor.info.sex, 'female');
      assert.equal(actor.info.age, 31);
      assert.equal(actor.info.ethnicity, 'european');
      assert.equal(actor.info.descriptor, 'dancer');
    } finally {
      await temp.cleanup();
    }
  });

  it('reports a missing data folder without throwing, and an empty one as empty', async () => {
    const temp = await makeTempDir();
    try {
      const missing = await indexDataFolder(path.join(temp.dir, 'nope'));
      assert.equal(missing.exists, false);
      const empty = await indexDataFolder(temp.dir);
      assert.equal(empty.exists, true);
      assert.deepEqual(empty.actors, []);
      assert.match(empty.problems[0].message, /no actors\/ folder/);
    } finally {
      await temp.cleanup();
    }
  });

  describe('bad input: a clear message naming the file, the rest still read, nothing written', () => {
    let temp: { dir: string; cleanup: () => Promise<void> };
    let outside: { dir: string; cleanup: () => Promise<void> };
    beforeEach(async () => {
      temp = await makeTempDir();
      outside = await makeTempDir('actor-studio-outside-');
      await writeActor(temp.dir, '0000_european_20_male', { images: ['a_1.jpg'], manifest: GOOD });
    });
    afterEach(async () => {
      await temp.cleanup();
      await outside.cleanup();
    });

    async function indexUnchanged() {
      const before = await snapshot(temp.dir);
      const index = await indexDataFolder(temp.dir);
      assert.deepEqual(await snapshot(temp.dir), before, 'indexing must not write');
      assert.equal(index.actors.find((actor) => actor.id === '0000_european_20_male')?.manifestState, 'ok', 'the good actor still reads');
      return index;
    }

    it('malformed manifest JSON', async () => {
      await writeActor(temp.dir, '0001_european_20_male', { manifest: '{\n  "images": [\n' });
      const actor = (await indexUnchanged()).actors[1];
      assert.equal(actor.manifestState, 'invalid');
      const [problem] = actor.problems.filter((each) => each.severity === 'error');
      assert.equal(problem.file, path.join(actor.dir, 'training_data', 'manifest.json'));
      assert.match(problem.message, /invalid JSON/);
      assert.equal(typeof problem.line, 'number');
    });

    it('wrong types', async () => {
      await writeActor(temp.dir, '0001_european_20_male', { manifest: '{\n  "images": [\n    { "filename": 7 }\n  ]\n}\n' });
      const actor = (await indexUnchanged()).actors[1];
      assert.equal(actor.manifestState, 'invalid');
      const [problem] = actor.problems;
      assert.match(problem.message, /images\[0\]\.filename: .*expected string/);
      assert.equal(problem.line, 2);
    });

    it('an actor folder without a base image', async () => {
      await writeActor(temp.dir, '0001_european_20_male', { base: false, images: ['x_1.jpg'] });
      const actor = (await indexUnchanged()).actors[1];
      assert.equal(actor.baseImage, undefined);
      assert.ok(actor.problems.some((problem) => problem.file.endsWith('base_image') && /no base image/.test(problem.message)));
      assert.equal(actor.total, 1);
    });

    it('non-image files', async () => {
      await writeActor(temp.dir, '0001_european_20_male', { images: ['b_1.jpg'], extraFiles: { 'notes.txt': 'hi', 'run.sh': '' } });
      const actor = (await indexUnchanged()).actors[1];
      assert.deepEqual(
        actor.images.map((image) => image.filename),
        ['b_1.jpg'],
      );
      const notes = actor.problems.find((problem) => problem.file.endsWith('notes.txt'));
      assert.match(notes?.message ?? '', /notes\.txt is not an image .* ignored/);
    });

    it('a manifest naming ../../outside.jpg or an absolute path', async () => {
      await fs.writeFile(path.join(outside.dir, 'outside.jpg'), 'secret');
      for (const filename of ['../../outside.jpg', path.join(outside.dir, 'outside.jpg')]) {
        await writeActor(temp.dir, '0001_european_20_male', { manifest: { images: [{ filename }] } });
        const actor = (await indexUnchanged()).actors[1];
        assert.equal(actor.manifestState, 'invalid', filename);
        assert.match(actor.problems[0].message, /images\[0\]\.filename: must be a plain file name inside its folder/);
        assert.ok(actor.images.every((image) => !image.path.startsWith(outside.dir)));
      }
    });

    it('symlinks pointing outside the data folder: image, folder, actor, manifest', async () => {
      await fs.writeFile(path.join(outside.dir, 'stolen.jpg'), 'secret');
      await fs.writeFile(path.join(outside.dir, 'manifest.json'), JSON.stringify(GOOD));
      await fs.mkdir(path.join(outside.dir, 'actor', 'training_data'), { recursive: true });
      const dir = await writeActor(temp.dir, '0001_european_20_male', { images: ['c_1.jpg'] });
      await fs.symlink(path.join(outside.dir, 'stolen.jpg'), path.join(dir, 'training_data', 'c_2.jpg'));
      await fs.symlink(path.join(outside.dir, 'manifest.json'), path.join(dir, 'training_data', 'manifest.json'));
      await fs.symlink(outside.dir, path.join(dir, 'base_image', 'linked'));
      await fs.symlink(path.join(outside.dir, 'actor'), path.join(temp.dir, 'actors', '0002_european_20_male'));
      const index = await indexUnchanged();
      const actor = index.actors[1];
      assert.deepEqual(
        actor.images.map((image) => image.filename),
        ['c_1.jpg'],
      );
      assert.equal(actor.manifestState, 'missing', 'a manifest linked from outside is not read');
      assert.ok(actor.problems.some((problem) => /c_2\.jpg links outside the data folder/.test(problem.message)));
      assert.ok(actor.problems.some((problem) => /manifest\.json links outside/.test(problem.message)));
      assert.equal(index.actors.length, 2, 'the linked actor folder is not an actor');
      assert.ok(index.problems.some((problem) => /0002_european_20_male links outside the data folder/.test(problem.message)));
    });

    it('a symlink that stays inside the data folder is fine', async () => {
      const dir = await writeActor(temp.dir, '0001_european_20_male', { images: ['d_1.jpg'] });
      await fs.symlink(path.join(dir, 'training_data', 'd_1.jpg'), path.join(dir, 'training_data', 'd_2.jpg'));
      const actor = (await indexUnchanged()).actors[1];
      assert.deepEqual(
        actor.images.map((image) => image.filename),
        ['d_1.jpg', 'd_2.jpg'],
      );
    });

    it('entries whose file is missing, and duplicate entries', async () => {
      await writeActor(temp.dir, '0001_european_20_male', {
        images: ['e_1.jpg'],
        manifest: { images: [{ filename: 'e_1.jpg' }, { filename: 'e_1.jpg' }, { filename: 'e_2.jpg', category: 'bw_stylized' }] },
      });
      const actor = (await indexUnchanged()).actors[1];
      assert.deepEqual(
        actor.images.map((image) => [image.filename, image.missing]),
        [
          ['e_1.jpg', false],
          ['e_2.jpg', true],
        ],
      );
      assert.equal(actor.counts.bw_stylized, 0, 'a missing file is not counted');
      assert.ok(actor.problems.some((problem) => /e_1\.jpg is listed more than once/.test(problem.message)));
      assert.ok(actor.problems.some((problem) => /e_2\.jpg is in the manifest but not on disk/.test(problem.message)));
    });

    it('folders that do not look like actors, and stray files', async () => {
      await fs.mkdir(path.join(temp.dir, 'actors', 'misc'));
      await fs.writeFile(path.join(temp.dir, 'actors', 'README.txt'), 'x');
      const index = await indexUnchanged();
      assert.deepEqual(
        index.actors.map((actor) => actor.id),
        ['0000_european_20_male', 'misc'],
      );
      assert.ok(index.problems.some((problem) => /misc does not follow/.test(problem.message)));
      assert.ok(index.problems.some((problem) => /README\.txt is not an actor folder/.test(problem.message)));
    });
  });

  it('re-reads only invalidated actors', async () => {
    const sample = await copySampleData();
    try {
      const cache = new ActorIndex(sample.dataRoot);
      const first = await cache.index();
      await fs.rm(path.join(sample.dataRoot, 'actors', '0001_european_35_male', 'training_data', '0001_european_35_male_5.jpg'));
      const stale = await cache.index();
      assert.equal(stale.actors[1], first.actors[1], 'cached until invalidated');
      cache.invalidate('0001_european_35_male');
      const fresh = await cache.index();
      assert.notEqual(fresh.actors[1], first.actors[1]);
      assert.equal(fresh.actors[0], first.actors[0], 'other actors are not re-read');
      assert.equal(fresh.actors[1].images.find((image) => image.filename.endsWith('_5.jpg'))?.missing, true);
    } finally {
      await sample.cleanup();
    }
  });
});
