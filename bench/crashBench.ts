import { runKillCycles } from '../test/slow/crashHarness';

/**
 * The crash-safety loop of test/slow/crashResume.test.ts, run longer: the real CLI (dist/cli.js,
 * build it first) executing a plan against the fake Replicate, SIGKILLed at seeded random moments
 * and resumed, `cycles` kills in all over fresh workspaces. Prints the counts; every problem count
 * should be 0. ACTOR_STUDIO_CRASH_SEED replays a sequence of kill moments.
 */
export async function runCrashBench(cycles = 200): Promise<void> {
  const seed = Number(process.env.ACTOR_STUDIO_CRASH_SEED ?? Date.now() % 1_000_000);
  const started = performance.now();
  const report = await runKillCycles({ kills: cycles, seed, killsPerWorkspace: 10 });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `crash kill cycles: ${report.kills} kills (${report.killsMidRun} while at work) over ${report.cycles} runs in ${report.workspaces} workspaces, ${seconds.toFixed(0)} s, seed ${seed}`,
  );
  console.log(
    `corrupt files: ${report.corrupt.length}, lost: ${report.lost.length}, duplicated: ${report.duplicated.length}, final set not as planned: ${report.mismatched.length} (target 0 each)`,
  );
  console.log(`temporary files left by interrupted atomic writes: ${report.tempFilesLeft} (garbage, not damage)`);
  for (const problem of [...report.corrupt, ...report.lost, ...report.duplicated, ...report.mismatched].slice(0, 20)) {
    console.log(`  ${problem}`);
  }
}

if (require.main === module) {
  const cycles = Number(process.argv[2] ?? 200);
  runCrashBench(cycles).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
