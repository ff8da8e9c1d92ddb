import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataFolder } from '../src/core/actors/dataIndex';
import { computeAnalytics, loadAnalyticsInput } from '../src/core/analytics/analytics';
import { DEFAULT_TARGET } from '../src/core/actors/targets';
import { cachedSyntheticWorkspace } from './synthetic';

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

/**
 * The floor: a bare recursive readdir of the actors folder and JSON.parse of every manifest,
 * keeping what it parsed as an index must (at 10,000 actors, 400 MB a collector has to carry: a
 * floor that drops it measures a lighter job).
 */
function bareReaddirAndParse(dataRoot: string, keep = true): unknown[] {
  const actorsDir = path.join(dataRoot, 'actors');
  const manifests: unknown[] = [];
  for (const relative of fs.readdirSync(actorsDir, { recursive: true }) as string[]) {
    if (relative.endsWith('manifest.json')) {
      const parsed: unknown = JSON.parse(fs.readFileSync(path.join(actorsDir, relative), 'utf8'));
      if (keep) {
        manifests.push(parsed);
      }
    }
  }
  return manifests;
}

export function line(name: string, value: number, unit: string, target: string): string {
  return `${name}: ${unit === 'x' ? value.toFixed(2) : value.toFixed(1)} ${unit} (target ${target})`;
}

/** Wall time of `actor-studio actors --json` (the built CLI, a new process each time), median of `runs`. */
function timeActorsJson(dataRoot: string, runs: number): number {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, 'actors', '--json', '--data', dataRoot], { maxBuffer: 1 << 30 });
    times.push(performance.now() - started);
    if (result.status !== 0) {
      throw new Error(`actors --json failed (exit ${result.status}): ${result.stderr.toString().slice(0, 500)}`);
    }
  }
  return times.sort((x, y) => x - y)[Math.floor(runs / 2)];
}

/**
 * Prints one line per figure; returns the workspace (a cached one: callers only read it) so the
 * editor benchmark can reuse it.
 */
export async function runIndexBench(actors = 10_000, images = 20): Promise<{ dataRoot: string; workspace: string }> {
  const workspace = await cachedSyntheticWorkspace(actors, images);
  const dataRoot = path.join(workspace, 'data');
  const index = await indexDataFolder(dataRoot);
  if (index.actors.length !== actors || index.actors.some((actor) => actor.total !== images || actor.manifestState !== 'ok')) {
    throw new Error('the index does not match the synthetic data');
  }
  const runs = actors > 2000 ? 3 : 15;
  const [floor, full] = await medians(
    runs,
    () => bareReaddirAndParse(dataRoot),
    () => indexDataFolder(dataRoot),
  );
  const size = `${actors} actors x ${images} images`;
  console.log(line(`bare readdir + JSON.parse, ${size}`, floor, 'ms', 'reference'));
  console.log(line('full index', full, 'ms', 'reference'));
  console.log(line('full index / bare readdir + JSON.parse', full / floor, 'x', '<= 1.3'));
  // The lighter floor, shown so the choice of floor is in plain sight.
  const [dropping] = await medians(
    runs,
    () => bareReaddirAndParse(dataRoot, false),
    () => undefined,
  );
  console.log(line('full index / bare readdir + JSON.parse dropping what it parsed', full / dropping, 'x', 'reference'));
  // Analytics over every actor with the index already read, as the editor's panel recomputes.
  const [analytics] = await medians(
    runs,
    async () => computeAnalytics(await loadAnalyticsInput(dataRoot, { index }), DEFAULT_TARGET),
    () => undefined,
  );
  console.log(line(`analytics recompute, all actors (${size}, index in memory)`, analytics, 'ms', 'reference'));
  const actorsJson = timeActorsJson(dataRoot, 3);
  console.log(line(`actors --json, ${size} (new process, median of 3)`, actorsJson, 'ms', 'reference'));
  console.log(line('actors --json / full index in this process', actorsJson / full, 'x', '<= 1.5'));
  return { dataRoot, workspace };
}

if (require.main === module) {
  runIndexBench(Number(process.argv[2] ?? 10_000)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
