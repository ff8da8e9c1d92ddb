import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executePlans } from '../src/core/execute';
import { createGenerator, DEFAULT_ASPECT_RATIO, DEFAULT_REPLICATE_MODEL } from '../src/core/generate/providerConfig';
import type { Generator } from '../src/core/generate/types';
import { loadSharp } from '../src/core/image/sharp';
import { writePlanFile } from '../src/core/plan/planFiles';
import { BUILTIN_PROMPTS } from '../src/core/prompts/builtinPrompts';
import { fillPrompt } from '../src/core/prompts/library';
import { actorPaths } from '../src/core/workspace/layout';
import { FAKE_REPLICATE_TOKEN, type FakeReplicateOptions, FakeReplicateServer } from '../test/fakes/replicateServer';
import { line } from './indexBench';

const ACTOR = '0000_bench_30_female';
const WARM_UP_ACTOR = '0001_warmup_30_female';

/**
 * A synthetic actor (the astronaut photo as base image, no training images yet) and a hand-written
 * plan of `count` generations. The library has 35 prompts, so ids repeat: the planner never does
 * that, but a plan file may, and the executor takes it as written.
 */
export async function writeActorWithPlan(dataRoot: string, count: number, actorId = ACTOR): Promise<void> {
  const paths = actorPaths(dataRoot, actorId);
  fs.mkdirSync(paths.trainingDir, { recursive: true });
  fs.mkdirSync(paths.baseImageDir, { recursive: true });
  fs.copyFileSync(path.join(__dirname, '..', '..', 'fixtures', 'faces', 'astronaut.png'), path.join(paths.baseImageDir, `${actorId}_base.png`));
  const generations = Array.from({ length: count }, (_, n) => {
    const prompt = BUILTIN_PROMPTS[n % BUILTIN_PROMPTS.length];
    return { category: prompt.category, prompt_id: prompt.id, prompt: fillPrompt(prompt.template, 'woman') };
  });
  // `seen: {}` says the plan was made from an empty training folder, so it is not stale.
  await writePlanFile(dataRoot, { schema_version: 1, actor_id: actorId, created_at: new Date().toISOString(), seen: {}, deletions: [], generations });
}

/**
 * The fake Replicate in a child process, so its work (parsing 130 KB request bodies, serving
 * images) neither blocks this event loop nor counts in this process's RSS: what is measured is
 * the executor. Every accepted prediction takes `options.latencyMs`, answered within the create request.
 */
