import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCompositeGrid, MAX_TILES_PER_GRID, planGrids } from '../src/core/evaluate/compositeGrid';
import { loadSharp } from '../src/core/image/sharp';
import { line } from './indexBench';

/** 1024x576 JPEGs cut from the sample's photos, like the evaluation benchmark's training images. */
async function writeImages(dir: string, count: number): Promise<{ filename: string; path: string }[]> {
  const sharp = await loadSharp();
  const sources = ['fixtures/faces/astronaut.png', 'fixtures/faces/cameraman.png'];
  const images = [];
  for (let n = 0; n < count; n++) {
    const filename = `grid_${n}.jpg`;
    await sharp(sources[n % 2])
      .resize(1400 + (n % 7) * 40)
      .extract({ left: (n * 37) % 200, top: (n * 23) % 150, width: 1024, height: 576 })
      .modulate({ brightness: 0.8 + (n % 9) * 0.05 })
      .jpeg({ quality: 85 })
      .toFile(path.join(dir, filename));
    images.push({ filename, path: path.join(dir, filename) });
  }
  return images;
}

/** Prints the time to build one composite grid of 20 images (median of a few runs after the first). */
export async function runGridBench(runs = 7): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-grid-bench-'));
  try {
    const [tiles] = planGrids(await writeImages(dir, MAX_TILES_PER_GRID));
    // The first grid of a process also loads the fonts of the SVG labels.
    const coldStart = performance.now();
    await buildCompositeGrid(tiles);
    const cold = performance.now() - coldStart;
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await buildCompositeGrid(tiles);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(line('first composite grid of a process (fonts loading)', cold, 'ms', 'reference'));
    console.log(
      line(
        `composite grid of ${tiles.length} images, 1024x576 JPEGs (median of ${runs}; best ${times[0].toFixed(1)} ms)`,
        times[Math.floor(runs / 2)],
        'ms',
        '<= 300 ms',
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runGridBench().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
