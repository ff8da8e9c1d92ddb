/** At most `limit` events in any `windowMs`: a fake service's rate limit, as Replicate's 600 creations a minute. */
export class SlidingWindowLimit {
  /** When each admitted event happened (ms since the epoch), in order. */
  readonly admitted: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Admits an event now and returns undefined, or returns how long until one would be admitted. */
  take(now = Date.now()): number | undefined {
    const oldestInWindow = this.admitted[this.admitted.length - this.limit];
    if (oldestInWindow !== undefined && now - oldestInWindow < this.windowMs) {
      return oldestInWindow + this.windowMs - now;
    }
    this.admitted.push(now);
    return undefined;
  }
}
