// Runs inside code-server's extension host (as an extensionTestsPath entry) on a workspace with
// 10,000 synthetic actors, and writes its measurements to ACTOR_STUDIO_BENCH_OUT.
import * as fs from 'fs';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as vscode from 'vscode';
import type { ActorStudioTestApi } from '../../src/extension';

/** Packages that must not load until a feature needs them (image work, model SDKs, S3). */
const HEAVY_MODULES = ['sharp', 'replicate', 'openai', '@aws-sdk', '@vladmandic', '@tensorflow'];

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** The extension host's memory after a full garbage collection (what is live, not what V8 has yet to collect). */
function liveMemory(): NodeJS.MemoryUsage {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage();
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<ActorStudioTestApi>('actor-studio.actor-studio');
  if (!extension) {
    throw new Error('actor-studio.actor-studio is not loaded');
  }
  const api = await extension.activate();
  // External modules show in require.cache; bundled ones report themselves (core/lazyModules).
  const heavyLoaded = [
    ...Object.keys(require.cache).filter((file) => HEAVY_MODULES.some((name) => file.includes(`/node_modules/${name}/`))),
    ...api.loadedHeavyModules(),
  ];

  let memory = liveMemory();
  const firstLevel: number[] = [];
  const fullIndex: number[] = [];
  let actors = 0;
  for (let run = 0; run < 5; run++) {
    api.workspace.invalidate();
    const started = performance.now();
    const nodes = await api.tree.getChildren();
    nodes.forEach((node) => api.tree.getTreeItem(node));
    firstLevel.push(performance.now() - started);
    await api.workspace.index();
    fullIndex.push(performance.now() - started);
    // The tree's own background read hands its rows the new records; measure once it is done.
    await api.tree.settled();
    actors = nodes.length;
    if (run === 0) {
      memory = liveMemory();
    }
  }
  // What is still live once the last read is done: a re-read must let the older indexes go.
  const afterReads = liveMemory();
  const results = {
    // After the first full read, as a user opening the folder has it.
    rssAfterReadMb: memory.rss / (1024 * 1024),
    heapAfterReadMb: memory.heapUsed / (1024 * 1024),
    heapAfterFiveReadsMb: afterReads.heapUsed / (1024 * 1024),
    actors,
    activationMs: api.activationMs,
    bundleLoadMs: api.bundleLoadMs,
    heavyModulesLoaded: heavyLoaded,
    firstLevelMs: median(firstLevel),
    allActorsReadMs: median(fullIndex),
  };
  fs.writeFileSync(process.env.ACTOR_STUDIO_BENCH_OUT!, JSON.stringify(results, null, 2));
}
