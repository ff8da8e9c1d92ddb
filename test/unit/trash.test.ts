import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { nextImageNumber } from '../../src/core/actors/numbering';
import { deleteImagesToTrash } from '../../src/core/execute/deleteImage';
import { emptyTrash, listTrash, parseAge } from '../../src/core/execute/emptyTrash';
import { runLockPath } from '../../src/core/execute/journal';
import { withFileLock } from '../../src/core/fs/fileLock';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { actorPaths, imageNumber, journalPath, trashRecordPath } from '../../src/core/workspace/layout';
import { copySampleData, REPO_ROOT, snapshot } from './helpers/tempData';

const EVA = '0000_european_45_female';
const CARL = '0001_european_35_male';

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false, env: {} });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Moves the trash record's times of a run back by `days`, as if it had been trashed that long ago. */
async function age(dataRoot: string, runId: string, actorId: string, days: number): Promise<void> {
  const file = trashRecordPath(dataRoot, runId, actorId);
  const record = JSON.parse(await fs.readFile(file, 'utf8'));
  for (const entry of record.entries) {
    entry.trashed_at = new Date(Date.parse(entry.trashed_at) - days * 86_400_000).toISOString();
  }
  await fs.writeFile(file, JSON.stringify(record, null, 2));
}

describe('trash: list and empty', function () {
  this.timeout(60_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());
  const data = () => ['--data', sample.dataRoot];
  const trashImages = async (actorId: string, numbers: number[]) => {
    const outcome = await deleteImagesToTrash({
      dataRoot: sample.dataRoot,
      images: numbers.map((n) => ({ actorId, filename: `${actorId}_${n}.jpg` })),
      reason: 'test',
    });
    assert.equal(outcome.moved.length, numbers.length);
    return outcome.runId;
  };

  it('lists runs with files and size; empty --older-than deletes only old runs, numbers stay used, undo works for the rest', async () => {
    const highestNumber = Math.max(...(await fs.readdir(actorPaths(sample.dataRoot, EVA).trainingDir)).map((name) => imageNumber(EVA, name) ?? -1));
    const oldRun = await trashImages(EVA, [highestNumber, 2]);
    await new Promise((resolve) => setTimeout(resolve, 5)); // run ids carry the time
    const newRun = await trashImages(CARL, [1]);
    await age(sample.dataRoot, oldRun, EVA, 40);

    const listed = await cli(['trash', 'list', ...data(), '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout);
    assert.deepEqual(
      list.runs.map((run: { run_id: string; files: number; actor_ids: string[] }) => [run.run_id, run.files, run.actor_ids]),
      [
        [oldRun, 2, [EVA]],
        [newRun, 1, [CARL]],
      ],
      'oldest first',
    );
    const sizes = await Promise.all(
      [`${EVA}_${highestNumber}.jpg`, `${EVA}_2.jpg`].map(
        async (name) => (await fs.stat(path.join(sample.dataRoot, '.trash', oldRun, 'actors', EVA, 'training_data', name))).size,
      ),
    );
    assert.equal(list.runs[0].bytes, sizes[0] + sizes[1]);
    assert.equal(list.files, 3);
    const text = await cli(['trash', ...data()]);
    assert.match(text.stdout, /2 run\(s\) in the trash: 3 file\(s\), [\d.]+ KB/, '`list` is the default');

    const emptied = await cli(['trash', 'empty', '--older-than', '30d', ...data(), '--json']);
    assert.equal(emptied.code, 0, emptied.stderr);
    const outcome = JSON.parse(emptied.stdout);
    assert.deepEqual(
      outcome.emptied.map((run: { run_id: string }) => run.run_id),
      [oldRun],
    );
    assert.deepEqual(
      outcome.kept.map((run: { run_id: string }) => run.run_id),
      [newRun],
    );
    assert.equal(outcome.files, 2);
    await assert.rejects(fs.access(path.join(sample.dataRoot, '.trash', oldRun)), 'the old run is gone for good');

    const manifest = await loadManifest(actorPaths(sample.dataRoot, EVA).manifest);
    assert.ok((manifest.highest_index ?? -1) >= highestNumber, 'the manifest remembers the highest trashed number');
    assert.equal(nextImageNumber(sample.dataRoot, EVA, manifest), highestNumber + 1, 'a deleted number is never given out again');

    const undoOld = await cli(['undo', '--run', oldRun, ...data()]);
    assert.equal(undoOld.code, 2);
    assert.match(undoOld.stderr, new RegExp(`the trash of run ${oldRun} was emptied at .*; nothing is left to put back`));
    const undo = await cli(['undo', ...data(), '--json']);
    assert.equal(undo.code, 0, undo.stderr);
    const restored = JSON.parse(undo.stdout);
    assert.equal(restored.run_id, newRun, 'undo takes the latest run whose trash remains');
    assert.deepEqual(
      restored.restored.map((file: { filename: string }) => file.filename),
      [`${CARL}_1.jpg`],
    );
    await fs.access(path.join(actorPaths(sample.dataRoot, CARL).trainingDir, `${CARL}_1.jpg`));

    const all = await cli(['trash', 'empty', ...data()]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /emptied 1 run\(s\) from the trash: 0 file\(s\)/, 'the undone run had no files left; its record goes too');
    assert.deepEqual(await listTrash(sample.dataRoot), []);
  });

  it('a run being executed is kept; an invalid manifest keeps its run; bad input exits 2 and changes nothing', async () => {
    const run = await trashImages(EVA, [2]);
    // An execution holds its run's lock while it runs.
    const busy = await withFileLock(runLockPath(journalPath(sample.dataRoot, run)), () => emptyTrash(sample.dataRoot));
    assert.deepEqual(busy.emptied, []);
    assert.deepEqual(
      busy.kept.map(({ run: kept, reason }) => [kept.runId, reason]),
      [[run, 'the run is being executed']],
    );

    await fs.writeFile(actorPaths(sample.dataRoot, EVA).manifest, '{ not json');
    const broken = await emptyTrash(sample.dataRoot);
    assert.deepEqual(broken.emptied, []);
    assert.equal(broken.kept[0]?.run.runId, run, 'no number may be forgotten: the run stays');
    await fs.access(path.join(sample.dataRoot, '.trash', run));

    const before = await snapshot(sample.dir);
    for (const [args, message] of [
      [['trash', 'empty', '--older-than', '30 days'], /--older-than must be a number of hours, days or weeks such as 12h, 30d or 2w, not "30 days"/],
      [['trash', 'list', '--older-than', '30d'], /--older-than goes with `trash empty`/],
      [['trash', 'purge'], /unknown trash command "purge" \(one of list, empty\)/],
    ] as const) {
      const result = await cli([...args, ...data()]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
    }
    assert.deepEqual(await snapshot(sample.dir), before);
    assert.equal(parseAge('12h'), 12 * 3_600_000);
    assert.equal(parseAge('2w'), 14 * 86_400_000);
  });
});
