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

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * List prices (USD per million tokens, standard tier) as published by OpenAI when this was
 * written. The cost computed from them is an ESTIMATE: prices change, cached input is billed
 * less, and image tokens are already inside prompt_tokens. A dated model name
 * (gpt-4o-2024-08-06) uses its family's price; a model not listed has no estimate (null).
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
};

/** The price for `model`: exact name first, then the longest listed name it starts with followed by '-'. */
export function priceFor(model: string, prices: Readonly<Record<string, ModelPrice>> = MODEL_PRICES): ModelPrice | undefined {
  if (prices[model]) {
    return prices[model];
  }
  const family = Object.keys(prices)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? prices[family] : undefined;
}

export function estimateCostUsd(model: string, promptTokens: number, completionTokens: number, prices?: Readonly<Record<string, ModelPrice>>): number | null {
  const price = priceFor(model, prices);
  if (!price) {
    return null;
  }
  return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
}

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

interface OpenAIClient {
  chat: { completions: { create(body: unknown, options?: { signal?: AbortSignal }): Promise<unknown> } };
}

interface CompletionLike {
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
    if (sha.size !== request.images.length) {
      throw new VisionEvaluationError('Two images share a filename; every image must be named once.', 'input');
    }
    const baseUri = request.baseImagePath ? jpegDataUri(await encodeImageForVision(request.baseImagePath, this.#options.baseImageMaxEdge ?? 768)) : undefined;
    const client = await this.#getClient();
    const evaluations: ImageEvaluation[] = [];
    const verdicts: VisionVerdict[] = [];
    for (const tiles of planGrids(request.images)) {
      request.signal?.throwIfAborted();
      const grid = await buildCompositeGrid(tiles, this.#options.grid);
      const body = this.#requestBody(tiles.length, baseUri, jpegDataUri(grid.image));
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
      this.#addUsage(usage, completion);
      const answer = this.#parse(completion);
      for (const item of mapAnswer(answer, tiles)) {
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
    }
    return { evaluations, verdicts, usage };
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

  async #getClient(): Promise<OpenAIClient> {
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
      throw this.#classify(error, signal);
    }
  }

  #classify(error: unknown, signal: AbortSignal | undefined): VisionEvaluationError {
    return classifyOpenAiError(error, { aborted: Boolean(signal?.aborted), redact: (text) => redactSecrets(text, [this.#apiKey]) });
  }

  #addUsage(usage: VisionUsage, completion: CompletionLike): void {
    for (const target of [usage, this.usage]) {
      target.requests += 1;
      target.promptTokens += completion.usage?.prompt_tokens ?? 0;
      target.completionTokens += completion.usage?.completion_tokens ?? 0;
      target.totalTokens += completion.usage?.total_tokens ?? (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0);
      target.estimatedCostUsd = estimateCostUsd(this.model, target.promptTokens, target.completionTokens, this.#options.prices);
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
