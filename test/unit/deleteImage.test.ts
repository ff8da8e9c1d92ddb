import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listRuns, undoRun } from '../../src/core/execute';
import { deleteImagesToTrash } from '../../src/core/execute/deleteImage';
import { trashTrainingDir } from '../../src/core/workspace/layout';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { actorPaths } from '../../src/core/workspace/layout';
import { s3StoreFor, startS3Server } from '../fakes/s3Server';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';
const IMAGE = `${CARL}_2.jpg`;

describe('deleting one image by hand', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('moves the file and its entries to the trash as a journaled run that Undo puts back', async () => {
    const { trainingDir, manifest, promptMetadata } = actorPaths(sample.dataRoot, CARL);
    const before = {
      image: await fs.readFile(path.join(trainingDir, IMAGE)),
      manifest: await fs.readFile(manifest, 'utf8'),
      metadata: await fs.readFile(promptMetadata, 'utf8'),
    };

    const { runId, moved } = await deleteImagesToTrash({
      dataRoot: sample.dataRoot,
      images: [{ actorId: CARL, filename: IMAGE }],
      reason: 'deleted in the Image Viewer',
    });

    assert.deepEqual(moved, [{ actorId: CARL, filename: IMAGE }]);
    await assert.rejects(fs.access(path.join(trainingDir, IMAGE)), 'gone from the training folder');
    assert.deepEqual(await fs.readFile(path.join(trashTrainingDir(sample.dataRoot, runId, CARL), IMAGE)), before.image, 'in the trash, unchanged');
    assert.ok(!(await loadManifest(manifest)).images.some((image) => image.filename === IMAGE), 'its manifest entry left');
    const [run] = await listRuns(sample.dataRoot);
    assert.equal(run.runId, runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.deleted, 1);

    const undone = await undoRun({ dataRoot: sample.dataRoot });
    assert.equal(undone.runId, runId);
    assert.deepEqual(await fs.readFile(path.join(trainingDir, IMAGE)), before.image);
    // The same data (a rewrite puts known keys in the schema's order).
    assert.deepEqual(JSON.parse(await fs.readFile(manifest, 'utf8')), JSON.parse(before.manifest));
    assert.deepEqual(JSON.parse(await fs.readFile(promptMetadata, 'utf8')), JSON.parse(before.metadata));
  });

  it('deletes the S3 object too, and Undo uploads it again; S3 down leaves the object and says so', async () => {
    const s3 = await startS3Server();
    try {
      const store = s3StoreFor(s3, { keyPrefix: 'hand/' });
      const { trainingDir, manifest } = actorPaths(sample.dataRoot, CARL);
      const data = JSON.parse(await fs.readFile(manifest, 'utf8'));
      for (const entry of data.images.filter((image: { filename: string }) => [IMAGE, `${CARL}_3.jpg`].includes(image.filename))) {
        const key = store.keyFor(CARL, entry.filename);
        Object.assign(entry, { s3_key: key, s3_url: (await store.put(key, await fs.readFile(path.join(trainingDir, entry.filename)), 'image/jpeg')).url });
      }
      await fs.writeFile(manifest, `${JSON.stringify(data, null, 2)}\n`);
      const key = store.keyFor(CARL, IMAGE);

      const outcome = await deleteImagesToTrash({ dataRoot: sample.dataRoot, images: [{ actorId: CARL, filename: IMAGE }], reason: 'test', store });
      assert.deepEqual(outcome.warnings, []);
      assert.ok(!(await store.list('hand/')).includes(key), 'the object is deleted with the file');
      const undone = await undoRun({ dataRoot: sample.dataRoot, store });
      assert.equal(undone.reuploaded, 1);
      assert.ok((await store.list('hand/')).includes(key), 'undo puts the object back');

      await s3.stop();
      const down = await deleteImagesToTrash({ dataRoot: sample.dataRoot, images: [{ actorId: CARL, filename: `${CARL}_3.jpg` }], reason: 'test', store });
      assert.deepEqual(down.moved, [{ actorId: CARL, filename: `${CARL}_3.jpg` }], 'the local file still goes to the trash');
      assert.equal(down.warnings.length, 1);
      assert.match(down.warnings[0], new RegExp(`the S3 object ${store.keyFor(CARL, `${CARL}_3.jpg`)} could not be deleted.*Reconcile Data`));
      const [run] = await listRuns(sample.dataRoot);
      assert.equal(run.runId, down.runId);
    } finally {
      await s3.dispose();
    }
  });

  it('an image already gone is skipped, nothing else moves', async () => {
    const outcome = await deleteImagesToTrash({ dataRoot: sample.dataRoot, images: [{ actorId: CARL, filename: `${CARL}_77.jpg` }], reason: 'test' });
    assert.deepEqual(outcome.moved, []);
    assert.deepEqual(outcome.gone, [{ actorId: CARL, filename: `${CARL}_77.jpg` }]);
    const [run] = await listRuns(sample.dataRoot);
    assert.equal(run.deleted, 0);
    assert.equal((await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.length, 6);
  });

  it('several images of several actors go in one run, and one Undo brings them all back', async () => {
    const EILEEN = '0000_european_45_female';
    const images = [
      { actorId: CARL, filename: `${CARL}_0.jpg` },
      { actorId: CARL, filename: `${CARL}_1.jpg` },
      { actorId: EILEEN, filename: `${EILEEN}_3.jpg` },
    ];
    const { moved } = await deleteImagesToTrash({ dataRoot: sample.dataRoot, images, reason: 'test' });
    assert.equal(moved.length, 3);
    assert.equal((await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.length, 4);
    const undone = await undoRun({ dataRoot: sample.dataRoot });
    assert.equal(undone.restored.length, 3);
    assert.equal((await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.length, 6);
    for (const image of images) {
      await fs.access(path.join(actorPaths(sample.dataRoot, image.actorId).trainingDir, image.filename));
    }
  });
});
