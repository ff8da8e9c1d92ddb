import * as assert from 'node:assert/strict';
import { abortableSleep, backoffDelayMs, parseRetryAfter, RetryInfo, Sleep, withRetries } from '../../src/core/util/retry';

class Transient extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('transient');
  }
}

/** Records the waits and returns at once. */
function instantSleep(): { waits: number[]; sleep: Sleep } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

/** An operation that fails with the given errors in turn, then returns "done". */
function failing(...errors: Error[]): { calls: number[]; operation: (attempt: number) => Promise<string> } {
  const calls: number[] = [];
  return {
    calls,
    operation: async (attempt) => {
      calls.push(attempt);
      const error = errors.shift();
      if (error) {
        throw error;
      }
      return 'done';
    },
  };
}

const retryTransient = (error: unknown) => error instanceof Transient;

describe('withRetries (generic retry loop)', () => {
  it('retries retryable failures with exponential backoff and tells onRetry before each wait', async () => {
    const { waits, sleep } = instantSleep();
    const { calls, operation } = failing(new Transient(), new Transient());
    const told: RetryInfo[] = [];
    const result = await withRetries(operation, {
      maxAttempts: 4,
      backoff: { initialDelayMs: 1000, multiplier: 2 },
      shouldRetry: retryTransient,
      onRetry: (info) => told.push(info),
      sleep,
      random: () => 0.5,
    });
    assert.equal(result, 'done');
    assert.deepEqual(calls, [1, 2, 3]);
    assert.deepEqual(waits, [1000, 2000]);
    assert.deepEqual(
      told.map(({ attempt, delayMs, fromRetryAfter, maxAttempts }) => ({ attempt, delayMs, fromRetryAfter, maxAttempts })),
      [
        { attempt: 1, delayMs: 1000, fromRetryAfter: false, maxAttempts: 4 },
        { attempt: 2, delayMs: 2000, fromRetryAfter: false, maxAttempts: 4 },
      ],
    );
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const { sleep } = instantSleep();
    const last = new Transient();
    const { calls, operation } = failing(new Transient(), new Transient(), last);
    await assert.rejects(withRetries(operation, { maxAttempts: 3, shouldRetry: retryTransient, sleep }), (error) => error === last);
    assert.deepEqual(calls, [1, 2, 3]);
  });

  it('does not retry what shouldRetry refuses', async () => {
    const { waits, sleep } = instantSleep();
    const { calls, operation } = failing(new Error('permanent'));
    await assert.rejects(withRetries(operation, { maxAttempts: 5, shouldRetry: retryTransient, sleep }), /permanent/);
    assert.deepEqual(calls, [1]);
    assert.deepEqual(waits, []);
  });

  it('waits the Retry-After the failure carries instead of the backoff', async () => {
    const { waits, sleep } = instantSleep();
    const { operation } = failing(new Transient(4000));
    const told: RetryInfo[] = [];
    await withRetries(operation, {
      maxAttempts: 2,
      shouldRetry: retryTransient,
      retryAfterMs: (error) => (error as Transient).retryAfterMs,
      onRetry: (info) => told.push(info),
      sleep,
    });
    assert.deepEqual(waits, [4000]);
    assert.equal(told[0].fromRetryAfter, true);
  });

  it('throws at once when Retry-After asks for more than maxRetryAfterMs', async () => {
    const { waits, sleep } = instantSleep();
    const { calls, operation } = failing(new Transient(3_600_000));
    await assert.rejects(
      withRetries(operation, {
        maxAttempts: 4,
        shouldRetry: retryTransient,
        retryAfterMs: (error) => (error as Transient).retryAfterMs,
        maxRetryAfterMs: 60_000,
        sleep,
      }),
      Transient,
    );
    assert.deepEqual(calls, [1]);
    assert.deepEqual(waits, []);
  });

  it("an abort during the wait ends it at once with the signal's reason, and no attempt follows", async () => {
    const controller = new AbortController();
    const { calls, operation } = failing(new Transient(), new Transient());
    const waiting = withRetries(operation, {
      maxAttempts: 3,
      shouldRetry: retryTransient,
      retryAfterMs: () => 3_600_000, // an hour: only the abort can end this wait
      maxRetryAfterMs: Infinity,
      onRetry: () => setImmediate(() => controller.abort(new Error('stop'))),
      signal: controller.signal,
    });
    await assert.rejects(waiting, /stop/);
    assert.deepEqual(calls, [1]);
  });

  it('an already aborted signal runs nothing', async () => {
    const { calls, operation } = failing();
    await assert.rejects(withRetries(operation, { maxAttempts: 3, shouldRetry: () => true, signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.deepEqual(calls, []);
  });

  it('refuses a maxAttempts that is not a whole number of at least 1', async () => {
    await assert.rejects(
      withRetries(async () => 'x', { maxAttempts: 0, shouldRetry: () => true }),
      RangeError,
    );
  });
});

describe('backoffDelayMs', () => {
  it('grows by the multiplier and stops at maxDelayMs', () => {
    const backoff = { initialDelayMs: 500, multiplier: 3, maxDelayMs: 5000, jitter: 0 };
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, backoff)),
      [500, 1500, 4500, 5000],
    );
  });

  it('spreads each wait by up to the jitter fraction either way', () => {
    const backoff = { initialDelayMs: 1000, jitter: 0.25 };
    assert.equal(
      backoffDelayMs(1, backoff, () => 0),
      750,
    );
    assert.equal(
      backoffDelayMs(1, backoff, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelayMs(1, backoff, () => 0.999999),
      1250,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('4'), 4000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter('1.5'), 1500);
  });

  it('reads an HTTP date relative to now, and a past date as no wait', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  });

  it('gives undefined for nothing or nonsense', () => {
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter(''), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter('-5'), undefined);
  });
});

describe('abortableSleep', () => {
  it('rejects with the reason when the signal aborts, long before the delay', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(3_600_000, controller.signal);
    controller.abort(new Error('cancelled by the user'));
    await assert.rejects(sleeping, /cancelled by the user/);
  });

  it('resolves after the delay when nothing aborts', async () => {
    assert.equal(await abortableSleep(0, new AbortController().signal), undefined);
  });
});
