import { Semaphore } from '../util/semaphore';
import { AUTO_CONCURRENCY, type Concurrency, DEFAULT_CONCURRENCY } from './types';

/** What a request reports back to the slots it ran in, so `auto` can adapt. */
export interface RequestFeedback {
  /** The model finished the request. */
  succeeded(): void;
  /** The service pushed back (429, 5xx) on creating it; `retryAfterMs` is the pause it asked for. */
  throttled(retryAfterMs?: number): void;
}

/** Model requests in flight across all actors: a fixed number, or adapted (AIMD). */
export interface RequestSlots {
  /** Runs `task` in a slot; `release` gives the slot up early (idempotent). */
  run<T>(task: (release: () => void, feedback: RequestFeedback) => Promise<T>): Promise<T>;
}

/**
 * The most requests `auto` keeps in flight. Replicate allows about 600 prediction creations a
 * minute, 10 a second; a prediction takes 2 s at the least (flux-kontext-pro: 2 to 10 s), so by
 * Little's law 20 in flight reach that limit with the fastest predictions, and more would only
 * be answered with 429. Slower predictions would allow more, but 20 already is ten times the
 * default, and it bounds what one run holds at once: the base images' data URIs in the requests
 * and the predictions still paid for when Cancel is pressed.
 */
export const AUTO_CONCURRENCY_CAP = 20;
/** Successes in a row that raise the limit by one (2: it doubles in about two prediction times). */
export const SUCCESSES_PER_INCREASE = 2;

const NO_FEEDBACK: RequestFeedback = { succeeded: () => undefined, throttled: () => undefined };

/** The slots a run's concurrency setting asks for. */
export function requestSlots(concurrency: Concurrency | undefined): RequestSlots {
  if (concurrency === AUTO_CONCURRENCY) {
    return new AdaptiveConcurrency();
  }
  const semaphore = new Semaphore(Math.max(1, Math.floor(concurrency ?? DEFAULT_CONCURRENCY)));
  return { run: (task) => semaphore.run((release) => task(release, NO_FEEDBACK)) };
}

export interface AdaptiveConcurrencyOptions {
  initial?: number;
  cap?: number;
  successesPerIncrease?: number;
  now?: () => number;
}

/**
 * AIMD, as TCP does with its window: the limit grows by one after a run of successes and halves
 * when the service throttles (a 429 or a 5xx), never below 1 or above the cap, and new requests
 * wait out the Retry-After the service asked for. A throttle halves the limit only once per
 * congestion (once per prediction time, as TCP halves once per round trip): requests admitted
 * before the last halving were sent under the old limit, and throttles before one sent under the
 * new limit succeeded meet the same full window, so neither says anything new. Until the first throttle and up to half the cap,
 * the limit grows by one per success (TCP's slow start), so a run reaches Replicate's limit
 * within a few prediction times without one burst that fills its window.
 */
export class AdaptiveConcurrency implements RequestSlots {
  private current: number;
  private readonly cap: number;
  private readonly successesPerIncrease: number;
  private readonly now: () => number;
  private active = 0;
  private admitted = 0;
  private admittedAtLastHalving = 0;
  private successes = 0;
  private throttledYet = false;
  /** A throttle before a request sent under the halved limit succeeded is the same congestion: the limit was already halved for it. */
  private succeededSinceHalving = true;
  private pausedUntil = 0;
  private pauseTimer?: NodeJS.Timeout;
  /** Each is given its admission number. */
  private readonly waiting: ((ticket: number) => void)[] = [];

  constructor(options: AdaptiveConcurrencyOptions = {}) {
    this.cap = Math.max(1, Math.floor(options.cap ?? AUTO_CONCURRENCY_CAP));
    this.current = Math.min(this.cap, Math.max(1, Math.floor(options.initial ?? DEFAULT_CONCURRENCY)));
    this.successesPerIncrease = Math.max(1, Math.floor(options.successesPerIncrease ?? SUCCESSES_PER_INCREASE));
    this.now = options.now ?? Date.now;
  }

  /** Requests allowed in flight now. */
  get limit(): number {
    return this.current;
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: (release: () => void, feedback: RequestFeedback) => Promise<T>): Promise<T> {
    const ticket = await new Promise<number>((admit) => {
      this.waiting.push(admit);
      this.admitWaiting();
    });
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.active--;
        this.admitWaiting();
      }
    };
    const feedback: RequestFeedback = {
      succeeded: () => this.succeeded(ticket),
      throttled: (retryAfterMs) => this.throttled(ticket, retryAfterMs),
    };
    try {
      return await task(release, feedback);
    } finally {
      release();
    }
  }

  /** `ticket`: the admission number of the request that succeeded (later admissions have higher ones). */
  succeeded(ticket = Infinity): void {
    if (ticket > this.admittedAtLastHalving) {
      this.succeededSinceHalving = true;
    }
    // Slow start, as TCP's: until the first throttle and below half the cap, one more per success
    // (doubling each prediction time); beyond, a burst would fill the service's window at once.
    const slowStart = !this.throttledYet && this.current < this.cap / 2;
    if (++this.successes >= (slowStart ? 1 : this.successesPerIncrease)) {
      this.successes = 0;
      this.current = Math.min(this.cap, this.current + 1);
      this.admitWaiting();
    }
  }

  /** `ticket`: the admission number of the throttled request (later admissions have higher ones). */
  throttled(ticket: number, retryAfterMs?: number): void {
    this.successes = 0;
    this.throttledYet = true;
    // New requests wait too: the throttled ones, retried when the service said, go first.
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
    }
    if (ticket > this.admittedAtLastHalving && this.succeededSinceHalving) {
      this.succeededSinceHalving = false;
      this.current = Math.max(1, Math.floor(this.current / 2));
      this.admittedAtLastHalving = this.admitted;
    }
  }

  /** Lets waiting requests in, in arrival order, while the limit allows and no pause holds. */
  private admitWaiting(): void {
    const pause = this.pausedUntil - this.now();
    if (pause > 0) {
      if (this.waiting.length > 0 && !this.pauseTimer) {
        this.pauseTimer = setTimeout(() => {
          this.pauseTimer = undefined;
          this.admitWaiting();
        }, pause);
      }
      return;
    }
    while (this.active < this.current && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!(++this.admitted);
    }
  }
}
