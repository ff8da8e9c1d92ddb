import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataFolder } from '../src/core/actors/dataIndex';
import { writeSyntheticData } from './synthetic';

/**
 * Times two functions alternately (A B A B ...) after a warm-up of each, so both see the same
 * file cache and the same background load, and returns the median of each.
 */
async function medians(runs: number, a: () => unknown, b: () => unknown): Promise<[number, number]> {
  await a();
  await b();
  const times: [number[], number[]] = [[], []];
  for (let run = 0; run < runs; run++) {
    for (const [slot, fn] of [a, b].entries()) {
      const started = performance.now();
      await fn();
      times[slot].push(performance.now() - started);
    }
  }
  const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
  return [median(times[0]), median(times[1])];
}

/** The floor: a bare recursive readdir of the actors folder and JSON.parse of every manifest. */
function bareReaddirAndParse(dataRoot: string): number {
  const actorsDir = path.join(dataRoot, 'actors');
  let parsed = 0;
  for (const relative of fs.readdirSync(actorsDir, { recursive: true }) as string[]) {
    if (relative.endsWith('manifest.json')) {
      parsed += (JSON.parse(fs.readFileSync(path.join(actorsDir, relative), 'utf8')).images as unknown[]).length;
    }
  }
  return parsed;
}

export function line(name: string, value: number, unit: string, target: string): string {
  return `${name}: ${unit === 'x' ? value.toFixed(2) : value.toFixed(1)} ${unit} (target ${target})`;
}

/** Prints one line per figure; returns the data folder so the editor benchmark can reuse it. */
export async function runIndexBench(actors = 1000, images = 20): Promise<{ dataRoot: string; workspace: string }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-bench-'));
  const dataRoot = path.join(workspace, 'data');
  await writeSyntheticData(dataRoot, actors, images);
  const index = await indexDataFolder(dataRoot);
  if (index.actors.length !== actors || index.actors.some((actor) => actor.total !== images || actor.manifestState !== 'ok')) {
    throw new Error('the index does not match the synthetic data');
  }
  const [floor, full] = await medians(
    15,
    () => bareReaddirAndParse(dataRoot),
    () => indexDataFolder(dataRoot),
  );
  console.log(line(`bare readdir + JSON.parse, ${actors} actors x ${images} images`, floor, 'ms', 'reference'));
  console.log(line('full index', full, 'ms', 'reference'));
  console.log(line('full index / bare readdir + JSON.parse', full / floor, 'x', '<= 1.3'));
  return { dataRoot, workspace };
}

if (require.main === module) {
  runIndexBench().then(
    ({ workspace }) => fs.rmSync(workspace, { recursive: true, force: true }),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
