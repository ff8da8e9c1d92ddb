// The page's side of webviewHost.ts: one VS Code API handle, typed messages both ways, requests
// with replies matched by id, the page state that survives reloads, and reports of CSP violations
// and uncaught errors to the host (which logs them).
import type { BaseUiMessage, ReplyMessage, RequestMap } from '../../webviewProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class RequestFailed extends Error {}

/**
 * H: messages the host posts (the bridge consumes `reply` itself); U: the page's own messages;
 * R: its requests; S: the state kept across reloads.
 */
export class Bridge<H extends { type: string }, U extends { type: string }, R extends RequestMap, S extends object> {
  private readonly vscode = acquireVsCodeApi();
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  constructor(onMessage: (message: H) => void) {
    window.addEventListener('message', (event: MessageEvent) => {
      const message = event.data as H | ReplyMessage | undefined;
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
        return;
      }
      if (message.type === 'reply') {
        this.settle(message as ReplyMessage);
        return;
      }
      onMessage(message as H);
    });
    document.addEventListener('securitypolicyviolation', (event) => {
      this.send({
        type: 'diagnostic',
        kind: 'csp',
        message: `${event.effectiveDirective} blocked ${event.blockedURI || 'inline content'}${event.sample ? ` (${event.sample})` : ''}`,
      });
    });
    window.addEventListener('error', (event) => {
      this.send({ type: 'diagnostic', kind: 'error', message: String(event.message || event.error) });
    });
    window.addEventListener('unhandledrejection', (event) => {
      this.send({ type: 'diagnostic', kind: 'error', message: String((event.reason as Error)?.message ?? event.reason) });
    });
  }

  /** Tells the host the page listens; it answers with its state. Call once the view is built. */
  ready(): void {
    this.send({ type: 'ready' });
  }

  post(message: U): void {
    this.vscode.postMessage(message);
  }

  /** Sends a request; resolves with the host's result or rejects with its message. */
  request<M extends keyof R & string>(method: M, params: R[M]['params']): Promise<R[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ type: 'request', id, method, params } as BaseUiMessage<R>);
    });
  }

  get state(): Partial<S> {
    const state = this.vscode.getState();
    return typeof state === 'object' && state !== null ? (state as Partial<S>) : {};
  }

  /** Merges `patch` into the stored state (VS Code keeps it while the panel lives and across reloads). */
  saveState(patch: Partial<S>): void {
    this.vscode.setState({ ...this.state, ...patch });
  }

  private send(message: BaseUiMessage<R>): void {
    this.vscode.postMessage(message);
  }

  private settle(reply: ReplyMessage): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) {
      return;
    }
    this.pending.delete(reply.id);
    if (reply.ok) {
      waiting.resolve(reply.result);
    } else {
      waiting.reject(new RequestFailed(reply.message));
    }
  }
}
