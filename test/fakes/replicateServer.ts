import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../src/core/util/seededRandom';
import { SlidingWindowLimit } from './slidingWindowLimit';

/**
 * A local stand-in for Replicate's HTTP API, as the `replicate` SDK uses it, for tests that run
 * the real SDK: POST /v1/models/{owner}/{name}/predictions (and /v1/predictions with a version),
 * GET /v1/predictions/{id}, POST /v1/predictions/{id}/cancel, and the outputs at GET /files/{id}.jpg
 * (no auth there, like replicate.delivery). Bodies are shaped like Replicate's.
 *
 * A prediction goes starting -> processing -> succeeded | failed, one step per status poll (so
 * tests never depend on time), or finishes inside the create answer when the request asked
 * `Prefer: wait` and its plan says `syncComplete`. Its output is the input image it was given,
 * decoded from the data URI, so a test can prove the input went through.
 *
 * A rate limit on creations (`rateLimit`: at most N in any sliding window, else 429 with
 * Retry-After, as Replicate's 600 a minute) and a model latency (`latencyMs`: an accepted create
 * is answered that much later, finished when it asked `Prefer: wait`) make it a throughput target.
 *
 * Faults are scripted per route kind (`fail('create', { status: 429, headers: { 'retry-after': '3' } })`)
 * or drawn at random with a seeded generator (`randomFaults`). Every request is recorded.
 */

export const FAKE_REPLICATE_TOKEN = 'r8_fake.test.token.for.local.server';
/** Replicate's wording for a prediction its safety filter stopped. */
export const E005_ERROR = 'The input or output was flagged as sensitive. Please try again with different inputs. (E005)';

export type RouteKind = 'create' | 'get' | 'cancel' | 'file' | 'other';

export type Fault =
  /** Answer with this status; the body defaults to Replicate's for that status. */
  | { status: number; headers?: Record<string, string>; body?: unknown | ((request: RecordedRequest) => unknown) }
  /** Answer normally, this much later. */
  | { delayMs: number }
  /** Hold the request until releaseHeld() (or close()), then answer normally. */
  | { hang: true }
  /** Drop the connection without an answer (the client sees ECONNRESET / "other side closed"). */
  | { reset: true };

export interface PredictionPlan {
  /** Status polls answered "processing" before the outcome; Infinity never finishes. Default 1. */
  processingPolls?: number;
  /** Default succeeded. */
  outcome?: 'succeeded' | 'failed';
  /** The failed prediction's `error`. Default a generic model failure. */
  error?: string;
  /** Finish inside the create answer when it asked `Prefer: wait`. Default false (answer "starting" at once). */
  syncComplete?: boolean;
  /** What GET /files/{id}.jpg serves: the input image (default), HTML, a 404, or no output at all. */
  output?: 'input-image' | 'not-an-image' | 'missing' | 'none';
}

export interface RandomFaults {
  /** Chance in [0, 1] that a request of a listed kind gets a fault. */
  rate: number;
  seed?: number;
  /** Default: 429 (Retry-After 0), 500, 503, connection reset. */
  faults?: Fault[];
  /** Default create and get. */
  on?: RouteKind[];
}

export interface FakeReplicateOptions {
  token?: string;
  /** The plan of every prediction not given one by nextPrediction(). */
  plan?: PredictionPlan;
  randomFaults?: RandomFaults;
  /** At most `creations` accepted creations in any `windowMs`; more are answered 429 with Retry-After (whole seconds, as Replicate). */
  rateLimit?: { creations: number; windowMs: number };
  /** How long an accepted creation takes: answered this much later, finished if it asked `Prefer: wait`. */
  latencyMs?: number;
}

export interface RecordedRequest {
  seq: number;
  kind: RouteKind;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, when there was one. */
  body?: any;
  predictionId?: string;
  /** The fault it got, scripted or random. */
  fault?: Fault;
}

export interface FakePrediction {
  id: string;
  model: string;
  input: Record<string, unknown>;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  error: string | null;
  output: string | null;
  polls: number;
  plan: PredictionPlan;
  createdAt: string;
  completedAt?: string;
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);
const DEFAULT_RANDOM_FAULTS: Fault[] = [{ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }, { status: 503 }, { reset: true }];

