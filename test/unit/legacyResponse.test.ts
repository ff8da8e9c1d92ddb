import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { executePlans, undoRun } from '../../src/core/execute';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { LocalGenerator } from '../../src/core/generate/localGenerator';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { readActorPlan } from '../../src/core/plan/planFiles';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { deleteImagesToTrash } from '../../src/core/execute/deleteImage';
import { addResponseUrl, removeResponseUrl } from '../../src/core/manifest/legacyResponse';
import { actorPaths } from '../../src/core/workspace/layout';
import { s3CliArgs, S3RVER_ENV, S3TestServer, s3StoreFor, startS3Server } from '../fakes/s3Server';
import { cli } from './helpers/cli';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EVA = '0000_european_45_female';
const BUCKET_URL = 'https://example-bucket.s3.amazonaws.com/system_actors/training_data';
const urlOf = (actorId: string, n: number) => `${BUCKET_URL}/${actorId}/${actorId}_${n}.jpg`;

describe('response.json kept in step (the old tool’s URL list)', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const responseOf = (actorId: string) => actorPaths(sample.dataRoot, actorId).legacyResponse;
  const readResponse = async (actorId: string) => JSON.parse(await fs.readFile(responseOf(actorId), 'utf8')) as unknown[];
  const writeResponse = (actorId: string, value: unknown) => fs.writeFile(responseOf(actorId), `${JSON.stringify(value, null, 2)}\n`);
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('adds a URL in image order, once; a new URL for a file (or a whole S3 response) becomes the plain URL where it stood', async () => {
    const s3Object = { ETag: '"1"', Location: urlOf(CARL, 3), Key: `system_actors/training_data/${CARL}/${CARL}_3.jpg` };
    await writeResponse(CARL, [urlOf(CARL, 0), s3Object, urlOf(CARL, 5), { note: 'no URL here' }]);

    assert.equal(await addResponseUrl(sample.dataRoot, CARL, `${CARL}_2.jpg`, urlOf(CARL, 2)), undefined);
    assert.equal(await addResponseUrl(sample.dataRoot, CARL, `${CARL}_2.jpg`, urlOf(CARL, 2)), undefined, 'twice is once');
    assert.equal(await addResponseUrl(sample.dataRoot, CARL, `${CARL}_3.jpg`, urlOf(CARL, 3)), undefined);
    assert.equal(await addResponseUrl(sample.dataRoot, CARL, `${CARL}_9.jpg`, urlOf(CARL, 9)), undefined);
    assert.deepEqual(await readResponse(CARL), [urlOf(CARL, 0), urlOf(CARL, 2), urlOf(CARL, 3), urlOf(CARL, 5), { note: 'no URL here' }, urlOf(CARL, 9)]);

    assert.equal(await removeResponseUrl(sample.dataRoot, CARL, `${CARL}_3.jpg`), undefined);
    assert.deepEqual(await readResponse(CARL), [urlOf(CARL, 0), urlOf(CARL, 2), urlOf(CARL, 5), { note: 'no URL here' }, urlOf(CARL, 9)]);
  });

  it('never creates one for an actor that has none, and a broken or differently shaped file is a warning, left as it is', async () => {
    assert.equal(await addResponseUrl(sample.dataRoot, CARL, `${CARL}_2.jpg`, urlOf(CARL, 2)), undefined);
    await assert.rejects(fs.access(responseOf(CARL)), 'not created');

    await fs.writeFile(responseOf(CARL), '[ "https://x/a.jpg", ');
    assert.match((await addResponseUrl(sample.dataRoot, CARL, `${CARL}_2.jpg`, urlOf(CARL, 2))) ?? '', /response\.json.*not valid.*left as it is/);
    assert.equal(await fs.readFile(responseOf(CARL), 'utf8'), '[ "https://x/a.jpg", ');

    await writeResponse(CARL, { urls: [urlOf(CARL, 0)] });
    assert.match((await removeResponseUrl(sample.dataRoot, CARL, `${CARL}_0.jpg`)) ?? '', /not a list of URLs.*left as it is/);
    assert.deepEqual(await readResponse(CARL), { urls: [urlOf(CARL, 0)] });
  });

  it('a deleted image leaves the list and Undo puts it back where it stood; an actor without one gets none', async () => {
    const { manifest } = actorPaths(sample.dataRoot, CARL);
    const data = JSON.parse(await fs.readFile(manifest, 'utf8'));
    data.images.forEach((entry: { index: number; s3_url: string | null }) => (entry.s3_url = urlOf(CARL, entry.index)));
    await fs.writeFile(manifest, `${JSON.stringify(data, null, 2)}\n`);
    const listed = [0, 1, 2, 3, 4, 5].map((n) => urlOf(CARL, n));
    await writeResponse(CARL, listed);

    const deleted = await deleteImagesToTrash({
      dataRoot: sample.dataRoot,
      images: [
        { actorId: CARL, filename: `${CARL}_2.jpg` },
        { actorId: EVA, filename: `${EVA}_3.jpg` },
      ],
      reason: 'test',
    });
    assert.deepEqual(deleted.warnings, []);
    assert.deepEqual(
      await readResponse(CARL),
      [0, 1, 3, 4, 5].map((n) => urlOf(CARL, n)),
    );
    await assert.rejects(fs.access(responseOf(EVA)), 'the actor without one gets none');

    const undone = await undoRun({ dataRoot: sample.dataRoot });
    assert.equal(undone.restored.length, 2);
    assert.deepEqual(await readResponse(CARL), listed);
    await assert.rejects(fs.access(responseOf(EVA)));
  });

  it('a response.json that cannot be written does not stop a deletion: the image is trashed and the run says why', async () => {
    await fs.mkdir(responseOf(CARL)); // a folder in its place
    const deleted = await deleteImagesToTrash({ dataRoot: sample.dataRoot, images: [{ actorId: CARL, filename: `${CARL}_2.jpg` }], reason: 'test' });
    assert.deepEqual(deleted.moved, [{ actorId: CARL, filename: `${CARL}_2.jpg` }]);
    assert.equal(deleted.warnings.length, 1);
    assert.match(deleted.warnings[0], /response\.json was not updated/);
  });

  describe('CLI, with S3 (the real AWS SDK against s3rver)', () => {
    let s3: S3TestServer;
    beforeEach(async () => {
      s3 = await startS3Server();
    });
    afterEach(() => s3.dispose());
    const args = () => s3CliArgs(s3, sample.dataRoot);
    const env = S3RVER_ENV;

    it('execute: the deleted images leave the list, the generated ones join it in image order', async function () {
      this.timeout(120000);
      const store = s3StoreFor(s3);
      const listed = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 13].map((n) => urlOf(EVA, n));
      await writeResponse(EVA, listed);
      await planActorToDisk({
        dataRoot: sample.dataRoot,
        actorId: EVA,
        evaluator: new LocalChecksEvaluator(),
        targets: categoryTargets(DEFAULT_TARGET),
        seed: 7,
      });
      const plan = await readActorPlan(sample.dataRoot, EVA);
      assert.ok(plan.state === 'ok' && plan.value.deletions.length > 0 && plan.value.generations.length > 0);

      const summary = await executePlans({ dataRoot: sample.dataRoot, actorIds: [EVA], mode: 'everything', generator: new LocalGenerator(), store });
      assert.equal(summary.failed.length, 0);
      const deleted = new Set(plan.value.deletions.map((deletion) => deletion.filename));
      const generated = (await fs.readdir(actorPaths(sample.dataRoot, EVA).trainingDir)).filter((name) => Number(/_(\d+)\.jpg$/.exec(name)?.[1]) >= 14);
      assert.equal(generated.length, plan.value.generations.length);
      const byNumber = (name: string) => Number(/_(\d+)\.jpg$/.exec(name)![1]);
      assert.deepEqual(await readResponse(EVA), [
        ...listed.filter((url) => !deleted.has(path.basename(url))),
        ...generated.sort((a, b) => byNumber(a) - byNumber(b)).map((name) => store.urlFor(store.keyFor(EVA, name))),
      ]);
    });

    it('generate adds the new URL; an upload that waited adds it when retry-uploads sends it; a broken file is a warning', async () => {
      await writeResponse(CARL, [urlOf(CARL, 0)]);
      const first = await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_woodcut', ...args()], env);
      assert.equal(first.code, 0, first.stderr);
      const uploaded = JSON.parse(first.stdout);
      assert.deepEqual(await readResponse(CARL), [urlOf(CARL, 0), uploaded.s3_url]);

      await s3.stop();
      const queued = JSON.parse((await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_etching', ...args()], env)).stdout);
      assert.deepEqual(await readResponse(CARL), [urlOf(CARL, 0), uploaded.s3_url], 'no URL yet');
      await s3.restart();
      const drained = await cli(['retry-uploads', ...args()], env);
      assert.equal(drained.code, 0, drained.stderr);
      assert.deepEqual(await readResponse(CARL), [
        urlOf(CARL, 0),
        uploaded.s3_url,
        `${s3.endpoint}/${s3.bucket}/system_actors/training_data/${CARL}/${queued.filename}`,
      ]);

      await fs.writeFile(responseOf(CARL), 'not json');
      const broken = await cli(['generate', '--actor-id', CARL, '--prompt', 'bw_graphite', ...args()], env);
      assert.equal(broken.code, 0, 'the paid image stands');
      assert.match(broken.stderr, /warning: .*response\.json.*not valid/);
      assert.equal(await fs.readFile(responseOf(CARL), 'utf8'), 'not json');
    });
  });
});
