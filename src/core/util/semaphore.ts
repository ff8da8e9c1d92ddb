/** At most `limit` tasks at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`a semaphore needs a limit of at least 1, not ${limit}`);
    }
  }

  get inFlight(): number {
    return this.active;
  }

  /** Runs `task` in a slot; the task may give its slot up early by calling `release` (idempotent). */
  async run<T>(task: (release: () => void) => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    const release = () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.waiting.shift();
      if (next) {
        next(); // the slot passes straight to the next task
      } else {
        this.active--;
      }
    };
    try {
      return await task(release);
    } finally {
      release();
    }
  }
}
