import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { copySampleActors } from '../../src/core/workspace/sample';
import { indexDataFolder } from '../../src/core/actors/dataIndex';
import { makeTempDir, SAMPLE_DATA, writeActor } from './helpers/tempData';

describe('sample workspace', () => {
  it('copies the three sample actors into an empty data folder', async () => {
    const temp = await makeTempDir();
    try {
      const result = await copySampleActors(SAMPLE_DATA, path.join(temp.dir, 'data'));
      assert.equal(result.copied.length, 3);
      const index = await indexDataFolder(path.join(temp.dir, 'data'));
      assert.equal(index.actors.length, 3);
      assert.ok(index.actors.every((actor) => actor.baseImage));
    } finally {
      await temp.cleanup();
    }
  });

  it('never overwrites an actor that exists', async () => {
    const temp = await makeTempDir();
    try {
      const dir = await writeActor(temp.dir, '0001_european_35_male', { manifest: '{"mine": true}' });
      const result = await copySampleActors(SAMPLE_DATA, temp.dir);
      assert.deepEqual(result.skipped, ['0001_european_35_male']);
      assert.equal(await fs.readFile(path.join(dir, 'training_data', 'manifest.json'), 'utf8'), '{"mine": true}');
    } finally {
      await temp.cleanup();
    }
  });

  it('has images in every category, untracked files and deliberate flaws to show', async () => {
    const index = await indexDataFolder(SAMPLE_DATA);
    const all = index.actors.flatMap((actor) => actor.images);
    for (const category of ['photorealistic', 'bw_stylized', 'color_stylized', 'unknown'] as const) {
      assert.ok(
        all.some((image) => image.category === category),
        category,
      );
    }
    assert.ok(all.some((image) => !image.tracked));
    assert.ok(all.some((image) => image.entry?.rating));
    assert.ok(index.actors.some((actor) => actor.manifestState === 'missing'));
  });
});
