import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { AdaptiveConcurrency, AUTO_CONCURRENCY_CAP, requestSlots } from '../../src/core/execute/adaptiveConcurrency';
import { executePlans } from '../../src/core/execute';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { ReplicateGenerator } from '../../src/core/generate/replicateGenerator';
import { toJpegDataUri } from '../../src/core/image/imageFiles';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { copySampleData } from './helpers/tempData';

type Step = { kind: 'success' } | { kind: 'throttle'; retryAfterMs?: number };

const steps = fc.array(
  fc.oneof(
    fc.constant<Step>({ kind: 'success' }),
    fc.record({ kind: fc.constant('throttle' as const), retryAfterMs: fc.option(fc.nat(5000), { nil: undefined }) }),
  ),
  { maxLength: 300 },
);

/** A request admitted now, held until `finish` (its feedback kept for the test to give). */
function hold(slots: AdaptiveConcurrency): Promise<{ feedback: Parameters<Parameters<AdaptiveConcurrency['run']>[0]>[1]; finish: () => void }> {
  return new Promise((admitted) => {
    void slots.run(
      (_release, feedback) =>
        new Promise<void>((finish) => {
          admitted({ feedback, finish });
        }),
    );
  });
}

describe('adaptive concurrency (AIMD): the controller', () => {
  it('never below 1 nor above the cap; a throttle halves once per congestion, a run of successes adds one (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), steps, (initial, cap, run, script) => {
        const slots = new AdaptiveConcurrency({ initial, cap, successesPerIncrease: run, now: () => 0 });
        let successesInRow = 0;
        let throttledYet = false;
        let successSinceHalving = true;
        let ticket = 0;
        assert.equal(slots.limit, Math.min(cap, initial));
        for (const step of script) {
          const before: number = slots.limit;
          if (step.kind === 'throttle') {
            // Each throttle from a request admitted after the previous halving (a fresh ticket).
            slots.throttled(++ticket, step.retryAfterMs);
            const halves: boolean = successSinceHalving;
            assert.equal(slots.limit, halves ? Math.max(1, Math.floor(before / 2)) : before, halves ? 'halved' : 'the same congestion: not halved again');
            successSinceHalving &&= !halves;
            successesInRow = 0;
            throttledYet = true;
          } else {
            slots.succeeded();
            successSinceHalving = true;
            // Slow start (one per success) until the first throttle, below half the cap.
            const needed: number = !throttledYet && before < cap / 2 ? 1 : run;
            const raised: boolean = ++successesInRow >= needed;
            successesInRow = raised ? 0 : successesInRow;
            assert.equal(slots.limit, raised ? Math.min(cap, before + 1) : before);
          }
          assert.ok(slots.limit >= 1 && slots.limit <= cap, `limit ${slots.limit} within 1..${cap}`);
        }
      }),
    );
  });

  it('requests in flight never exceed the limit at admission, whatever the feedback (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('success', 'throttle', 'silent'), { minLength: 1, maxLength: 60 }), async (outcomes) => {
        const slots = new AdaptiveConcurrency({ initial: 2, cap: 6 });
        let over = 0;
        await Promise.all(
          outcomes.map((outcome) =>
            slots.run(async (release, feedback) => {
              if (slots.inFlight > slots.limit) {
                over++;
              }
              await new Promise((resolve) => setImmediate(resolve));
              if (outcome === 'success') {
                feedback.succeeded();
              } else if (outcome === 'throttle') {
                feedback.throttled(0);
              }
              release();
            }),
          ),
        );
        assert.equal(over, 0);
        assert.equal(slots.inFlight, 0);
      }),
      { numRuns: 50 },
    );
  });

  it('one congestion, one halving: throttles of requests sent before it, or before one sent after it succeeded, do not halve again', async () => {
    const slots = new AdaptiveConcurrency({ initial: 8, cap: 20 });
    const held = await Promise.all(Array.from({ length: 8 }, () => hold(slots)));
    held.forEach(({ feedback }) => feedback.throttled(0));
    assert.equal(slots.limit, 4, 'eight 429s of the same burst halve 8 to 4 once');
    held[0].feedback.succeeded(); // sent under the old limit: not a sign of recovery
    held.forEach(({ finish }) => finish());
    const [first, second] = await Promise.all([hold(slots), hold(slots)]);
    second.feedback.throttled(0);
    assert.equal(slots.limit, 4, 'no request sent under the halved limit has succeeded yet');
    first.feedback.succeeded();
    const third = await hold(slots);
    third.feedback.throttled(0);
    assert.equal(slots.limit, 2, 'after one did, a throttle is a new congestion');
    [first, second, third].forEach(({ finish }) => finish());
  });

  it("waits out the service's Retry-After before admitting another request", async () => {
    const slots = new AdaptiveConcurrency({ initial: 4 });
    const first = await hold(slots);
    const throttledAt = performance.now();
    first.feedback.throttled(120);
    first.finish();
    await slots.run(async () => undefined);
    assert.ok(performance.now() - throttledAt >= 110, `admitted after ${performance.now() - throttledAt} ms`);
  });

  it('a number is a fixed limit; `auto` starts at the default 2 and is capped at 20', async () => {
    assert.ok(requestSlots('auto') instanceof AdaptiveConcurrency);
    assert.equal((requestSlots('auto') as AdaptiveConcurrency).limit, 2);
    const auto = new AdaptiveConcurrency();
    for (let n = 0; n < 200; n++) {
      auto.succeeded();
    }
    assert.equal(auto.limit, AUTO_CONCURRENCY_CAP);
    const fixed = requestSlots(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        fixed.run(async (_release, feedback) => {
          peak = Math.max(peak, ++active);
          feedback.succeeded(); // ignored by a fixed limit
          await new Promise((resolve) => setTimeout(resolve, 5));
          active--;
        }),
      ),
    );
    assert.equal(peak, 3);
  });
});

