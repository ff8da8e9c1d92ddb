import * as assert from 'node:assert/strict';
import { Semaphore } from '../../src/core/util/semaphore';

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once, in arrival order, and a task may hand its slot on early', async () => {
    const semaphore = new Semaphore(2);
    const started: number[] = [];
    let active = 0;
    let most = 0;
    const gates = Array.from({ length: 5 }, () => {
      let open!: () => void;
      return { promise: new Promise<void>((resolve) => (open = resolve)), open };
    });
    const runs = gates.map((gate, n) =>
      semaphore.run(async (release) => {
        started.push(n);
        active++;
        most = Math.max(most, active);
        await gate.promise;
        active--;
        if (n === 0) {
          release(); // e.g. the model answered; only a download is left
          release(); // idempotent
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1]);
    gates[0].open();
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.deepEqual(started, [0, 1, 2], 'task 2 starts as soon as task 0 releases, before task 0 ends');
    gates.forEach((gate) => gate.open());
    await Promise.all(runs);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.equal(semaphore.inFlight, 0);
  });

  it('refuses a limit below 1', () => {
    assert.throws(() => new Semaphore(0), /at least 1/);
  });
});
