// `npm run bench`: prints one line per figure, `<name>: <value> <unit> (target <target>)`.
// Not a test: figures vary with the machine; compare them run to run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { launchChromium } from '../test/runners/browser';
import { runInExtensionHost } from '../test/runners/extensionHost';
import { ensureResultsDir, repoRoot, runCleanups } from '../test/runners/util';
import { runCrashBench } from './crashBench';
import { runCurationBench } from './curationBench';
import { runEvaluateBench } from './evaluateBench';
import { runFaceBench } from './faceBench';
import { DEFAULT_CANDIDATES, runFaceCorpusBench } from './faceCorpusBench';
import { runGalleryBench } from './galleryBench';
import { runGridBench } from './gridBench';
import { line, runIndexBench } from './indexBench';

function runBenchInChild(script: string): void {
  const result = spawnSync(process.execPath, [path.join(__dirname, script)], { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${script} failed (exit ${result.status})`);
  }
}

/** `npm run bench -- --only scale,throughput` runs those parts only (while working on one figure). */
const PARTS = ['evaluate', 'face', 'curation', 'grid', 'gallery', 'execute', 'crash', 'throughput', 'scale'] as const;
function chosenParts(): ReadonlySet<string> {
  const at = process.argv.indexOf('--only');
  const chosen = at >= 0 ? (process.argv[at + 1] ?? '').split(',') : [...PARTS];
  const unknown = chosen.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) {
    throw new Error(`--only takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);
  }
  return new Set(chosen);
}

async function main(): Promise<number> {
  const parts = chosenParts();
  if (parts.has('evaluate')) await runEvaluateBench(200);
  if (parts.has('face')) {
    await runFaceBench(20);
    await runFaceCorpusBench(DEFAULT_CANDIDATES, { perImage: false });
  }
  if (parts.has('curation')) await runCurationBench();
  if (parts.has('grid')) await runGridBench();
  if (parts.has('gallery')) await runGalleryBench();
  // Their own processes: each peak RSS must be the executor's, not the face models' loaded above.
  if (parts.has('execute')) runBenchInChild('executeBench.js');
  if (parts.has('crash')) await runCrashBench(100);
  if (parts.has('throughput')) runBenchInChild('throughputBench.js');
  if (!parts.has('scale')) {
    return 0;
  }
  // A studio's scale; the data is made once and cached (bench/synthetic.ts), so it is only read here.
  const { workspace } = await runIndexBench(10_000, 20);
  const out = path.join(ensureResultsDir(), 'bench-vscode.json');
  fs.rmSync(out, { force: true });
  const browser = await launchChromium();
  try {
    const { exitCode } = await runInExtensionHost(browser, {
      label: 'bench',
      workspace,
      trusted: true,
      testsEntry: path.join(repoRoot, 'out', 'bench', 'vscode', 'index.js'),
      extensionPath: repoRoot,
      env: { ACTOR_STUDIO_BENCH_OUT: out },
    });
    if (exitCode !== 0 || !fs.existsSync(out)) {
      console.error('the editor benchmark did not finish; see test-results/code-server-bench.log');
      return 1;
    }
  } finally {
    await browser.close();
  }
  const results = JSON.parse(fs.readFileSync(out, 'utf8'));
  console.log(line(`tree first level, ${results.actors} actors`, results.firstLevelMs, 'ms', '<= 150 ms'));
  console.log(line(`all ${results.actors} actors read in the editor (background, time-sliced)`, results.allActorsReadMs, 'ms', 'reference'));
  console.log(line(`extension host memory after reading all ${results.actors} actors (RSS)`, results.rssAfterReadMb, 'MB', 'reference'));
  console.log(line(`extension host heap after reading all ${results.actors} actors`, results.heapAfterReadMb, 'MB', 'reference'));
  console.log(line('extension host heap after five full reads', results.heapAfterFiveReadsMb, 'MB', 'about the heap after one read'));
  console.log(line('activation, activate() returning', results.activationMs, 'ms', '<= 50 ms'));
  console.log(line('loading the extension bundle (before activate)', results.bundleLoadMs, 'ms', 'reference'));
  console.log(
    `heavy modules loaded at activation: ${results.heavyModulesLoaded.length} (target 0)${results.heavyModulesLoaded.length ? ` ${results.heavyModulesLoaded.join(', ')}` : ''}`,
  );
  return 0;
}

main()
  .catch((error) => {
    console.error(error);
    return 1;
  })
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  });
