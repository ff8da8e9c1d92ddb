// The messages every panel shares, seen from both sides (host and browser). No `vscode` import and
// no DOM types here: the extension bundle and the webview bundles both compile this file.

/**
 * The requests a panel's UI may make, by method: what it sends and what the reply carries.
 * A panel declares its own map, e.g. `{ openImage: { params: {...}; result: null } }`.
 */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;

/** UI -> host: the script has run and listens; the host answers with the panel's state. */
export interface ReadyMessage {
  type: 'ready';
}

/** UI -> host: a request that expects one reply with the same id. */
export interface RequestMessage<R extends RequestMap = RequestMap, M extends keyof R & string = keyof R & string> {
  type: 'request';
  id: number;
  method: M;
  params: R[M]['params'];
}

/** Host -> UI: the answer to the request with this id. `message` says what went wrong, for people. */
export type ReplyMessage<T = unknown> = { type: 'reply'; id: number; ok: true; result: T } | { type: 'reply'; id: number; ok: false; message: string };

/**
 * UI -> host: something the page saw that the host should log, e.g. a Content Security Policy
 * violation (a sign that someone tried to inject markup, or that the policy is wrong).
 */
export interface DiagnosticMessage {
  type: 'diagnostic';
  kind: 'csp' | 'error';
  message: string;
}

/** What every UI may send besides its panel's own messages. */
export type BaseUiMessage<R extends RequestMap> = ReadyMessage | DiagnosticMessage | { [M in keyof R & string]: RequestMessage<R, M> }[keyof R & string];

/** A message's outer shape: an object with a string `type`. Everything else is checked per type. */
export function isMessage(value: unknown): value is { type: string } & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}
