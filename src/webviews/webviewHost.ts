import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { createNonce, renderPage } from './html';
import { DiagnosticMessage, isMessage, ReplyMessage, RequestMap } from './webviewProtocol';

/** Where the webview bundles, their CSS and the codicons live: the only folder a webview may load from. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
}

/** Options every panel's webview gets: scripts on, resources from dist/webviews only, no command links. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

/** Options a panel is created with: its page is dropped while hidden and rebuilt from the host's state. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { ...webviewOptions(extensionUri), retainContextWhenHidden: false, enableFindWidget: false };
}

/**
 * Restores panels of `viewType` after a window reload: VS Code hands over the new panel and what
 * the page last stored with vscode.setState (undefined when it stored nothing). `revive` builds
 * the panel's host on it. Needs `onWebviewPanel:<viewType>` in package.json activationEvents.
 */
export function registerPanelSerializer(viewType: string, revive: (panel: vscode.WebviewPanel, state: Record<string, unknown>) => void): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
      revive(panel, typeof state === 'object' && state !== null && !Array.isArray(state) ? (state as Record<string, unknown>) : {});
    },
  });
}

/**
 * The panel seen from the protocol boundary, for the integration tests: deliver a message as if
 * the page had posted it, and read what the host posted. The real page runs meanwhile.
 */
export interface WebviewProbe<H extends { type: string }, U extends { type: string }> {
  readonly viewType: string;
  /** True once the real page's script posted `ready` (so it ran under the CSP). */
  readonly uiReady: boolean;
  /** Every message the host posted since the probe was first read, in order. */
  readonly posted: readonly H[];
  /** What the page reported: CSP violations and uncaught errors. */
  readonly diagnostics: readonly DiagnosticMessage[];
  /** The HTML of the last render (to check the CSP and resource URIs). */
  readonly html: string;
  /** The folders the page may load files from (file system paths). */
  readonly resourceRoots: readonly string[];
  /** Handles `message` as if the page had posted it; resolves when the host is done with it. */
  receive(message: U): Promise<void>;
  /** The first message posted at index `from` or later that matches (waits for it). */
  waitFor<T extends H>(predicate: (message: H) => message is T, options?: { from?: number; timeoutMs?: number }): Promise<T>;
  waitFor(predicate: (message: H) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<H>;
  /** Closes the panel. */
  close(): void;
}

export interface WebviewHostOptions {
  /** The panel's folder under src/webviews: dist/webviews/<bundle>.js and .css are its page. */
  bundle: string;
  title: string;
  logger?: Logger;
}

/** Page reports kept for the probe (they are logged as well). */
const MAX_DIAGNOSTICS = 100;

type RequestHandlers<R extends RequestMap> = { [M in keyof R]: (params: R[M]['params']) => Promise<R[M]['result']> };

/**
 * Base of every panel: owns the WebviewPanel, renders its page with a strict CSP and a fresh
 * nonce, runs the ready handshake (the page says `ready`, the host answers with its state, also
 * after the page was rebuilt because the panel was hidden), answers the page's requests by id,
 * and disposes everything when the panel closes.
 *
 * H: messages the host posts; U: the panel's own messages from the page; R: its requests.
 */
export abstract class WebviewHost<H extends { type: string }, U extends { type: string }, R extends RequestMap> implements vscode.Disposable {
  /** Set by activate() only in ExtensionMode.Test: the probe is for tests, not part of the product. */
  private static probesEnabled = false;

  static enableProbes(): void {
    WebviewHost.probesEnabled = true;
  }