describe('adaptive concurrency: executing against a rate-limited fake Replicate', function () {
  this.timeout(120000);
  const EILEEN = '0000_european_45_female';

  it('`auto` generates every planned image; 429s are retried, never failures in the journal or the generation log', async () => {
    const sample = await copySampleData();
    const replicate = await FakeReplicateServer.start({ rateLimit: { creations: 3, windowMs: 1000 }, latencyMs: 30 });
    try {
      await planActorToDisk({
        dataRoot: sample.dataRoot,
        actorId: EILEEN,
        evaluator: new LocalChecksEvaluator(),
        targets: categoryTargets(DEFAULT_TARGET),
        seed: 11,
      });
      const generator = new ReplicateGenerator({
        token: FAKE_REPLICATE_TOKEN,
        baseUrl: replicate.baseUrl,
        prepareInputImage: (file) => toJpegDataUri(file, 95),
        pollIntervalMs: 5,
      });
      const summary = await executePlans({ dataRoot: sample.dataRoot, actorIds: [EILEEN], mode: 'generate_only', generator, concurrency: 'auto' });
      const generated = summary.done.filter((operation) => operation.kind === 'generate').length;
      assert.ok(generated >= 4, `a plan with several generations (${generated})`);
      assert.equal(summary.status, 'completed');
      assert.deepEqual(summary.failed, []);
      assert.ok(replicate.stats.throttled > 0, 'the rate limit was reached');
      const log = await readGenerationLog(sample.dataRoot);
      assert.equal(log.failures.length, 0, 'a 429 that was retried is no failed attempt');
      assert.equal(log.successes.length, generated);
      const admitted = replicate.rateLimit.admitted;
      for (let n = 3; n < admitted.length; n++) {
        assert.ok(admitted[n] - admitted[n - 3] >= 1000, 'the fake kept its limit');
      }
    } finally {
      await replicate.close();
      await sample.cleanup();
    }
  });
});
