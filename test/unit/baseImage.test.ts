import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { resolveBaseImage } from '../../src/core/actors/baseImage';
import { actorPaths } from '../../src/core/workspace/layout';
import { cli } from './helpers/cli';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';
const BASE = `${CARL}_base.png`;

describe('base images named by the old tool’s moved_to / relative_path', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let paths: ReturnType<typeof actorPaths>;
  const resolve = (entry: Record<string, unknown>) => resolveBaseImage(sample.dataRoot, sample.dataRoot, CARL, entry);
  /** Carl's manifest with these base_images entries (the rest as in the sample). */
  const setBaseImages = async (entries: object[]) => {
    const manifest = JSON.parse(await fs.readFile(paths.manifest, 'utf8'));
    manifest.base_images = entries;
    await fs.writeFile(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  };
  const carl = async () => (await new ActorIndex(sample.dataRoot).index()).actors.find((actor) => actor.id === CARL)!;
  beforeEach(async () => {
    sample = await copySampleData();
    paths = actorPaths(sample.dataRoot, CARL);
  });
  afterEach(() => sample.cleanup());

  it('resolves a path of the data folder as it is, a path of the old machine by its file name in base_image/', async () => {
    const originals = path.join(paths.dir, 'originals');
    await fs.mkdir(originals);
    await fs.copyFile(path.join(paths.baseImageDir, BASE), path.join(originals, 'face.png'));

    const inBase = path.join(paths.baseImageDir, BASE);
    assert.deepEqual(resolve({ filename: BASE }), { found: true, field: 'filename', filename: BASE, path: inBase });
    assert.deepEqual(resolve({ relative_path: `base_image/${BASE}` }), { found: true, field: 'relative_path', filename: BASE, path: inBase });
    assert.deepEqual(resolve({ moved_to: `/home/markus/actor_maker/data/actors/${CARL}/base_image/${BASE}` }), {
      found: true,
      field: 'moved_to',
      filename: BASE,
      path: inBase,
    });
    assert.deepEqual(resolve({ moved_to: `C:\\old\\actors\\${CARL}\\base_image\\${BASE}` }), { found: true, field: 'moved_to', filename: BASE, path: inBase });
    const face = path.join(originals, 'face.png');
    assert.deepEqual(resolve({ moved_to: face }), { found: true, field: 'moved_to', filename: 'face.png', path: face }, 'absolute, inside the data folder');
    assert.deepEqual(resolve({ relative_path: 'originals/face.png' }), { found: true, field: 'relative_path', filename: 'face.png', path: face });
  });

  it('never uses a file outside the data folder: a path or a link there is a problem', async () => {
    const outside = path.join(sample.dir, 'outside');
    await fs.mkdir(outside);
    await fs.copyFile(path.join(paths.baseImageDir, BASE), path.join(outside, 'private.png'));
    await fs.symlink(path.join(outside, 'private.png'), path.join(paths.baseImageDir, 'linked.png'));

    for (const entry of [{ moved_to: path.join(outside, 'private.png') }, { relative_path: '../../../outside/private.png' }]) {
      const resolved = resolve(entry);
      assert.equal(resolved.found, false, JSON.stringify(entry));
      assert.ok(!resolved.found && resolved.outside);
      assert.match(!resolved.found ? resolved.problem : '', /is outside the data folder and base_image\/ has no private\.png; it is not used/);
    }
    const linked = resolve({ moved_to: '/old/machine/linked.png' });
    assert.ok(!linked.found && linked.outside);
    assert.match(!linked.found ? linked.problem : '', /links outside the data folder/);
    assert.match(!resolve({}).found ? (resolve({}) as { problem: string }).problem : '', /names no file/);
    assert.match((resolve({ filename: '../x.png' }) as { problem: string }).problem, /not a plain file name/);

    await fs.rm(path.join(paths.baseImageDir, BASE));
    await setBaseImages([{ moved_to: path.join(outside, 'private.png') }]);
    const actor = await carl();
    assert.equal(actor.manifestState, 'ok', 'an entry without filename is valid');
    assert.equal(actor.baseImage, undefined, 'neither the outside file nor the link is used');
    assert.ok(
      actor.problems.some(
        (problem) => problem.severity === 'warning' && /base_images\[0\] moved_to .*private\.png" is outside the data folder/.test(problem.message),
      ),
      JSON.stringify(actor.problems),
    );
  });

  it('the index (tree, evaluate, generate, plan, export all read it) and the CLI use the resolved base image', async () => {
    const originals = path.join(paths.dir, 'originals');
    await fs.mkdir(originals);
    await fs.rename(path.join(paths.baseImageDir, BASE), path.join(originals, 'face.png'));
    await setBaseImages([{ moved_to: `/home/markus/actor_maker/data/actors/${CARL}/originals/face.png` }, { relative_path: 'originals/face.png' }]);

    const actor = await carl();
    assert.deepEqual(actor.baseImage, { filename: 'face.png', path: path.join(originals, 'face.png') });
    assert.deepEqual(
      actor.problems.map((problem) => problem.message),
      [
        `base_images[0] moved_to "/home/markus/actor_maker/data/actors/${CARL}/originals/face.png" is outside the data folder and base_image/ has no face.png; it is not used.`,
      ],
      'the first entry is reported, the second one is used',
    );

    const listed = await cli(['actors', '--data', sample.dataRoot, '--json']);
    assert.equal(JSON.parse(listed.stdout).actors.find((each: { id: string }) => each.id === CARL).base_image, 'face.png');
    const generated = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'bw_woodcut', '--json']);
    assert.equal(generated.code, 0, generated.stderr);
    await fs.access(JSON.parse(generated.stdout).path);
  });
});
