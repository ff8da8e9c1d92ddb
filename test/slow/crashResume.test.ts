import * as assert from 'node:assert/strict';
import { runKillCycles } from './crashHarness';

// The slow lane (scripts/test.mjs runs it after the unit tests): the real CLI executing a plan
// against the fake Replicate is SIGKILLed at random moments and resumed, at least 50 times.
// ACTOR_STUDIO_CRASH_SEED replays a failing sequence of kill moments.
const SEED = Number(process.env.ACTOR_STUDIO_CRASH_SEED ?? Date.now() % 1_000_000);

describe('crash safety: SIGKILL at random moments, then resume', function () {
  this.timeout(5 * 60_000);

  it('after 50+ kills: no corrupt JSON, no lost or duplicated image, no reused number, the final set matches the plan', async () => {
    const report = await runKillCycles({ kills: 50, seed: SEED, killsPerWorkspace: 9 });
    console.log(
      `      ${report.kills} kills (${report.killsMidRun} while at work) over ${report.cycles} runs in ${report.workspaces} workspaces, seed ${SEED}; ${report.tempFilesLeft} temporary files left`,
    );
    const replay = `(seed ${SEED}: ACTOR_STUDIO_CRASH_SEED=${SEED} replays it)`;
    assert.ok(report.kills >= 50, `only ${report.kills} kills ${replay}`);
    assert.ok(report.workspaces >= 5, `only ${report.workspaces} workspaces ${replay}`);
    assert.ok(report.killsMidRun >= 20, `only ${report.killsMidRun} kills hit a run at work ${replay}`);
    assert.deepEqual(report.corrupt, [], `corrupt JSON files ${replay}`);
    assert.deepEqual(report.lost, [], `lost images ${replay}`);
    assert.deepEqual(report.duplicated, [], `duplicated images or numbers ${replay}`);
    assert.deepEqual(report.mismatched, [], `final set against the plan ${replay}`);
  });
});
