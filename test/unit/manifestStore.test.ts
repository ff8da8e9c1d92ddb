import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { withFileLock } from '../../src/core/fs/fileLock';
import { actorLockPath, loadManifest, updateManifest } from '../../src/core/manifest/manifestStore';
import { OutsideDataFolderError } from '../../src/core/workspace/guards';
import { makeTempDir, writeActor } from './helpers/tempData';

const run = promisify(execFile);
const ACTOR = '0000_european_20_male';

describe('manifest store', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let manifestFile: string;
  beforeEach(async () => {
    temp = await makeTempDir();
    const dir = await writeActor(temp.dir, ACTOR);
    manifestFile = path.join(dir, 'training_data', 'manifest.json');
  });
  afterEach(() => temp.cleanup());

  it('keeps unknown fields and the schema key order, with 2-space indentation', async () => {
    const handWritten = {
      my_note: 'keep me',
      images: [{ category: 'bw_stylized', filename: `${ACTOR}_1.jpg`, custom: [1, 2], rating: { stars: 4, mood: 'good' } }],
      schema_version: 1,
    };
    await fs.writeFile(manifestFile, JSON.stringify(handWritten));
    await updateManifest(temp.dir, ACTOR, (manifest) => {
      manifest.images[0].seed = 42;
    });
    const text = await fs.readFile(manifestFile, 'utf8');
    const saved = JSON.parse(text);
    assert.equal(saved.my_note, 'keep me');
    assert.deepEqual(saved.images[0].custom, [1, 2]);
    assert.equal(saved.images[0].rating.mood, 'good');
    assert.equal(saved.images[0].seed, 42);
    assert.deepEqual(Object.keys(saved), ['schema_version', 'actor', 'base_images', 'images', 'generations', 'my_note']);
    assert.deepEqual(Object.keys(saved.images[0]).slice(0, 3), ['filename', 'category', 'seed']);
    assert.ok(text.startsWith('{\n  "schema_version": 1,\n'));
    assert.ok(text.endsWith('}\n'));
    // A second rewrite changes nothing: the format is stable.
    await updateManifest(temp.dir, ACTOR, () => undefined);
    assert.equal(await fs.readFile(manifestFile, 'utf8'), text);
  });

  it('creates a manifest for an actor that had none and leaves no temporary files', async () => {
    await updateManifest(temp.dir, ACTOR, (manifest) => {
      manifest.images.push({ filename: `${ACTOR}_0.jpg`, category: 'photorealistic' });
    });
    const manifest = await loadManifest(manifestFile);
    assert.equal(manifest.images.length, 1);
    const files = await fs.readdir(path.dirname(manifestFile));
    assert.deepEqual(files.sort(), ['manifest.json']);
    assert.ok(!(await fs.readdir(path.join(temp.dir, 'actors', ACTOR))).includes('.actor-studio.lock'), 'lock released');
  });

  it('refuses to rewrite an invalid manifest and leaves it untouched', async () => {
    await fs.writeFile(manifestFile, '{ "images": [ { "filename": 3 } ] }');
    await assert.rejects(
      updateManifest(temp.dir, ACTOR, () => undefined),
      /manifest\.json is not a valid manifest: line 1: images\[0\]\.filename/,
    );
    assert.equal(await fs.readFile(manifestFile, 'utf8'), '{ "images": [ { "filename": 3 } ] }');
  });

  it('refuses to write through a symlinked folder that leads outside the data folder', async () => {
    const outside = await makeTempDir('actor-studio-outside-');
    try {
      await fs.mkdir(path.join(temp.dir, 'actors', '0001_european_20_male'));
      await fs.symlink(outside.dir, path.join(temp.dir, 'actors', '0001_european_20_male', 'training_data'));
      await assert.rejects(
        updateManifest(temp.dir, '0001_european_20_male', () => undefined),
        OutsideDataFolderError,
      );
      assert.deepEqual(await fs.readdir(outside.dir), []);
    } finally {
      await outside.cleanup();
    }
  });

  it('serialises writers in several processes: no update is lost', async () => {
    const worker = path.join(__dirname, 'helpers', 'lockWorker.js');
    const processes = 4;
    const updatesEach = 15;
    await Promise.all(Array.from({ length: processes }, (_, n) => run(process.execPath, [worker, temp.dir, ACTOR, String(updatesEach), `w${n}`])));
    const manifest = await loadManifest(manifestFile);
    assert.equal(manifest.images.length, processes * updatesEach);
    assert.equal(new Set(manifest.images.map((image) => image.filename)).size, processes * updatesEach, 'every update kept');
  });

  it('breaks a lock left by a process that died', async () => {
    const lock = actorLockPath(temp.dir, ACTOR);
    const dead = await run(process.execPath, ['-e', 'console.log(process.pid)']);
    await fs.writeFile(lock, JSON.stringify({ pid: Number(dead.stdout), host: require('node:os').hostname(), token: 'old' }));
    const value = await withFileLock(lock, async () => 'ran', { timeoutMs: 2000 });
    assert.equal(value, 'ran');
  });

  it('times out with a clear message while a live process holds the lock', async () => {
    const lock = actorLockPath(temp.dir, ACTOR);
    await withFileLock(lock, async () => {
      await assert.rejects(
        withFileLock(lock, async () => 'never', { timeoutMs: 150 }),
        new RegExp(`is locked by process ${process.pid}`),
      );
    });
  });
});
