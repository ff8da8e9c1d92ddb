import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileHasher, sha256File } from '../../src/core/fs/files';
import { loadSharp } from '../../src/core/image/sharp';
import { ThumbnailCache } from '../../src/core/image/thumbnailCache';
import { makeTempDir, SAMPLE_DATA } from './helpers/tempData';

const EILEEN = '0000_european_45_female';
const training = (n: number) => path.join(SAMPLE_DATA, 'actors', EILEEN, 'training_data', `${EILEEN}_${n}.jpg`);

describe('Thumbnail cache: thumbnails keyed by the bytes of the image', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  async function cachedFiles(cacheDir: string): Promise<string[]> {
    const found: string[] = [];
    for (const shard of await fs.readdir(cacheDir).catch(() => [])) {
      found.push(...(await fs.readdir(path.join(cacheDir, shard))).map((name) => path.join(shard, name)));
    }
    return found.sort();
  }

  it('makes a WebP of at most the size, named by the sha256 of the bytes', async () => {
    const cache = new ThumbnailCache(path.join(dir, 'thumbs'), { size: 128 });
    const result = await cache.thumbnail(training(0));
    assert.ok('file' in result);
    const sha256 = await sha256File(training(0));
    assert.equal(result.file, path.join(dir, 'thumbs', sha256.slice(0, 2), `${sha256}-128.webp`));
    const sharp = await loadSharp();
    const metadata = await sharp(result.file).metadata();
    assert.equal(metadata.format, 'webp');
    assert.equal(Math.max(metadata.width!, metadata.height!), 128);
  });

  it('keeps one file for the same bytes: a second request, a copy under another name and a new cache object all reuse it', async () => {
    const copy = path.join(dir, 'copy.jpg');
    await fs.copyFile(training(1), copy);
    const cacheDir = path.join(dir, 'thumbs');
    const cache = new ThumbnailCache(cacheDir);
    const [first, again, ofCopy] = await Promise.all([cache.thumbnail(training(1)), cache.thumbnail(training(1)), cache.thumbnail(copy)]);
    assert.deepEqual(again, first);
    assert.deepEqual(ofCopy, first);
    assert.equal(cache.made, 1);
    const warm = new ThumbnailCache(cacheDir);
    assert.deepEqual(await warm.thumbnail(copy), first);
    assert.equal(warm.made, 0, 'a warm cache encodes nothing');
    assert.equal((await cachedFiles(cacheDir)).length, 1);
  });

  it('makes a new thumbnail when the bytes of a file change (the old one is not served for it)', async () => {
    const image = path.join(dir, 'image.jpg');
    await fs.copyFile(training(2), image);
    const cache = new ThumbnailCache(path.join(dir, 'thumbs'));
    const before = await cache.thumbnail(image);
    await fs.copyFile(training(3), image);
    const after = await cache.thumbnail(image);
    assert.ok('file' in before && 'file' in after);
    assert.notEqual(after.file, before.file);
    assert.equal(path.basename(after.file), `${await sha256File(training(3))}-256.webp`);
    assert.equal(cache.made, 2);
  });

  it('tells which thumbnails are ready without reading an image: only a known, unchanged hash with its file made', async () => {
    const image = path.join(dir, 'image.jpg');
    await fs.copyFile(training(6), image);
    const hasher = new FileHasher();
    const cache = new ThumbnailCache(path.join(dir, 'thumbs'), { hasher });
    assert.equal(await cache.cached(image), undefined, 'the hash is not known yet');
    const made = await cache.thumbnail(image);
    assert.ok('file' in made);
    const reads = hasher.hashed;
    assert.equal(await cache.cached(image), made.file);
    assert.equal(hasher.hashed, reads, 'no image was read');
    await fs.copyFile(training(5), image);
    assert.equal(await cache.cached(image), undefined, 'the bytes changed: ask for the thumbnail again');
    const remade = await cache.thumbnail(image);
    assert.ok('file' in remade);
    assert.equal(await cache.cached(image), remade.file);
    await fs.rm(remade.file);
    assert.equal(await cache.cached(image), undefined, 'the file was removed from the cache');
    assert.equal(await cache.cached(path.join(dir, 'nothing.jpg')), undefined);
  });

  it('answers a broken or missing image with a reason instead of throwing, and writes nothing for it', async () => {
    const broken = path.join(dir, 'broken.jpg');
    await fs.writeFile(broken, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]));
    const cacheDir = path.join(dir, 'thumbs');
    const cache = new ThumbnailCache(cacheDir);
    const result = await cache.thumbnail(broken);
    assert.ok('broken' in result, JSON.stringify(result));
    assert.match(result.broken, /^not a readable image/);
    const gone = await cache.thumbnail(path.join(dir, 'nothing.jpg'));
    assert.deepEqual(gone, { broken: 'the file is not on disk' });
    assert.deepEqual(await cachedFiles(cacheDir), []);
  });
});