export class FakeReplicateServer {
  readonly requests: RecordedRequest[] = [];
  readonly predictions = new Map<string, FakePrediction>();
  readonly stats = { inFlightPredictions: 0, maxInFlightPredictions: 0, inFlightRequests: 0, maxInFlightRequests: 0, faultsInjected: 0, throttled: 0 };
  /** Every accepted creation's time (`admitted`); without a rate limit, an unlimited one. */
  readonly rateLimit: SlidingWindowLimit;
  readonly token: string;
  defaultPlan: PredictionPlan;
  private randomFaults?: RandomFaults;
  private random: () => number = Math.random;
  private readonly scripted: { on: RouteKind; fault: Fault; remaining: number }[] = [];
  private readonly plans: PredictionPlan[] = [];
  private held: (() => void)[] = [];
  private waiters: { predicate: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }[] = [];
  private nextId = 1;
  private origin = '';
  private readonly latencyMs: number;

  private constructor(
    private readonly server: http.Server,
    options: FakeReplicateOptions,
  ) {
    this.token = options.token ?? FAKE_REPLICATE_TOKEN;
    this.defaultPlan = options.latencyMs ? { syncComplete: true, ...options.plan } : (options.plan ?? {});
    this.rateLimit = new SlidingWindowLimit(options.rateLimit?.creations ?? Infinity, options.rateLimit?.windowMs ?? 0);
    this.latencyMs = options.latencyMs ?? 0;
    this.setRandomFaults(options.randomFaults);
  }

