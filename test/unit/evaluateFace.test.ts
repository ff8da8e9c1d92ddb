import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { euclideanDistance } from '../../src/core/evaluate/faceCascade';
import { createFaceIdentity, type FaceIdentity } from '../../src/core/evaluate/faceIdentity';
import { loadSharp } from '../../src/core/image/sharp';
import { makeTempDir, REPO_ROOT } from './helpers/tempData';

const FACES = path.join(REPO_ROOT, 'fixtures', 'faces');
const ASTRONAUT = path.join(FACES, 'astronaut.png');
const CAMERAMAN = path.join(FACES, 'cameraman.png');

describe('face identity (face-api, tfjs wasm)', function () {
  this.timeout(120000);

  let dir: string;
  let cleanup: () => Promise<void>;
  let faces: FaceIdentity;
  const images: Record<string, string> = {};

  before(async () => {
    ({ dir, cleanup } = await makeTempDir('actor-studio-face-'));
    const sharp = await loadSharp();
    images.flop = path.join(dir, 'flop.png');
    await sharp(ASTRONAUT).flop().toFile(images.flop);
    images.grey = path.join(dir, 'grey.png');
    await sharp(ASTRONAUT).greyscale().toFile(images.grey);
    // The astronaut photo's top-right corner: flag and background, no face.
    images.background = path.join(dir, 'background.png');
    await sharp(ASTRONAUT).extract({ left: 352, top: 0, width: 160, height: 160 }).resize(320, 320).toFile(images.background);
    // A plain gradient.
    const width = 256;
    const height = 256;
    const gradient = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        gradient[i] = x;
        gradient[i + 1] = y;
        gradient[i + 2] = 128;
      }
    }
    images.gradient = path.join(dir, 'gradient.png');
    await sharp(gradient, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(images.gradient);
    faces = await createFaceIdentity();
  });

  after(async () => {
    await faces?.close();
    await cleanup?.();
  });

  it('describes a face as 128 numbers, and itself at distance ~0', async () => {
    const a = await faces.describe(ASTRONAUT);
    const b = await faces.describe(ASTRONAUT);
    assert.ok(a && b);
    assert.equal(a.length, 128);
    assert.ok(faces.distance(a, b) < 0.01, `self distance ${faces.distance(a, b)}`);
  });

  it('keeps the same person under 0.6 when mirrored or greyscale, and another person over 0.6', async () => {
    const base = await faces.describe(ASTRONAUT);
    assert.ok(base);
    const measured: Record<string, number> = {};
    for (const name of ['flop', 'grey'] as const) {
      const other = await faces.describe(images[name]);
      assert.ok(other, `${name}: a face`);
      measured[name] = faces.distance(base, other);
    }
    const cameraman = await faces.describe(CAMERAMAN);
    assert.ok(cameraman, 'cameraman: a face');
    measured.cameraman = faces.distance(base, cameraman);
    assert.ok(measured.flop < 0.6, `flop ${measured.flop}`);
    assert.ok(measured.grey < 0.6, `grey ${measured.grey}`);
    assert.ok(measured.cameraman > 0.6, `cameraman ${measured.cameraman}`);
  });

  it('gives null for images without a face', async () => {
    assert.equal(await faces.describe(images.background), null);
    assert.equal(await faces.describe(images.gradient), null);
  });

  it('identityDistances lists each image with its distance or noFace', async () => {
    const results = await faces.identityDistances(ASTRONAUT, [ASTRONAUT, images.flop, CAMERAMAN, images.gradient]);
    assert.deepEqual(
      results.map((r) => [r.filename, r.noFace]),
      [
        ['astronaut.png', false],
        ['flop.png', false],
        ['cameraman.png', false],
        ['gradient.png', true],
      ],
    );
    assert.ok(results[0].distance !== null && results[0].distance < 0.01);
    assert.ok(results[1].distance !== null && results[1].distance < 0.6);
    assert.ok(results[2].distance !== null && results[2].distance > 0.6);
    assert.equal(results[3].distance, null);
    // No face in the base image: distances are null, noFace still tells about each image.
    const noBase = await faces.identityDistances(images.gradient, [ASTRONAUT]);
    assert.deepEqual(
      noBase.map(({ filename, distance, noFace }) => ({ filename, distance, noFace })),
      [{ filename: 'astronaut.png', distance: null, noFace: false }],
    );
    // The image's own face is still measured (score, size, yaw) for the unscorable policy.
    assert.ok(noBase[0].score! > 0.9 && noBase[0].faceHeightRatio! > 0.15 && typeof noBase[0].yaw === 'number');
  });

  it('a file that cannot be read is an error, not "no face"', async () => {
    await assert.rejects(faces.describe(path.join(dir, 'missing.png')));
  });

  it('euclideanDistance is the plain euclidean distance', () => {
    assert.equal(euclideanDistance(Float32Array.from([0, 0]), Float32Array.from([3, 4])), 5);
    assert.throws(() => euclideanDistance(new Float32Array(2), new Float32Array(3)));
  });

  it('runs the same in a worker_thread, keeping the caller free', async () => {
    const script = path.join(__dirname, '..', '..', 'src', 'core', 'evaluate', 'faceWorker.js');
    const worker = await createFaceIdentity({ worker: script });
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const results = await worker.identityDistances(ASTRONAUT, [images.grey, CAMERAMAN, images.background]);
      clearInterval(timer);
      assert.ok(results[0].distance !== null && results[0].distance < 0.6, `grey ${results[0].distance}`);
      assert.ok(results[1].distance !== null && results[1].distance > 0.6, `cameraman ${results[1].distance}`);
      assert.deepEqual([results[2].noFace, results[2].distance], [true, null]);
      assert.ok(ticks > 10, `the main thread's timer ran only ${ticks} times during inference`);
    } finally {
      await worker.close();
    }
  });
});