  protected readonly disposables: vscode.Disposable[] = [];
  protected readonly logger?: Logger;
  /** What the host posted, kept only once `probe` was read (tests), so panels cost nothing otherwise. */
  private readonly postedLog: H[] = [];
  private recording = false;
  private readonly diagnosticsLog: DiagnosticMessage[] = [];
  private readonly postListeners = new Set<() => void>();
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when the panel closed and everything was released. */
  readonly onDidDispose = this.disposedEmitter.event;
  private uiReady = false;
  private html = '';
  private disposed = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly extensionUri: vscode.Uri,
    private readonly options: WebviewHostOptions,
  ) {
    this.logger = options.logger;
    // Also for a panel VS Code restored after a reload: its options come from the serialized state.
    panel.webview.options = webviewOptions(extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        // Hidden, the page is thrown away (retainContextWhenHidden is off); shown again, it is
        // rebuilt and says `ready` again.
        if (!webviewPanel.visible) {
          this.uiReady = false;
        }
      }),
    );
  }

  /** Posts the panel's state; called for every `ready`. */
  protected abstract onReady(): Promise<void>;

  /** Handles one of the panel's own messages (already checked to be an object with a `type`). */
  protected abstract onMessage(message: U): Promise<void>;

  /** The panel's request handlers, by method. */
  protected abstract readonly requests: RequestHandlers<R>;

  /** Called when the panel closes, before the disposables are released. */
  protected onDispose(): void {}

  private stateVersion = 0;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  /** The state built while the page loads, for its `ready`; dropped by any change before that. */
  private prepared: Promise<H> | undefined;

  /** The panel's whole state as one message: sent when the page is ready and after changes. */
  protected abstract buildState(): Promise<H>;

  /** Sends the state soon, folding a burst of changes (files, settings, trust) into one message. */
  protected scheduleState(delayMs = 100): void {
    this.prepared = undefined;
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      void this.sendState();
    }, delayMs);
  }

  /** Sends the state now; of overlapping calls, only the newest is posted. */
  protected async sendState(): Promise<void> {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (!this.isUiReady) {
      return; // the page asks with `ready` when it is (re)built
    }
    const version = ++this.stateVersion;
    const state = await (prepared ?? this.buildState());
    if (version === this.stateVersion && this.isUiReady) {
      await this.post(state);
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Writes the page: a fresh nonce each time, so an old nonce never unlocks a new page. */
  protected render(): void {
    this.uiReady = false; // the new page says `ready` when it runs
    const webview = this.panel.webview;
    const nonce = createNonce();
    const root = webviewRoot(this.extensionUri);
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
    const bundle = this.options.bundle;
    this.html = renderPage({
      cspSource: webview.cspSource,
      nonce,
      title: this.options.title,
      stylesheets: [{ href: asset('codicons/codicon.css'), id: 'vscode-codicon-stylesheet' }, { href: asset(`${bundle}.css`) }],
      script: asset(`${bundle}.js`),
    });
    webview.html = this.html;
    // The page takes a second to start; its first state is built meanwhile, not after its `ready`.
    this.prepared = this.buildState();
    this.prepared.catch(() => undefined); // a failure shows when the state is sent
  }

  /** Posts a message to the page (dropped, not queued, while the page is hidden: `ready` replays). */
  protected async post(message: H): Promise<boolean> {
    if (this.disposed) {
      return false;
    }
    if (this.recording) {
      this.postedLog.push(message);
      this.postListeners.forEach((listener) => listener());
    }
    try {
      return await this.panel.webview.postMessage(message);
    } catch (error) {
      this.logger?.warn(`${this.options.bundle} panel: posting ${message.type} failed: ${(error as Error).message}`);
      return false;
    }
  }

  /** Whether the page has said `ready` since it was last (re)built. */
  protected get isUiReady(): boolean {
    return this.uiReady && !this.disposed;
  }

  private async receive(raw: unknown): Promise<void> {
    if (this.disposed) {
      return;
    }
    if (!isMessage(raw)) {
      this.logger?.warn(`${this.options.bundle} panel: ignored a message without a type`);
      return;
    }
    try {
      switch (raw.type) {
        case 'ready':
          this.uiReady = true;
          await this.onReady();
          return;
        case 'request':
          await this.answer(raw);
          return;
        case 'diagnostic':
          this.diagnostic(raw);
          return;
        default:
          await this.onMessage(raw as unknown as U);
      }
    } catch (error) {
      this.logger?.error(error as Error);
    }
  }

  private async answer(raw: Record<string, unknown>): Promise<void> {
    const { id, method, params } = raw;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      this.logger?.warn(`${this.options.bundle} panel: ignored a request without a numeric id`);
      return;
    }
    const handlers = this.requests as Record<string, ((params: unknown) => Promise<unknown>) | undefined>;
    const handler = typeof method === 'string' && Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : undefined;
    let reply: ReplyMessage;
    if (!handler) {
      reply = { type: 'reply', id, ok: false, message: `unknown request ${JSON.stringify(method)}` };
    } else {
      try {
        reply = { type: 'reply', id, ok: true, result: (await handler(params)) ?? null };
      } catch (error) {
        reply = { type: 'reply', id, ok: false, message: (error as Error)?.message ?? String(error) };
      }
    }
    await this.post(reply as unknown as H);
  }

  private diagnostic(raw: Record<string, unknown>): void {
    const kind = raw.kind === 'csp' ? 'csp' : 'error';
    const message = String(raw.message ?? '').slice(0, 2000);
    if (this.diagnosticsLog.length < MAX_DIAGNOSTICS) {
      this.diagnosticsLog.push({ type: 'diagnostic', kind, message });
    }
    this.logger?.warn(`${this.options.bundle} panel: ${kind === 'csp' ? 'Content Security Policy violation' : 'page error'}: ${message}`);
  }

  /**
   * The protocol-boundary view of this panel, for tests. Reading it starts the record of posted
   * messages: read it right after opening the panel (before the page says `ready`).
   */
  get probe(): WebviewProbe<H, U> {
    if (!WebviewHost.probesEnabled) {
      throw new Error('webview probes exist only when the extension runs for tests (ExtensionMode.Test)');
    }
    this.recording = true;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the probe's getters read the live host
    const host = this;
    return {
      viewType: this.panel.viewType,
      get uiReady() {
        return host.uiReady;
      },
      get posted() {
        return host.postedLog;
      },
      get diagnostics() {
        return host.diagnosticsLog;
      },
      get html() {
        return host.html;
      },
      get resourceRoots() {
        return (host.panel.webview.options.localResourceRoots ?? []).map((root) => root.fsPath);
      },
      receive: (message: U) => this.receive(message),
      waitFor: ((predicate: (message: H) => boolean, options: { from?: number; timeoutMs?: number } = {}) =>
        this.waitForPosted(predicate, options.from ?? 0, options.timeoutMs ?? 30_000)) as WebviewProbe<H, U>['waitFor'],
      close: () => this.panel.dispose(),
    };
  }

  private waitForPosted(predicate: (message: H) => boolean, from: number, timeoutMs: number): Promise<H> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.postedLog.slice(from).find(predicate);
        if (found) {
          cleanup();
          resolve(found);
        }
        return found;
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.postedLog.slice(from).map((message) => message.type);
        reject(new Error(`${this.options.bundle} panel: no matching message within ${timeoutMs} ms (posted since: ${seen.join(', ') || 'nothing'})`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.postListeners.delete(check);
      };
      this.postListeners.add(check);
      check();
    });
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.uiReady = false;
    clearTimeout(this.stateTimer);
    try {
      this.onDispose();
    } finally {
      this.panel.dispose();
      for (const disposable of this.disposables.splice(0)) {
        disposable.dispose();
      }
      this.postListeners.clear();
      this.disposedEmitter.fire();
      this.disposedEmitter.dispose();
    }
  }
}
