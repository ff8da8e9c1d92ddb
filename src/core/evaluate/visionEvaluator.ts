import { z } from 'zod';
import { markLoaded } from '../lazyModules';
import { CATEGORIES } from '../manifest/categories';
import { withRetries, type BackoffOptions, type RetryInfo, type Sleep } from '../util/retry';
import { classifyOpenAiError, VisionEvaluationError } from './openaiErrors';
import { shorten } from '../util/text';

export { VisionEvaluationError, type VisionErrorKind } from './openaiErrors';
import { buildCompositeGrid, encodeImageForVision, jpegDataUri, planGrids, type CompositeGridOptions, type GridTile } from './compositeGrid';
import { DEFAULT_VISION_MODEL, type EvaluationRequest, type Evaluator, type ImageEvaluation, type ImageIssue } from './types';
import { redactSecrets } from '../util/redact';
import { estimateCostUsd, estimateGridRequestTokens, type ModelPrice } from './visionCost';

export { estimateCostUsd, MODEL_PRICES, priceFor, type ModelPrice } from './visionCost';

export { DEFAULT_VISION_MODEL };

/**
 * The vision evaluator: numbered composite grids (at most 20 images each) plus the base image go
 * to an OpenAI chat model, which answers per tile through a strict JSON schema (structured
 * output). Answers are validated (every tile once, nothing else) and mapped back to filenames;
 * nothing is invented for an image the model did not answer for.
 *
 * The `openai` SDK is loaded on first use. Its own retries are off (maxRetries 0): withRetries
 * does the retrying, honouring Retry-After, so every attempt is counted once. The API key is
 * passed in by the caller and never appears in an error message.
 */

/** The issues a vision model may report (a subset of IMAGE_ISSUES). */
export const VISION_ISSUES = [
  'looking_at_camera',
  'symmetric_framing',
  'distortion',
  'identity_mismatch',
  'artifacts',
  'text_or_watermark',
  'low_resolution',
  'other',
] as const satisfies readonly ImageIssue[];

export interface VisionUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** An estimate from MODEL_PRICES (or the prices option); null when the model has no price. */
  estimatedCostUsd: number | null;
}

export interface VisionVerdict {
  filename: string;
  keep: boolean;
  reason: string;
  caption?: string;
}

export interface VisionEvaluationResult {
  evaluations: ImageEvaluation[];
  verdicts: VisionVerdict[];
  /** Usage of this call only. */
  usage: VisionUsage;
}

export interface VisionEvaluatorOptions {
  /** Passed in by the caller (SecretStorage, OPENAI_API_KEY); never read from files, never logged. */
  apiKey: string;
  /** Default gpt-4o. */
  model?: string;
  /** Another server speaking the API (a proxy; the tests use a local one). Default OpenAI's. */
  baseURL?: string;
  /** Attempts per request, the first one included. Default 4. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Injectable so tests record the waits instead of sleeping. */
  sleep?: Sleep;
  random?: () => number;
  /** A Retry-After longer than this is not waited out. Default 2 min (withRetries' default). */
  maxRetryAfterMs?: number;
  onRetry?: (info: RetryInfo) => void;
  /** Per-request timeout in ms. Default 120 s. */
  timeoutMs?: number;
  grid?: CompositeGridOptions;
  /** Longest edge of the base image as sent. Default 768. */
  baseImageMaxEdge?: number;
  /** 'low' | 'high' | 'auto' image detail. Default 'high'. */
  detail?: 'low' | 'high' | 'auto';
  prices?: Readonly<Record<string, ModelPrice>>;
}

/** The JSON schema the model must answer with (strict: every property required, no extras). */
export function answerJsonSchema(): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['images'],
    properties: {
      images: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['tile', 'category', 'quality', 'issues', 'keep', 'reason', 'caption'],
          properties: {
            tile: { type: 'integer', description: 'The number drawn on the tile.' },
            category: { type: 'string', enum: [...CATEGORIES] },
            quality: { type: 'integer', description: '1 (unusable) to 10 (excellent).' },
            issues: { type: 'array', items: { type: 'string', enum: [...VISION_ISSUES] } },
            keep: { type: 'boolean' },
            reason: { type: 'string', description: 'Why keep or delete, in one sentence.' },
            caption: { type: 'string', description: 'A training caption of what the image shows, the subject called "the person".' },
          },
        },
      },
    },
  };
}

export const RESPONSE_SCHEMA_NAME = 'training_image_evaluation';

