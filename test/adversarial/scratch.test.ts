// The lane's own guard: the outside check really sees a change outside the data folder.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeScratch, runCliProcess } from './support/scratch';

describe('adversarial lane: the scratch folder', () => {
  it('unchanged() passes after reads and writes inside data/, and fails on any change outside it', async () => {
    const scratch = await makeScratch();
    try {
      const listed = await runCliProcess(['actors', '--data', scratch.data]);
      assert.equal(listed.code, 0, listed.stderr);
      await fs.writeFile(path.join(scratch.data, 'note.txt'), 'inside');
      await scratch.unchanged();
      await fs.appendFile(path.join(scratch.outside, 'secret.txt'), 'changed');
      await assert.rejects(scratch.unchanged(), /outside[/\\]secret\.txt/);
    } finally {
      await scratch.cleanup();
    }
  });
});
