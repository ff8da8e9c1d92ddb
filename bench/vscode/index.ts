// Runs inside code-server's extension host (as an extensionTestsPath entry) on a workspace with
// 1,000 synthetic actors, and writes its measurements to ACTOR_STUDIO_BENCH_OUT.
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { ActorStudioTestApi } from '../../src/extension';

/** Packages that must not load until a feature needs them (image work, model SDKs, S3). */
const HEAVY_MODULES = ['sharp', 'replicate', 'openai', '@aws-sdk', '@vladmandic', '@tensorflow'];

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
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

  const firstLevel: number[] = [];
  const fullIndex: number[] = [];
  let actors = 0;
  for (let run = 0; run < 7; run++) {
    api.workspace.invalidate();
    const started = performance.now();
    const nodes = await api.tree.getChildren();
    nodes.forEach((node) => api.tree.getTreeItem(node));
    firstLevel.push(performance.now() - started);
    await api.workspace.index();
    fullIndex.push(performance.now() - started);
    actors = nodes.length;
  }
  const results = {
    actors,
    activationMs: api.activationMs,
    bundleLoadMs: api.bundleLoadMs,
    heavyModulesLoaded: heavyLoaded,
    firstLevelMs: median(firstLevel),
    allActorsReadMs: median(fullIndex),
  };
  fs.writeFileSync(process.env.ACTOR_STUDIO_BENCH_OUT!, JSON.stringify(results, null, 2));
}
