// The trash commands with links planted in data/.trash: nothing behind a link is counted, read or
// deleted, and a trash that itself leads out of the data folder is refused with a clear message.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeScratch, runCliProcess, type Scratch } from './support/scratch';

const ACTOR = '0000_european_45_female';

describe('adversarial paths: links in the trash', function () {
  this.timeout(60_000);
  let scratch: Scratch;
  beforeEach(async () => (scratch = await makeScratch()));
  afterEach(() => scratch.cleanup());
  const trash = (...args: string[]) => runCliProcess(['trash', ...args, '--data', scratch.data]);

  it('a trash folder that links outside is refused by list and empty (exit 2), and nothing outside changes', async () => {
    const outsideTrash = path.join(scratch.outside, 'trash');
    await fs.mkdir(path.join(outsideTrash, 'run-1', 'actors', ACTOR, 'training_data'), { recursive: true });
    await fs.copyFile(path.join(scratch.outside, 'photo.jpg'), path.join(outsideTrash, 'run-1', 'actors', ACTOR, 'training_data', `${ACTOR}_90.jpg`));
    await fs.symlink(outsideTrash, path.join(scratch.data, '.trash'));
    await scratch.rebaseline();

    for (const args of [['list'], ['empty']]) {
      const result = await trash(...args);
      assert.equal(result.code, 2, `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /outside the data folder/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
    await scratch.unchanged();
  });

  it('a run or an actor folder in the trash that links outside is neither counted nor followed when emptying', async () => {
    const outsideRun = path.join(scratch.outside, 'run');
    await fs.mkdir(path.join(outsideRun, 'training_data'), { recursive: true });
    await fs.copyFile(path.join(scratch.outside, 'photo.jpg'), path.join(outsideRun, 'training_data', `${ACTOR}_91.jpg`));
    await fs.mkdir(path.join(scratch.data, '.trash', 'run-2', 'actors'), { recursive: true });
    await fs.symlink(outsideRun, path.join(scratch.data, '.trash', 'run-2', 'actors', ACTOR));
    await fs.symlink(outsideRun, path.join(scratch.data, '.trash', 'run-3'));
    await scratch.rebaseline();

    const listed = JSON.parse((await trash('list', '--json')).stdout);
    assert.deepEqual(
      listed.runs.map((run: { run_id: string; files: number; actor_ids: string[] }) => [run.run_id, run.files, run.actor_ids]),
      [['run-2', 0, []]],
      'the linked run is not a run; the linked actor folder holds nothing of ours',
    );
    const emptied = await trash('empty', '--json');
    assert.equal(emptied.code, 0, emptied.stderr);
    assert.deepEqual(
      JSON.parse(emptied.stdout).emptied.map((run: { run_id: string }) => run.run_id),
      ['run-2'],
    );
    await assert.rejects(fs.lstat(path.join(scratch.data, '.trash', 'run-2')), 'the run folder went, its link with it');
    await fs.lstat(path.join(scratch.data, '.trash', 'run-3')); // not a run of ours: left as it is
    await scratch.unchanged();
  });
});
