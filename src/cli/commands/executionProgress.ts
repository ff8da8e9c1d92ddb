import type { ExecutionEvent, OperationView } from '../../core/execute';
import { terminalSafe, type CliIO } from '../cliSupport';

// What `execute` prints while it runs, shared with `execute --until-balanced`.

/** `0001_x: delete 0001_x_3.jpg` or `0001_x: generate photo_ferry_deck -> 0001_x_9.jpg` (the name once saved). */
export function describe(operation: OperationView): string {
  if (operation.kind === 'delete') {
    return `${operation.actorId}: delete ${operation.filename}`;
  }
  return `${operation.actorId}: generate ${operation.promptId}${operation.filename ? ` -> ${operation.filename}` : ''}`;
}

export function outcome(operation: OperationView): string {
  switch (operation.state) {
    case 'failed':
      return `failed (${operation.failureReason ?? 'error'}): ${operation.error ?? ''}`.trimEnd();
    case 'skipped':
      return `skipped: ${operation.skipReason ?? ''}`.trimEnd();
    default:
      return operation.warning ? `${operation.state}, warning: ${operation.warning}` : operation.state;
  }
}

/**
 * Progress while executing. On a terminal: one stderr line rewritten with \r (done/total, in flight,
 * the current operation or status). Elsewhere: a plain line per finished operation.
 */
export class ProgressReporter {
  private done = 0;
  private total = 0;
  private readonly inFlight = new Map<string, OperationView>();
  private current = '';
  private drawn = false;

  constructor(
    private readonly io: CliIO,
    private readonly write: ((text: string) => void) | undefined,
    private readonly columns: number,
  ) {}

  readonly onEvent = (event: ExecutionEvent): void => {
    switch (event.type) {
      case 'run-started':
        this.total = event.total;
        this.done = event.done;
        this.line(`${event.resumed ? 'resuming' : 'starting'} run ${event.runId}: ${event.done}/${event.total} done`);
        break;
      case 'operation-started':
        this.inFlight.set(event.operation.id, event.operation);
        this.current = describe(event.operation);
        break;
      case 'operation-finished':
        this.inFlight.delete(event.operation.id);
        this.done = event.done;
        this.total = event.total;
        if (!this.write || event.operation.state !== 'done') {
          this.line(`${describe(event.operation)}: ${outcome(event.operation)}`);
        }
        break;
      case 'actor-skipped':
        this.line(`${event.actorId}: skipped, ${event.reason}`);
        break;
      case 'status':
        this.current = event.message;
        // In a log, the run's own notices and retries matter; routine steps ("processing") are noise.
        if (!this.write && (!/^\S+: /.test(event.message) || /retr/i.test(event.message))) {
          this.line(`  ${event.message}`);
        }
        break;
    }
    this.redraw();
  };

  /** Clears the bar before the summary is printed. */
  finish(): void {
    if (this.write && this.drawn) {
      this.write('\r\x1b[K');
      this.drawn = false;
    }
  }

  /** A line that stays: on a terminal it goes above the bar. */
  private line(text: string): void {
    this.finish();
    this.io.stderr(text);
  }

  private redraw(): void {
    if (!this.write || this.total === 0) {
      return;
    }
    const width = 20;
    const filled = Math.round((this.done / this.total) * width);
    const bar = terminalSafe(
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total}  in flight ${this.inFlight.size}  ${this.current}`,
    );
    this.write(`\r${bar.slice(0, Math.max(10, this.columns - 1))}\x1b[K`);
    this.drawn = true;
  }
}

/** A terminal's raw stderr, for the rewritten progress line (CliIO.stderr always ends a line). */
export function terminalWriter(io: CliIO): ((text: string) => void) | undefined {
  const custom = (io as CliIO & { stderrWrite?: (text: string) => void }).stderrWrite;
  return custom ?? (io.isTTY ? (text: string) => process.stderr.write(text) : undefined);
}