const answerSchema = z.object({
  images: z.array(
    z.object({
      tile: z.number().int(),
      category: z.enum(CATEGORIES),
      quality: z.number().int().min(1).max(10),
      issues: z.array(z.enum(VISION_ISSUES)),
      keep: z.boolean(),
      reason: z.string(),
      // Required of the model (strict schema); an answer without it still counts, with no caption.
      caption: z.string().optional(),
    }),
  ),
});
type Answer = z.infer<typeof answerSchema>;

export function buildPrompt(tileCount: number, hasBase: boolean): string {
  return [
    'You review training images for an identity LoRA: every image should show the same person as the base image.',
    hasBase
      ? 'The first image is the BASE image (the identity reference). The second image is a grid of numbered training images.'
      : 'There is no base image; judge identity consistency across the tiles only. The image is a grid of numbered training images.',
    `The grid has ${tileCount} tiles numbered 1 to ${tileCount} (the number is in each tile's top-left corner). Answer once for every tile, by its number.`,
    'For each tile give:',
    '- category: "photorealistic" (a photograph or photorealistic film still), "bw_stylized" (a black-and-white illustration: ink, charcoal, manga),',
    '  "color_stylized" (a colour illustration: watercolour, digital painting, comic), or "unknown" when it cannot be told;',
    '- quality: an integer from 1 (unusable) to 10 (excellent) as LoRA training data;',
    '- issues, from this list only (empty when there are none): looking_at_camera (the person looks into the lens),',
    '  symmetric_framing (centred, symmetric composition), distortion (warped anatomy or face), identity_mismatch (not the',
    '  same person as the base image), artifacts (generation artefacts, noise, glitches), text_or_watermark, low_resolution, other;',
    '- keep: true to keep the image in the training set, false to delete it; reason: one short sentence why;',
    '- caption: one sentence describing the image for training (style, setting, framing, clothing, expression), the subject',
    '  called "the person", with no name and nothing about identity.',
  ].join('\n');
}

/** What the SDK client offers that we use (chat for requests; files and batches for the Batch API). */
export interface OpenAIClient {
  chat: { completions: { create(body: unknown, options?: { signal?: AbortSignal }): Promise<unknown> } };
  files: {
    create(body: { file: unknown; purpose: 'batch' }, options?: { signal?: AbortSignal }): Promise<{ id: string }>;
    content(fileId: string, options?: { signal?: AbortSignal }): Promise<{ text(): Promise<string> }>;
  };
  batches: {
    create(body: { input_file_id: string; endpoint: '/v1/chat/completions'; completion_window: '24h' }, options?: { signal?: AbortSignal }): Promise<unknown>;
    retrieve(batchId: string, options?: { signal?: AbortSignal }): Promise<unknown>;
  };
}