  static async start(options: FakeReplicateOptions = {}): Promise<FakeReplicateServer> {
    const server = http.createServer();
    const fake = new FakeReplicateServer(server, options);
    server.on('request', (request, response) => void fake.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The SDK's `baseUrl`. */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** The next created predictions follow these plans, in order; the rest follow the default plan. */
  nextPrediction(...plans: PredictionPlan[]): this {
    this.plans.push(...plans);
    return this;
  }

  /** The next `times` requests of this kind get `fault` (Infinity: all of them). Scripted faults apply in order. */
  fail(on: RouteKind, fault: Fault, times = 1): this {
    this.scripted.push({ on, fault, remaining: times });
    return this;
  }

  setRandomFaults(randomFaults: RandomFaults | undefined): void {
    this.randomFaults = randomFaults;
    this.random = randomFaults ? mulberry32(randomFaults.seed ?? 1) : Math.random;
  }

  /** Lets every held ("hang") request go on. */
  releaseHeld(): void {
    const held = this.held;
    this.held = [];
    held.forEach((release) => release());
  }

  /** The first request (already received or still to come) that matches. */
  waitFor(predicate: (request: RecordedRequest) => boolean): Promise<RecordedRequest> {
    const seen = this.requests.find(predicate);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  requestsOf(kind: RouteKind): RecordedRequest[] {
    return this.requests.filter((request) => request.kind === kind);
  }

  /** Ids of the predictions whose cancel endpoint was called. */
  cancelledIds(): string[] {
    return this.requestsOf('cancel').map((request) => request.predictionId!);
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.stats.inFlightRequests++;
    this.stats.maxInFlightRequests = Math.max(this.stats.maxInFlightRequests, this.stats.inFlightRequests);
    response.on('close', () => this.stats.inFlightRequests--);
    const text = await readBody(request);
    const path = new URL(request.url ?? '/', this.origin).pathname;
    const [kind, predictionId] = routeOf(request.method ?? 'GET', path);
    const record: RecordedRequest = { seq: this.requests.length + 1, kind, method: request.method ?? 'GET', path, headers: request.headers, predictionId };
    try {
      record.body = text ? JSON.parse(text) : undefined;
    } catch {
      record.body = text;
    }
    record.fault = this.takeFault(kind);
    this.requests.push(record);
    this.waiters = this.waiters.filter((waiter) => (waiter.predicate(record) ? (waiter.resolve(record), false) : true));

    const fault = record.fault;
    if (fault && 'reset' in fault) {
      request.socket.destroy();
      return;
    }
    if (fault && 'hang' in fault) {
      await new Promise<void>((resolve) => this.held.push(resolve));
    }
    if (fault && 'delayMs' in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    if (fault && 'status' in fault) {
      const body = typeof fault.body === 'function' ? fault.body(record) : (fault.body ?? replicateErrorBody(fault.status));
      send(response, fault.status, body, fault.headers);
      return;
    }
    if (kind !== 'file' && request.headers.authorization !== `Bearer ${this.token}`) {
      send(response, 401, replicateErrorBody(401));
      return;
    }
    if (kind === 'create') {
      const retryAfterMs = this.rateLimit.take();
      if (retryAfterMs !== undefined) {
        this.stats.throttled++;
        send(response, 429, replicateErrorBody(429), { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) });
        return;
      }
      // The model's time: counted as a prediction in flight.
      this.stats.maxInFlightPredictions = Math.max(this.stats.maxInFlightPredictions, ++this.stats.inFlightPredictions);
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      this.stats.inFlightPredictions--;
    }
    this.answer(record, response);
  }

  private answer(record: RecordedRequest, response: http.ServerResponse): void {
    if (record.kind === 'create') {
      const input = record.body?.input;
      if (!input || typeof input !== 'object' || typeof input.prompt !== 'string') {
        send(response, 422, { title: 'Input validation failed', detail: '- input: prompt is required', status: 422 });
        return;
      }
      const prediction = this.createPrediction(record);
      record.predictionId = prediction.id;
      if (/\bwait\b/.test(String(record.headers.prefer ?? '')) && prediction.plan.syncComplete) {
        this.finish(prediction);
      }
      send(response, 201, this.json(prediction));
      return;
    }
    const prediction = record.predictionId ? this.predictions.get(record.predictionId) : undefined;
    if (!prediction) {
      send(response, 404, replicateErrorBody(404));
      return;
    }
    if (record.kind === 'get') {
      if (!TERMINAL.has(prediction.status)) {
        if (prediction.polls < (prediction.plan.processingPolls ?? 1)) {
          prediction.status = 'processing';
          prediction.polls++;
        } else {
          this.finish(prediction);
        }
      }
      send(response, 200, this.json(prediction));
    } else if (record.kind === 'cancel') {
      if (!TERMINAL.has(prediction.status)) {
        this.settle(prediction, 'canceled');
      }
      send(response, 200, this.json(prediction));
    } else {
      this.serveOutput(prediction, response);
    }
  }

  private createPrediction(record: RecordedRequest): FakePrediction {
    const id = `fake${String(this.nextId++).padStart(4, '0')}`;
    const model = record.path.match(/^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/)?.[1] ?? `version:${record.body?.version}`;
    const prediction: FakePrediction = {
      id,
      model,
      input: record.body.input,
      status: 'starting',
      error: null,
      output: null,
      polls: 0,
      plan: this.plans.shift() ?? this.defaultPlan,
      createdAt: new Date().toISOString(),
    };
    this.predictions.set(id, prediction);
    this.stats.inFlightPredictions++;
    this.stats.maxInFlightPredictions = Math.max(this.stats.maxInFlightPredictions, this.stats.inFlightPredictions);
    return prediction;
  }

  private finish(prediction: FakePrediction): void {
    if (prediction.plan.outcome === 'failed') {
      prediction.error = prediction.plan.error ?? 'Prediction failed: the model raised an exception.';
      this.settle(prediction, 'failed');
    } else {
      prediction.output = prediction.plan.output === 'none' ? null : `${this.origin}/files/${prediction.id}.jpg`;
      this.settle(prediction, 'succeeded');
    }
  }

  private settle(prediction: FakePrediction, status: 'succeeded' | 'failed' | 'canceled'): void {
    prediction.status = status;
    prediction.completedAt = new Date().toISOString();
    this.stats.inFlightPredictions--;
  }

  private serveOutput(prediction: FakePrediction, response: http.ServerResponse): void {
    const output = prediction.plan.output ?? 'input-image';
    if (prediction.status !== 'succeeded' || output === 'missing' || output === 'none') {
      send(response, 404, 'Not Found', { 'content-type': 'text/plain' });
      return;
    }
    if (output === 'not-an-image') {
      send(response, 200, '<html><body>Access denied</body></html>', { 'content-type': 'text/html' });
      return;
    }
    const match = /^data:([^;,]+)[^,]*;base64,(.*)$/s.exec(String(prediction.input.input_image ?? ''));
    if (!match) {
      send(response, 404, 'no input image to echo', { 'content-type': 'text/plain' });
      return;
    }
    send(response, 200, Buffer.from(match[2], 'base64'), { 'content-type': match[1] });
  }

  private json(prediction: FakePrediction): object {
    const url = `${this.baseUrl}/predictions/${prediction.id}`;
    const done = TERMINAL.has(prediction.status);
    return {
      id: prediction.id,
      model: prediction.model,
      version: 'hidden',
      input: prediction.input,
      logs: '',
      output: prediction.output,
      data_removed: false,
      error: prediction.error,
      source: 'api',
      status: prediction.status,
      created_at: prediction.createdAt,
      started_at: prediction.status === 'starting' ? null : prediction.createdAt,
      completed_at: prediction.completedAt ?? null,
      urls: { cancel: `${url}/cancel`, get: url, web: `https://replicate.com/p/${prediction.id}` },
      metrics: done ? { predict_time: 0.01, total_time: 0.02 } : {},
    };
  }

  private takeFault(kind: RouteKind): Fault | undefined {
    const scripted = this.scripted.find((entry) => entry.on === kind && entry.remaining > 0);
    if (scripted) {
      scripted.remaining--;
      this.stats.faultsInjected++;
      return scripted.fault;
    }
    const random = this.randomFaults;
    if (random && (random.on ?? ['create', 'get']).includes(kind) && this.random() < random.rate) {
      const faults = random.faults ?? DEFAULT_RANDOM_FAULTS;
      this.stats.faultsInjected++;
      return faults[Math.floor(this.random() * faults.length)];
    }
    return undefined;
  }
}

/** Replicate's problem-details bodies for the statuses tests script. */
export function replicateErrorBody(status: number): object {
  switch (status) {
    case 401:
      return { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status };
    case 402:
      return {
        title: 'Insufficient credit',
        detail:
          'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.',
        status,
      };
    case 404:
      return { title: 'Not found', detail: 'Not found.', status };
    case 422:
      return {
        title: 'Input validation failed',
        detail: '- input.aspect_ratio: aspect_ratio must be one of the following: "match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4"',
        status,
        invalid_fields: [
          {
            type: 'enum',
            field: 'input.aspect_ratio',
            description: 'aspect_ratio must be one of the following: "match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4"',
          },
        ],
      };
    case 429:
      return { title: 'Request was throttled', detail: 'Request was throttled. Expected available in 1 second.', status };
    default:
      return status >= 500
        ? { title: 'Internal server error', detail: 'Internal server error', status }
        : { title: `HTTP ${status}`, detail: `HTTP ${status}`, status };
  }
}

function routeOf(method: string, path: string): [RouteKind, string?] {
  if (method === 'POST' && (/^\/v1\/models\/[^/]+\/[^/]+\/predictions$/.test(path) || path === '/v1/predictions')) {
    return ['create'];
  }
  let match = /^\/v1\/predictions\/([^/]+)$/.exec(path);
  if (method === 'GET' && match) {
    return ['get', match[1]];
  }
  match = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(path);
  if (method === 'POST' && match) {
    return ['cancel', match[1]];
  }
  match = /^\/files\/([^/]+)\.jpg$/.exec(path);
  return method === 'GET' && match ? ['file', match[1]] : ['other'];
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) {
    return;
  }
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const type = Buffer.isBuffer(body) || typeof body === 'string' ? 'application/octet-stream' : 'application/json';
  response.writeHead(status, { 'content-type': type, ...headers, 'content-length': String(bytes.length) });
  response.end(bytes);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(''));
  });
}
