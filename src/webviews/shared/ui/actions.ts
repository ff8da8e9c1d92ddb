// One page action at a time (a click while one runs is ignored), with what runs and what failed
// said in a status line: shared by the panels whose buttons ask the host for work.

export class OneActionAtATime {
  /** The action running, if any. */
  pending: string | undefined;

  /** `onChange` runs when an action starts and ends (to enable and disable buttons). */
  constructor(
    private readonly status: HTMLElement,
    private readonly onChange: () => void,
  ) {}

  run(what: string, action: () => Promise<unknown>): void {
    if (this.pending) {
      return;
    }
    this.pending = what;
    this.status.textContent = `${what}…`;
    this.onChange();
    action()
      .then(() => {
        if (this.status.textContent === `${what}…`) {
          this.status.textContent = '';
        }
      })
      .catch((error: Error) => {
        this.status.textContent = `${what} failed: ${error.message}`;
      })
      .finally(() => {
        this.pending = undefined;
        this.onChange();
      });
  }
}
