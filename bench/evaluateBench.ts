import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateActor } from '../src/core/evaluate/evaluateActor';
import { LocalChecksEvaluator } from '../src/core/evaluate/localChecks';
import { loadSharp } from '../src/core/image/sharp';
import { formatJson } from '../src/core/manifest/jsonFile';
import { FileHasher } from '../src/core/fs/files';
import { ActorIndex } from '../src/core/actors/dataIndex';
import { line } from './indexBench';

const ACTOR = '0000_bench_30_female';

/** 200 distinct 1024x576 JPEGs cut from the sample's photos, as one tracked actor. */
async function writeImages(dataRoot: string, count: number): Promise<string[]> {
  const sharp = await loadSharp();
  const sources = ['fixtures/faces/astronaut.png', 'fixtures/faces/cameraman.png'];
  const dir = path.join(dataRoot, 'actors', ACTOR, 'training_data');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dataRoot, 'actors', ACTOR, 'base_image'), { recursive: true });
  fs.copyFileSync(sources[0], path.join(dataRoot, 'actors', ACTOR, 'base_image', `${ACTOR}_base.png`));
  const images = [];
  for (let n = 0; n < count; n++) {
    const bytes = await sharp(sources[n % 2])
      .resize(1400 + (n % 7) * 40)
      .extract({ left: n % 200, top: n % 150, width: 1024, height: 576 })
      .modulate({ brightness: 0.8 + (n % 9) * 0.05 })
      .jpeg({ quality: 85 })
      .toBuffer();
    const filename = `${ACTOR}_${n}.jpg`;
    fs.writeFileSync(path.join(dir, filename), bytes);
    images.push({ filename, index: n, category: 'photorealistic', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), formatJson({ schema_version: 1, images }));
  return images.map((image) => path.join(dir, image.filename));
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** CPU time of the whole process (every thread: sharp's, the thread pool's), ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Prints the local-evaluation figures against sharp decoding the same files (the floor). Floor and
 * evaluation alternate over a few runs (the manifest is restored in between, so every run evaluates
 * afresh) and the medians are compared, so both see the same file cache and background load. The
 * ratio of CPU times is printed too: on a busy machine it moves much less than the wall-clock one.
 */
export async function runEvaluateBench(count = 200, runs = 3): Promise<void> {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-eval-bench-'));
  try {
    const files = await writeImages(dataRoot, count);
    const manifest = path.join(path.dirname(files[0]), 'manifest.json');
    const unevaluated = fs.readFileSync(manifest);
    const sharp = await loadSharp();
    const floors: number[] = [];
    const evaluations: number[] = [];
    const cpuRatios: number[] = [];
    for (let run = 0; run < runs; run++) {
      let started = performance.now();
      let cpu = cpuMs();
      for (const file of files) {
        await sharp(file).raw().toBuffer();
      }
      floors.push(performance.now() - started);
      const floorCpu = cpuMs() - cpu;
      fs.writeFileSync(manifest, unevaluated);
      const actor = new ActorIndex(dataRoot).actor(ACTOR);
      started = performance.now();
      cpu = cpuMs();
      const result = await evaluateActor({ dataRoot, actor, evaluator: new LocalChecksEvaluator(), hasher: new FileHasher() });
      evaluations.push(performance.now() - started);
      cpuRatios.push((cpuMs() - cpu) / floorCpu);
      if (result.cached) {
        throw new Error('the cache did not behave: a run over a restored manifest was cached');
      }
    }
    // A second run in a new process would re-hash; a fresh hasher here does the same work.
    const reread = new ActorIndex(dataRoot).actor(ACTOR);
    const started = performance.now();
    const second = await evaluateActor({ dataRoot, actor: reread, evaluator: new LocalChecksEvaluator(), hasher: new FileHasher() });
    const cached = performance.now() - started;
    if (!second.cached) {
      throw new Error('the cache did not behave: the second run evaluated again');
    }
    const floor = median(floors);
    const evaluation = median(evaluations);
    console.log(line(`sharp decoding ${count} images (floor, median of ${runs})`, floor, 'ms', 'reference'));
    console.log(line(`local evaluation of ${count} images, without face identity (median of ${runs})`, evaluation, 'ms', 'reference'));
    console.log(line('local evaluation / sharp decode', evaluation / floor, 'x', '<= 2.0'));
    console.log(line('local evaluation / sharp decode, process CPU time', median(cpuRatios), 'x', 'reference'));
    console.log(line('second run over unchanged images / first run', (cached / evaluation) * 100, '%', '<= 5 %'));
  } finally {
    fs.rmSync(dataRoot, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runEvaluateBench().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
