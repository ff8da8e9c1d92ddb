import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { poseFromLandmarks } from '../../src/core/evaluate/faceCascade';
import { createFaceIdentity, type FaceIdentity } from '../../src/core/evaluate/faceIdentity';
import { loadSharp } from '../../src/core/image/sharp';
import { makeTempDir, REPO_ROOT } from './helpers/tempData';

const ASTRONAUT = path.join(REPO_ROOT, 'fixtures', 'faces', 'astronaut.png');
const CAMERAMAN = path.join(REPO_ROOT, 'fixtures', 'faces', 'cameraman.png');
const COFFEE = path.join(REPO_ROOT, 'fixtures', 'faceCorpus', 'coffee.png');

// Variants made as the face corpus makes them (bench/faceCorpus.ts), real inference, no stubs.
describe('face analysis: score, face size, yaw and roll (cascade pipeline)', function () {
  this.timeout(120000);

  let faces: FaceIdentity;
  let cleanup: () => Promise<void>;
  const images: Record<string, string> = {};

  before(async () => {
    const temp = await makeTempDir('actor-studio-face-analysis-');
    cleanup = temp.cleanup;
    const sharp = await loadSharp();
    // The astronaut's face (102 px high in a 512 px photo) at 5% of a 1344x768 frame: 38 px.
    const scale = (0.05 * 768) / 102;
    const small = await sharp(ASTRONAUT)
      .resize(Math.round(512 * scale))
      .png()
      .toBuffer();
    images.small = path.join(temp.dir, 'small.jpg');
    const background = await sharp(COFFEE).resize(1344, 768, { fit: 'cover' }).modulate({ brightness: 0.8, hue: 120 }).blur(6).png().toBuffer();
    await sharp(background)
      .composite([{ input: small, left: 900, top: 200 }])
      .jpeg({ quality: 88 })
      .toFile(images.small);
    images.rotated = path.join(temp.dir, 'rotated.jpg');
    await sharp(ASTRONAUT)
      .rotate(30, { background: { r: 120, g: 120, b: 120 } })
      .jpeg({ quality: 88 })
      .toFile(images.rotated);
    images.mirrored = path.join(temp.dir, 'mirrored.jpg');
    await sharp(CAMERAMAN).flop().jpeg({ quality: 88 }).toFile(images.mirrored);
    // A halftone print: each pixel black or white against a dot screen of 6 px (the offline
    // generator's and print looks' kind of stylization); SSD sees no face in it.
    const grey = await sharp(ASTRONAUT).resize(1024, 576, { fit: 'contain', background: '#808080' }).greyscale().raw().toBuffer();
    const dots = Buffer.alloc(1024 * 576);
    for (let y = 0; y < 576; y++) {
      for (let x = 0; x < 1024; x++) {
        const screen = (Math.sin((2 * Math.PI * x) / 6) * Math.sin((2 * Math.PI * y) / 6) + 1) * 127.5;
        dots[y * 1024 + x] = grey[y * 1024 + x] > screen ? 255 : 0;
      }
    }
    images.halftone = path.join(temp.dir, 'halftone.png');
    await sharp(dots, { raw: { width: 1024, height: 576, channels: 1 } })
      .png()
      .toFile(images.halftone);
    faces = await createFaceIdentity();
  });

  after(async () => {
    await faces?.close();
    await cleanup?.();
  });

  it('reports the detector score, the face box and its height relative to the image', async () => {
    const face = await faces.analyze(ASTRONAUT);
    assert.ok(face.descriptor && face.descriptor.length === 128);
    assert.ok(face.score! > 0.9, `score ${face.score}`);
    assert.deepEqual([face.imageWidth, face.imageHeight], [512, 512]);
    assert.ok(Math.abs(face.faceHeightRatio! - 0.2) < 0.03, `face height ratio ${face.faceHeightRatio}`);
    assert.equal(face.facePixels, Math.round(face.box!.height));
    assert.equal(face.detector, 'ssd');
    assert.ok(Math.abs(face.yaw!) < 15 && Math.abs(face.roll!) < 10, `frontal: yaw ${face.yaw}, roll ${face.roll}`);
  });

  it('finds a face 5% of the frame high (SSD alone missed such faces in the corpus; the tiles find them) and says how small it is', async () => {
    const face = await faces.analyze(images.small);
    assert.match(face.detector!, /^ssd(-tiles)?$/);
    assert.ok(face.faceHeightRatio! > 0.035 && face.faceHeightRatio! < 0.08, `face height ratio ${face.faceHeightRatio}`);
    assert.ok(face.facePixels! < 60, `face pixels ${face.facePixels}`);
    const base = await faces.describe(ASTRONAUT);
    assert.ok(faces.distance(base!, face.descriptor!) < 0.6);
  });

  it('measures a 30° tilt as roll and describes the face upright (close to the base photo)', async () => {
    const face = await faces.analyze(images.rotated);
    assert.ok(Math.abs(face.roll! - 30) < 8, `roll ${face.roll}`);
    assert.match(face.detector!, /upright$/);
    const base = await faces.describe(ASTRONAUT);
    assert.ok(faces.distance(base!, face.descriptor!) < 0.3, `distance ${faces.distance(base!, face.descriptor!)}`);
  });

  it('finds a halftone face only in the smoothing pass, after SSD and the tiles found nothing', async () => {
    const ssdAlone = await createFaceIdentity({ pipeline: 'ssd' });
    try {
      assert.equal((await ssdAlone.analyze(images.halftone)).detector, null, 'SSD alone finds no face in the dots');
    } finally {
      await ssdAlone.close();
    }
    const face = await faces.analyze(images.halftone);
    assert.equal(face.detector, 'ssd-smoothed');
    assert.ok(face.score! > 0.7, `score ${face.score}`);
    assert.ok(face.faceHeightRatio! > 0.15 && face.faceHeightRatio! < 0.3, `face height ratio ${face.faceHeightRatio}`);
  });

  it('reads a turned face as yaw, with the sign flipped by mirroring', async () => {
    const face = await faces.analyze(CAMERAMAN);
    const mirrored = await faces.analyze(images.mirrored);
    assert.ok(face.yaw! > 25, `cameraman yaw ${face.yaw}`);
    assert.ok(mirrored.yaw! < -25, `mirrored yaw ${mirrored.yaw}`);
  });

  it('reports nothing but the image size when there is no face', async () => {
    const face = await faces.analyze(COFFEE);
    assert.deepEqual(face, {
      descriptor: null,
      score: null,
      box: null,
      imageWidth: 600,
      imageHeight: 400,
      faceHeightRatio: null,
      facePixels: null,
      yaw: null,
      roll: null,
      detector: null,
    });
  });

  it('identityDistances carries the new fields', async () => {
    const [result] = await faces.identityDistances(ASTRONAUT, [images.small]);
    assert.equal(result.noFace, false);
    assert.match(result.detector!, /^ssd(-tiles)?$/);
    assert.ok(result.score! >= 0.7 && result.faceHeightRatio! < 0.08 && typeof result.yaw === 'number');
  });

  it('poseFromLandmarks: a nose centred between the jaw ends is yaw 0, at the jaw end ±90', () => {
    const points = Array.from({ length: 68 }, () => ({ x: 50, y: 50 }));
    points[0] = { x: 0, y: 50 };
    points[16] = { x: 100, y: 50 };
    for (let i = 36; i <= 41; i++) points[i] = { x: 30, y: 40 };
    for (let i = 42; i <= 47; i++) points[i] = { x: 70, y: 40 };
    points[30] = { x: 50, y: 60 };
    assert.deepEqual(poseFromLandmarks(points), { yaw: 0, roll: 0 });
    points[30] = { x: 100, y: 60 };
    assert.equal(poseFromLandmarks(points).yaw, 90);
    points[30] = { x: 25, y: 60 };
    assert.equal(poseFromLandmarks(points).yaw, -30);
  });
});
