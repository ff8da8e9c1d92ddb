import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executePlans } from '../src/core/execute';
import { readGenerationLog } from '../src/core/tracking/generationLog';
import { fakeReplicateGenerator, rssSampler, startFakeReplicate, writeActorWithPlan } from './executeBench';
import { line } from './indexBench';

/**
 * `actorStudio.execution.concurrency: "auto"` against a rate-limited fake Replicate: every
 * prediction takes `latencyMs`; at most `limit` creations in any `windowMs`, more answered 429
 * with Retry-After. Replicate's 600 a minute is scaled down to 300 a minute in 10 s windows (50
 * per window) so the bench takes about a minute: at 2 s a prediction that still needs 10
 * requests in flight, five times the default of 2, so `auto` has to find it.
 *
 * Throughput is the creations the fake accepted in the first `windows` full windows after the
 * first one, as a share of the `windows x limit` the limit allows there (a sliding window never
 * allows more); the plan holds half a window more so demand never runs out inside them.
 */
export async function runThroughputBench(limit = 50, windowMs = 10_000, latencyMs = 2000, windows = 5): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-throughput-bench-'));
  const dataRoot = path.join(workspace, 'data');
  const replicate = await startFakeReplicate({ latencyMs, rateLimit: { creations: limit, windowMs } });
  const count = windows * limit + limit / 2;
  try {
    await writeActorWithPlan(dataRoot, count);
    const generator = await fakeReplicateGenerator(replicate.baseUrl);
    const memory = rssSampler(50);
    const started = performance.now();
    const summary = await executePlans({ dataRoot, actorIds: ['0000_bench_30_female'], mode: 'generate_only', generator, concurrency: 'auto' });
    const wall = performance.now() - started;
    const peakRss = memory.stop();
    const stats = await replicate.stats();
    const first = stats.admitted[0];
    const inWindows = stats.admitted.filter((at) => at < first + windows * windowMs).length;
    const log = await readGenerationLog(dataRoot);
    const throttlingFailures =
      summary.failed.filter((failure) => failure.failureReason === 'rate_limit').length +
      log.failures.filter((failure) => failure.failure_reason === 'rate_limit').length;
    const perMinute = (limit * 60_000) / windowMs;
    console.log(
      line(
        `auto concurrency: ${count} generations, ${latencyMs} ms each, limit ${perMinute}/min in ${windowMs / 1000} s windows (wall time; ${summary.done.length} done, ${summary.failed.length} failed, ${stats.throttled} answers 429, peak ${stats.maxInFlightPredictions} in flight)`,
        wall,
        'ms',
        'reference',
      ),
    );
    const perWindow = Array.from(
      { length: windows },
      (_, n) => stats.admitted.filter((at) => at >= first + n * windowMs && at < first + (n + 1) * windowMs).length,
    );
    console.log(`auto concurrency: creations accepted per window: ${perWindow.join(', ')} (limit ${limit})`);
    console.log(line(`auto concurrency: throughput / what the limit allows (first ${windows} windows)`, inWindows / (windows * limit), 'x', '>= 0.9'));
    console.log(`auto concurrency: failures caused by throttling: ${throttlingFailures} (target 0)`);
    for (const failure of summary.failed) {
      console.log(`  failed: ${failure.id}: ${failure.failureReason}: ${failure.error}`);
    }
    console.log(line('auto concurrency: peak RSS (sampled every 50 ms)', peakRss / (1024 * 1024), 'MB', '<= 300 MB'));
  } finally {
    await replicate.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runThroughputBench().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
