import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultFaceWorkers } from '../src/core/evaluate/createEvaluator';
import { createFaceIdentity } from '../src/core/evaluate/faceIdentity';
import { loadSharp } from '../src/core/image/sharp';
import { line } from './indexBench';

/** 1024x576 JPEGs around the faces of the sample's photos, like generated training images. */
async function writeImages(dir: string, count: number): Promise<string[]> {
  const sharp = await loadSharp();
  const sources = ['fixtures/faces/astronaut.png', 'fixtures/faces/cameraman.png'];
  const files = [];
  for (let n = 0; n < count; n++) {
    const file = path.join(dir, `face_${n}.jpg`);
    await sharp(sources[n % 2])
      .resize(1100 + (n % 5) * 40)
      .extract({ left: (n * 13) % 76, top: (n * 11) % 60, width: 1024, height: 576 })
      .modulate({ brightness: 0.85 + (n % 7) * 0.05 })
      .jpeg({ quality: 85 })
      .toFile(file);
    files.push(file);
  }
  return files;
}

/**
 * Prints face identity time per image: one image at a time in this thread (latency, reference),
 * and a set through the worker threads the extension and the CLI use (the target).
 */
export async function runFaceBench(count = 20): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-face-bench-'));
  try {
    const files = await writeImages(dir, count);
    let started = performance.now();
    const faces = await createFaceIdentity();
    const load = performance.now() - started;
    await faces.describe(files[0]); // warm-up: the first inference sets up the wasm kernels
    const times: number[] = [];
    let found = 0;
    for (const file of files) {
      started = performance.now();
      found += (await faces.describe(file)) ? 1 : 0;
      times.push(performance.now() - started);
    }
    await faces.close();
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(line('face models loading (face-api, tfjs wasm)', load, 'ms', 'reference'));
    console.log(
      line(`face identity in one thread, ${count} images 1024x576 (${found} faces; median, best ${times[0].toFixed(0)} ms)`, median, 'ms', 'reference'),
    );

    const workers = defaultFaceWorkers();
    const pool = await createFaceIdentity({ worker: path.join(__dirname, '..', 'src', 'core', 'evaluate', 'faceWorker.js'), workers });
    await pool.identityDistances(files[0], files.slice(0, workers)); // warm-up: models load in each worker
    started = performance.now();
    const distances = await pool.identityDistances(files[0], files);
    const perImage = (performance.now() - started) / count;
    await pool.close();
    const pooledFound = distances.filter((result) => !result.noFace).length;
    console.log(line(`face identity of a set, ${workers} worker thread(s) (${pooledFound} faces), per image`, perImage, 'ms', '<= 400 ms'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runFaceBench().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
