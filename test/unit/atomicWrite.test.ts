import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { removeAbandonedTempFiles, writeFileAtomic } from '../../src/core/fs/atomicWrite';
import { makeTempDir } from './helpers/tempData';

describe('atomic writes: leftovers of killed processes', () => {
  it('removes the temporary files of processes that are gone, and only those', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const deadPid = Number(gone.stdout);
      assert.ok(deadPid > 0);
      const names = {
        dead: `.manifest.json.${deadPid}.0a1b2c3d.tmp`,
        deadLock: `.actor-studio.lock.${deadPid}.99aa88bb.tmp`,
        alive: `.manifest.json.${process.pid}.0a1b2c3d.tmp`,
        unrelated: 'notes.tmp',
      };
      for (const name of Object.values(names)) {
        await fs.writeFile(path.join(dir, name), 'x');
      }
      await writeFileAtomic(path.join(dir, 'manifest.json'), '{}\n');
      assert.equal(await removeAbandonedTempFiles(dir), 2);
      assert.deepEqual((await fs.readdir(dir)).sort(), [names.alive, 'manifest.json', names.unrelated].sort());
      assert.equal(await removeAbandonedTempFiles(path.join(dir, 'missing')), 0, 'a missing folder is nothing to clean');
    } finally {
      await cleanup();
    }
  });
});