export async function startFakeReplicate(
  options: FakeReplicateOptions,
): Promise<{ baseUrl: string; stats: () => Promise<FakeReplicateServer['stats'] & { admitted: number[] }>; close: () => Promise<void> }> {
  const child: ChildProcess = fork(path.join(__dirname, 'executeBench.js'), ['--serve-fake-replicate', JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () => new Promise<any>((resolve) => child.once('message', resolve));
  const { baseUrl } = await next();
  return {
    baseUrl,
    stats: async () => {
      child.send('stats');
      return next();
    },
    close: async () => {
      child.send('close');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function serveFakeReplicate(options: FakeReplicateOptions): Promise<void> {
  const replicate = await FakeReplicateServer.start(options);
  process.on('message', async (message) => {
    if (message === 'stats') {
      process.send!({ ...replicate.stats, admitted: replicate.rateLimit.admitted });
    } else {
      await replicate.close();
      process.exit(0);
    }
  });
  process.send!({ baseUrl: replicate.baseUrl });
}

/** The Replicate generator (the real SDK) pointed at a fake, with sharp loaded beforehand. */
export async function fakeReplicateGenerator(baseUrl: string): Promise<Generator> {
  const generator = await createGenerator({
    provider: 'replicate',
    replicateToken: FAKE_REPLICATE_TOKEN,
    replicateBaseUrl: baseUrl,
    model: DEFAULT_REPLICATE_MODEL,
    aspectRatio: DEFAULT_ASPECT_RATIO,
  });
  await loadSharp();
  return generator;
}

/**
 * The floor the executor cannot beat: the same `count` predictions through the same generator
 * and fake server, `concurrency` at a time, a slot freed when the model is done (as the executor
 * does), with nothing journaled, saved or logged. Its excess over the ideal is the HTTP and
 * 130 KB-body cost of the fake and the SDK.
 */
async function timeRequestsAlone(generator: Generator, baseImagePath: string, count: number, concurrency: number): Promise<number> {
  const downloads: Promise<unknown>[] = [];
  let next = 0;
  const started = performance.now();
  const slot = async () => {
    while (next < count) {
      const prompt = BUILTIN_PROMPTS[next++ % BUILTIN_PROMPTS.length];
      await new Promise<void>((modelDone, failed) => {
        const request = {
          actorId: ACTOR,
          baseImagePath,
          promptId: prompt.id,
          prompt: prompt.template,
          category: prompt.category,
          onModelDone: () => modelDone(),
        };
        downloads.push(generator.generate(request).catch(failed));
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
  await Promise.all(downloads);
  return performance.now() - started;
}

/** Samples the process's resident memory every `everyMs` until stopped; returns the peak in bytes. */
export function rssSampler(everyMs = 20): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/**
 * `count` generations through the real Replicate SDK against the fake server (every prediction
 * takes `latencyMs`, answered within the create request as with `Prefer: wait`), executed in-process
 * with `concurrency` requests in flight. Prints the wall time against the ideal
 * ceil(count / concurrency) x latency, their ratio and the peak RSS of this process.
 */
export async function runExecuteBench(count = 100, latencyMs = 200, concurrency = 2): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-execute-bench-'));
  const dataRoot = path.join(workspace, 'data');
  const replicate = await startFakeReplicate({ latencyMs });
  try {
    await writeActorWithPlan(dataRoot, count);
    const generator = await fakeReplicateGenerator(replicate.baseUrl); // module loading is not execution: the ideal has no room for it
    // A warm process, as the extension host is after its first execution: one-time work (lazy
    // modules, JSON validators compiled on first use) is not part of executing a plan.
    await writeActorWithPlan(dataRoot, 2, WARM_UP_ACTOR);
    await executePlans({ dataRoot, actorIds: [WARM_UP_ACTOR], mode: 'generate_only', generator, concurrency });
    const memory = rssSampler(20);
    const started = performance.now();
    const summary = await executePlans({ dataRoot, actorIds: [ACTOR], mode: 'generate_only', generator, concurrency });
    const wall = performance.now() - started;
    const peakRss = memory.stop();
    if (summary.status !== 'completed' || summary.done.length !== count || summary.failed.length > 0) {
      throw new Error(
        `the benchmark run did not generate every image: ${summary.done.length} done, ${summary.failed.length} failed (${summary.failed[0]?.error ?? ''})`,
      );
    }
    const maxInFlight = (await replicate.stats()).maxInFlightPredictions;
    if (maxInFlight > concurrency) {
      throw new Error(`${maxInFlight} predictions were in flight at once, more than the concurrency ${concurrency}`);
    }
    const ideal = Math.ceil(count / concurrency) * latencyMs;
    const requestsAlone = await timeRequestsAlone(generator, path.join(actorPaths(dataRoot, ACTOR).baseImageDir, `${ACTOR}_base.png`), count, concurrency);
    console.log(line(`execute ${count} generations, ${latencyMs} ms each, concurrency ${concurrency} (wall time)`, wall, 'ms', 'reference'));
    console.log(line(`execute ideal: ceil(${count}/${concurrency}) x ${latencyMs} ms`, ideal, 'ms', 'reference'));
    console.log(line('execute floor: the same requests alone (SDK + fake server, nothing saved)', requestsAlone, 'ms', 'reference'));
    console.log(line('execute wall time / floor (what the executor adds)', wall / requestsAlone, 'x', 'reference'));
    console.log(line('execute wall time / ideal', wall / ideal, 'x', '<= 1.05'));
    console.log(line('execute peak RSS (sampled every 20 ms)', peakRss / (1024 * 1024), 'MB', '<= 300 MB'));
  } finally {
    await replicate.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === '--serve-fake-replicate') {
  void serveFakeReplicate(JSON.parse(process.argv[3]) as FakeReplicateOptions);
} else if (require.main === module) {
  runExecuteBench().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
