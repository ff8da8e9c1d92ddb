import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBatches } from './openaiBatches';

/**
 * A local stand-in for OpenAI's chat completions API (POST /v1/chat/completions), for tests
 * that run the real `openai` SDK. Answers are scripted in order (`script(...)`); when the script
 * is empty the server answers with a valid structured-output answer for every tile the prompt
 * announces ("numbered 1 to N"), using `defaultTile` for each. Every request is recorded with its
 * parsed JSON body and headers.
 */

export const FAKE_OPENAI_KEY = 'sk-fake.test.key.for.local.server';

export interface TileAnswer {
  tile: number;
  category: 'photorealistic' | 'bw_stylized' | 'color_stylized' | 'unknown';
  quality: number;
  issues: string[];
  keep: boolean;
  reason: string;
  /** Required by the strict schema; left out to test an answer of an older schema. */
  caption?: string;
}

export type ScriptedAnswer =
  /** A valid completion whose content is JSON.stringify(answer) (or the default tiles when omitted). */
  | { kind: 'answer'; answer?: { images: TileAnswer[] } | ((request: RecordedChatRequest) => { images: TileAnswer[] }); usage?: Usage }
  /** A completion whose message carries a refusal and no content. */
  | { kind: 'refusal'; refusal?: string }
  /** A completion whose content is this text (e.g. broken JSON). */
  | { kind: 'content'; content: string; finishReason?: string }
  /** An HTTP error with OpenAI's error body (`code`: e.g. insufficient_quota; `type`: default by status). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string; code?: string; type?: string }
  /** No answer for `ms` milliseconds, then the default answer (for client timeouts). */
  | { kind: 'slow'; ms: number };

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface RecordedChatRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** Every image_url in the messages, in order. */
  imageUrls: string[];
  /** The concatenated text parts. */
  text: string;
}

/** One answer: its HTTP status, JSON payload and headers. */
export interface ChatAnswer {
  status: number;
  payload: unknown;
  headers?: Record<string, string>;
}

export function notFound(method: string | undefined, url: string | undefined): unknown {
  return { error: { message: `no route ${method} ${url}`, type: 'invalid_request_error', code: null, param: null } };
}

export const DEFAULT_USAGE: Usage = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 };

export class FakeOpenAIServer {
  readonly requests: RecordedChatRequest[] = [];
  /** The files and batches endpoints (their state, and how batches behave). */
  readonly batches = new FakeBatches();
  #script: ScriptedAnswer[] = [];
  #server: http.Server | undefined;
  baseURL = '';
  defaultTile: (tile: number) => Omit<TileAnswer, 'tile'> = () => ({
    category: 'photorealistic',
    quality: 8,
    issues: [],
    keep: true,
    reason: 'fine',
    caption: 'A photo of the person.',
  });

  constructor(readonly key: string = FAKE_OPENAI_KEY) {}

  /** Answers for the next requests, in order. */
  script(...answers: ScriptedAnswer[]): this {
    this.#script.push(...answers);
    return this;
  }

  async start(): Promise<string> {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.baseURL = `http://127.0.0.1:${port}/v1`;
    return this.baseURL;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${this.key}`) {
      send(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
      return;
    }
    if (req.url?.startsWith('/v1/files') || req.url?.startsWith('/v1/batches')) {
      const answer = this.batches.handle(req.method ?? '', req.url, req.headers, raw, (body) =>
        this.answer(body, { method: 'POST', url: '/v1/chat/completions', headers: {} }),
      );
      send(answer.status, answer.payload, answer.headers);
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
      send(404, notFound(req.method, req.url));
      return;
    }
    let body: any;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    const next = this.#script[0];
    const answer = this.answer(body, { method: req.method ?? '', url: req.url, headers: req.headers });
    if (next?.kind === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, next.ms));
    }
    if (!res.destroyed) {
      send(answer.status, answer.payload, answer.headers);
    }
  }

  /**
   * The answer to one chat completion request (recorded), from the script or the default: the
   * HTTP route sends it, and a batch writes it into its output or error file.
   */
  answer(body: any, request: Pick<RecordedChatRequest, 'method' | 'url' | 'headers'>): ChatAnswer {
    const parts: { type: string; text?: string; image_url?: { url: string } }[] = (body?.messages ?? []).flatMap((m: { content: unknown }) =>
      Array.isArray(m.content) ? m.content : [{ type: 'text', text: String(m.content) }],
    );
    const recorded: RecordedChatRequest = {
      ...request,
      body,
      imageUrls: parts.filter((p) => p.type === 'image_url').map((p) => p.image_url!.url),
      text: parts
        .filter((p) => p.type === 'text')
        .map((p) => p.text)
        .join('\n'),
    };
    this.requests.push(recorded);
    const next: ScriptedAnswer = this.#script.shift() ?? { kind: 'answer' };
    const completion = (message: Record<string, unknown>, finishReason = 'stop', usage: Usage = DEFAULT_USAGE) => ({
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body?.model,
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, ...message }, logprobs: null, finish_reason: finishReason }],
      usage,
    });
    switch (next.kind) {
      case 'status':
        return {
          status: next.status,
          payload: {
            error: {
              message: next.message ?? `scripted HTTP ${next.status}`,
              type: next.type ?? (next.status === 429 ? 'rate_limit_exceeded' : 'server_error'),
              code: next.code ?? null,
              param: null,
            },
          },
          headers: next.headers,
        };
      case 'slow':
        return { status: 200, payload: completion({ content: JSON.stringify(this.defaultAnswer(recorded)) }) };
      case 'refusal':
        return { status: 200, payload: completion({ refusal: next.refusal ?? "I'm sorry, I can't help with that." }) };
      case 'content':
        return { status: 200, payload: completion({ content: next.content }, next.finishReason) };
      case 'answer': {
        const answer = typeof next.answer === 'function' ? next.answer(recorded) : (next.answer ?? this.defaultAnswer(recorded));
        return { status: 200, payload: completion({ content: JSON.stringify(answer) }, 'stop', next.usage) };
      }
    }
  }

  /** One default tile answer for every tile the prompt announces. */
  defaultAnswer(request: RecordedChatRequest): { images: TileAnswer[] } {
    const count = tileCount(request);
    return { images: Array.from({ length: count }, (_, i) => ({ tile: i + 1, ...this.defaultTile(i + 1) })) };
  }
}

/** The N of "numbered 1 to N" in the request's prompt (0 when absent). */
export function tileCount(request: RecordedChatRequest): number {
  const match = /numbered 1 to (\d+)/.exec(request.text);
  return match ? Number(match[1]) : 0;
}