export interface CompletionLike {
  choices?: { finish_reason?: string | null; message?: { content?: string | null; refusal?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
}

function emptyUsage(): VisionUsage {
  return { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, estimatedCostUsd: 0 };
}

export class VisionEvaluator implements Evaluator {
  readonly id: string;
  readonly model: string;
  readonly configKey: string;
  readonly thresholds: Readonly<Record<string, unknown>>;
  /** Usage across every call of this evaluator. */
  readonly usage: VisionUsage = emptyUsage();
  readonly #apiKey: string;
  readonly #options: VisionEvaluatorOptions;
  #client: Promise<OpenAIClient> | undefined;

  constructor(options: VisionEvaluatorOptions) {
    if (!options.apiKey) {
      throw new VisionEvaluationError('The vision evaluator needs an OpenAI API key (Actor Studio: Set API Key, or OPENAI_API_KEY).', 'auth');
    }
    this.#apiKey = options.apiKey;
    this.#options = options;
    this.model = options.model ?? DEFAULT_VISION_MODEL;
    this.id = `openai:${this.model}`;
    this.configKey = this.model;
    this.thresholds = { visionModel: this.model };
  }

  async evaluate(request: EvaluationRequest): Promise<ImageEvaluation[]> {
    return (await this.evaluateDetailed(request)).evaluations;
  }

  /** Evaluations plus keep/delete verdicts and this call's token use and estimated cost. */
  async evaluateDetailed(request: EvaluationRequest): Promise<VisionEvaluationResult> {
    const usage = emptyUsage();
    if (request.images.length === 0) {
      return { evaluations: [], verdicts: [], usage };
    }
    const sha = new Map(request.images.map((image) => [image.filename, image.sha256]));
    const client = await this.client();
    const evaluations: ImageEvaluation[] = [];
    const verdicts: VisionVerdict[] = [];
    for await (const { tiles, body } of this.gridRequests(request)) {
      request.signal?.throwIfAborted();
      const completion = await withRetries((_attempt) => this.#send(client, body, request.signal), {
        maxAttempts: this.#options.maxAttempts ?? 4,
        backoff: this.#options.backoff,
        sleep: this.#options.sleep,
        random: this.#options.random,
        maxRetryAfterMs: this.#options.maxRetryAfterMs,
        onRetry: this.#options.onRetry,
        signal: request.signal,
        shouldRetry: (error) =>
          error instanceof VisionEvaluationError &&
          (error.reason === 'rate_limit' || error.reason === 'server' || error.reason === 'network' || error.reason === 'timeout'),
        retryAfterMs: (error) => (error instanceof VisionEvaluationError ? error.retryAfterMs : undefined),
      });
      this.addUsage(usage, completion);
      const answered = this.readCompletion(completion, tiles, sha);
      evaluations.push(...answered.evaluations);
      verdicts.push(...answered.verdicts);
    }
    return { evaluations, verdicts, usage };
  }

  /**
   * The chat request of each grid of `request.images` (at most MAX_TILES_PER_GRID tiles each),
   * built one grid at a time: what evaluateDetailed sends, and what a batch puts in its JSONL.
   */
  async *gridRequests(request: Pick<EvaluationRequest, 'baseImagePath' | 'images'>): AsyncGenerator<{ tiles: GridTile[]; body: Record<string, unknown> }> {
    if (new Set(request.images.map((image) => image.filename)).size !== request.images.length) {
      throw new VisionEvaluationError('Two images share a filename; every image must be named once.', 'input');
    }
    if (request.images.length === 0) {
      return;
    }
    const baseUri = request.baseImagePath ? jpegDataUri(await encodeImageForVision(request.baseImagePath, this.#options.baseImageMaxEdge ?? 768)) : undefined;
    for (const tiles of planGrids(request.images)) {
      const grid = await buildCompositeGrid(tiles, this.#options.grid);
      yield { tiles, body: this.#requestBody(tiles.length, baseUri, jpegDataUri(grid.image)) };
    }
  }

  /** Estimated tokens and cost of one grid request of `tileCount` tiles, before anything is built or sent. */
  estimateGrid(tileCount: number, hasBase: boolean): { promptTokens: number; completionTokens: number } {
    const options = this.#options;
    return estimateGridRequestTokens(tileCount, buildPrompt(tileCount, hasBase), {
      grid: options.grid,
      baseImageMaxEdge: options.baseImageMaxEdge,
      detail: options.detail,
      hasBase,
    });
  }

  /** What `promptTokens` and `completionTokens` cost at this model's synchronous list price; null when unknown. */
  costUsd(promptTokens: number, completionTokens: number): number | null {
    return estimateCostUsd(this.model, promptTokens, completionTokens, this.#options.prices);
  }

  /**
   * One grid's completion as evaluations and verdicts by filename (`sha`: the bytes each image
   * was sent as). A refusal, a cut-off or malformed answer, or one that misses a tile throws.
   */
  readCompletion(
    completion: CompletionLike,
    tiles: readonly GridTile[],
    sha: ReadonlyMap<string, string>,
  ): Pick<VisionEvaluationResult, 'evaluations' | 'verdicts'> {
    const evaluations: ImageEvaluation[] = [];
    const verdicts: VisionVerdict[] = [];
    for (const item of mapAnswer(this.#parse(completion), tiles)) {
      evaluations.push({
        filename: item.filename,
        sha256: sha.get(item.filename) ?? '',
        category: item.category,
        quality: item.quality,
        issues: item.issues,
        reasons: [`${item.keep ? 'keep' : 'delete'}: ${item.reason}`],
        evaluator: this.id,
      });
      verdicts.push({ filename: item.filename, keep: item.keep, reason: item.reason, ...(item.caption?.trim() ? { caption: item.caption.trim() } : {}) });
    }
    return { evaluations, verdicts };
  }

  #requestBody(tileCount: number, baseUri: string | undefined, gridUri: string): Record<string, unknown> {
    const detail = this.#options.detail ?? 'high';
    const content: unknown[] = [{ type: 'text', text: buildPrompt(tileCount, baseUri !== undefined) }];
    if (baseUri) {
      content.push({ type: 'text', text: 'BASE image:' }, { type: 'image_url', image_url: { url: baseUri, detail } });
    }
    content.push({ type: 'text', text: `Grid of ${tileCount} numbered training images:` }, { type: 'image_url', image_url: { url: gridUri, detail } });
    return {
      model: this.model,
      messages: [{ role: 'user', content }],
      response_format: { type: 'json_schema', json_schema: { name: RESPONSE_SCHEMA_NAME, strict: true, schema: answerJsonSchema() } },
    };
  }

  /** The SDK client (loaded on first use), shared with the batch path. */
  async client(): Promise<OpenAIClient> {
    this.#client ??= import('openai').then((module) => {
      markLoaded('openai');
      const OpenAI = (module as unknown as { default?: typeof module.OpenAI }).default ?? module.OpenAI;
      return new OpenAI({
        apiKey: this.#apiKey,
        baseURL: this.#options.baseURL,
        maxRetries: 0,
        timeout: this.#options.timeoutMs ?? 120_000,
      }) as unknown as OpenAIClient;
    });
    return this.#client;
  }

  async #send(client: OpenAIClient, body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<CompletionLike> {
    try {
      return (await client.chat.completions.create(body, { signal })) as CompletionLike;
    } catch (error) {
      throw this.classifyError(error, signal);
    }
  }

  /** What the SDK threw, as a VisionEvaluationError whose message never holds the key. */
  classifyError(error: unknown, signal: AbortSignal | undefined): VisionEvaluationError {
    return classifyOpenAiError(error, { aborted: Boolean(signal?.aborted), redact: (text) => redactSecrets(text, [this.#apiKey]) });
  }

  /** Adds one completion's tokens to `usage` and to this evaluator's running total. */
  addUsage(usage: VisionUsage, completion: CompletionLike): void {
    for (const target of [usage, this.usage]) {
      target.requests += 1;
      target.promptTokens += completion.usage?.prompt_tokens ?? 0;
      target.completionTokens += completion.usage?.completion_tokens ?? 0;
      target.totalTokens += completion.usage?.total_tokens ?? (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0);
      target.estimatedCostUsd = this.costUsd(target.promptTokens, target.completionTokens);
    }
  }

  #parse(completion: CompletionLike): Answer {
    const choice = completion.choices?.[0];
    const message = choice?.message;
    if (message?.refusal) {
      throw new VisionEvaluationError(`The model refused to evaluate the images: ${shorten(redactSecrets(message.refusal, [this.#apiKey]))}`, 'refusal');
    }
    if (choice?.finish_reason === 'content_filter') {
      throw new VisionEvaluationError('The model refused to evaluate the images (content filter).', 'refusal');
    }
    if (choice?.finish_reason === 'length') {
      throw new VisionEvaluationError('The model answer was cut off (finish_reason "length"); no evaluation was recorded.', 'malformed');
    }
    const text = message?.content;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new VisionEvaluationError('The model gave no answer; no evaluation was recorded.', 'malformed');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VisionEvaluationError(
        `The model answer is not valid JSON; no evaluation was recorded. It began: ${JSON.stringify(shorten(text, 80))}`,
        'malformed',
      );
    }
    const parsed = answerSchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new VisionEvaluationError(
        `The model answer does not match the schema (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}); no evaluation was recorded.`,
        'malformed',
      );
    }
    return parsed.data;
  }
}

/** Tile numbers back to filenames: every tile answered exactly once, no unknown tiles. */
export function mapAnswer(answer: Answer, tiles: readonly GridTile[]): (Answer['images'][number] & { filename: string })[] {
  const byNumber = new Map(tiles.map((tile) => [tile.number, tile]));
  const seen = new Set<number>();
  const mapped: (Answer['images'][number] & { filename: string })[] = [];
  for (const item of answer.images) {
    const tile = byNumber.get(item.tile);
    if (!tile) {
      throw new VisionEvaluationError(
        `The model answered for tile ${item.tile}, which is not in the grid (1-${tiles.length}); no evaluation was recorded.`,
        'malformed',
      );
    }
    if (seen.has(item.tile)) {
      throw new VisionEvaluationError(`The model answered twice for tile ${item.tile}; no evaluation was recorded.`, 'malformed');
    }
    seen.add(item.tile);
    mapped.push({ ...item, issues: [...new Set(item.issues)], filename: tile.filename });
  }
  const missing = tiles.filter((tile) => !seen.has(tile.number)).map((tile) => tile.number);
  if (missing.length > 0) {
    throw new VisionEvaluationError(
      `The model gave no answer for tile${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; no evaluation was recorded.`,
      'malformed',
    );
  }
  return mapped.sort((a, b) => a.tile - b.tile);
}
