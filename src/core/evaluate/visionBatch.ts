import type { VisionBatchRequest } from '../manifest/visionBatchSchema';
import { shorten } from '../util/text';
import { BATCH_PRICE_FACTOR } from './visionCost';
import type { CompletionLike, OpenAIClient, VisionEvaluationResult, VisionEvaluator, VisionUsage } from './visionEvaluator';
import type { VisionSource } from './localAndVision';
import type { EvaluationRequest } from './types';

/**
 * OpenAI's Batch API for the vision evaluator's grid requests: the same request bodies as the
 * synchronous path, one JSONL line each, uploaded as a file, run as a batch (24 h window, half
 * price), and read back line by line with the same answer parsing. What each line's custom_id
 * stands for (an actor's grid, its tiles, the bytes sent) is the caller's to keep.
 */

/** The Batch API's limits on one input file: 50,000 requests, 200 MB (kept under, for the JSON framing). */
export const BATCH_MAX_REQUESTS = 50_000;
export const BATCH_MAX_BYTES = 190 * 1024 * 1024;

const TERMINAL = new Set(['completed', 'expired', 'cancelled', 'failed']);

export interface BatchStatus {
  id: string;
  status: string;
  /** True once the batch will change no more (completed, expired, cancelled, failed). */
  done: boolean;
  outputFileId?: string;
  errorFileId?: string;
  counts: { total: number; completed: number; failed: number };
  /** Why a batch failed validation, when it did. */
  errors: string[];
}

/** One JSONL line of a batch: a chat completion request named by `customId`. */
export function batchLine(customId: string, body: Record<string, unknown>): string {
  return `${JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body })}\n`;
}

async function call<T>(vision: VisionEvaluator, signal: AbortSignal | undefined, work: (client: OpenAIClient) => Promise<T>): Promise<T> {
  const client = await vision.client();
  try {
    return await work(client);
  } catch (error) {
    throw vision.classifyError(error, signal);
  }
}

/** Uploads the JSONL (purpose "batch") and creates the batch over it. */
export async function submitBatch(vision: VisionEvaluator, jsonl: string, signal?: AbortSignal): Promise<{ batchId: string; inputFileId: string }> {
  const file = await call(vision, signal, (client) =>
    client.files.create({ file: new File([jsonl], 'vision_batch.jsonl', { type: 'application/jsonl' }), purpose: 'batch' }, { signal }),
  );
  const batch = await call(vision, signal, (client) =>
    client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }, { signal }),
  );
  return { batchId: readStatus(batch).id, inputFileId: file.id };
}

export async function retrieveBatch(vision: VisionEvaluator, batchId: string, signal?: AbortSignal): Promise<BatchStatus> {
  return readStatus(await call(vision, signal, (client) => client.batches.retrieve(batchId, { signal })));
}

function readStatus(raw: unknown): BatchStatus {
  const batch = (raw ?? {}) as {
    id?: unknown;
    status?: unknown;
    output_file_id?: unknown;
    error_file_id?: unknown;
    request_counts?: { total?: number; completed?: number; failed?: number } | null;
    errors?: { data?: { message?: string; line?: number | null }[] } | null;
  };
  const status = String(batch.status ?? 'unknown');
  return {
    id: String(batch.id ?? ''),
    status,
    done: TERMINAL.has(status),
    ...(typeof batch.output_file_id === 'string' && batch.output_file_id ? { outputFileId: batch.output_file_id } : {}),
    ...(typeof batch.error_file_id === 'string' && batch.error_file_id ? { errorFileId: batch.error_file_id } : {}),
    counts: { total: batch.request_counts?.total ?? 0, completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0 },
    errors: (batch.errors?.data ?? []).map((error) => `${error.line ? `line ${error.line}: ` : ''}${error.message ?? 'invalid'}`),
  };
}

/** The lines of a batch's output or error file, parsed (a line that is not JSON is skipped). */
export async function downloadLines(vision: VisionEvaluator, fileId: string | undefined, signal?: AbortSignal): Promise<BatchResultLine[]> {
  if (!fileId) {
    return [];
  }
  const text = await call(vision, signal, async (client) => (await client.files.content(fileId, { signal })).text());
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as BatchResultLine] : [];
    } catch {
      return [];
    }
  });
}

export interface BatchResultLine {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

/** An image the batch gave no usable answer for, and why. */
export interface BatchImageFailure {
  actorId: string;
  filename: string;
  reason: string;
}

/**
 * Vision answers read from a batch, by actor, file name and the bytes that were sent: given to
 * the evaluation pipeline in place of the model (a VisionSource), they go into the same
 * per-image cache as answers from synchronous requests. An image whose bytes changed since it
 * was sent gets no answer here.
 */
export class BatchAnswers implements VisionSource {
  readonly id: string;
  readonly model: string;
  readonly usage: VisionUsage = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, estimatedCostUsd: 0 };
  readonly failures: BatchImageFailure[] = [];
  readonly #answers = new Map<
    string,
    { sha256: string; evaluation: VisionEvaluationResult['evaluations'][number]; verdict: VisionEvaluationResult['verdicts'][number] }
  >();

  constructor(private readonly vision: VisionEvaluator) {
    this.id = vision.id;
    this.model = vision.model;
  }

  /** Actors with at least one answer. */
  get actorIds(): string[] {
    return [...new Set([...this.#answers.keys()].map((key) => key.split('\0')[0]!))];
  }

  /** The batch price of what the answers used (half the synchronous list price); null when the model has no price. */
  get batchCostUsd(): number | null {
    return this.usage.estimatedCostUsd === null ? null : this.usage.estimatedCostUsd * BATCH_PRICE_FACTOR;
  }

  /** Reads one batch's output and error lines against what each custom_id stands for; `status` says why a request has no line. */
  add(
    requests: Readonly<Record<string, VisionBatchRequest>>,
    output: readonly BatchResultLine[],
    errors: readonly BatchResultLine[],
    status: Pick<BatchStatus, 'status' | 'errors'>,
  ): void {
    const seen = new Set<string>();
    for (const line of [...output, ...errors]) {
      const request = line.custom_id !== undefined && Object.hasOwn(requests, line.custom_id) ? requests[line.custom_id]! : undefined;
      if (!request || seen.has(line.custom_id!)) {
        continue;
      }
      seen.add(line.custom_id!);
      const failure = lineFailure(line);
      if (failure) {
        this.#fail(request, failure);
        continue;
      }
      const completion = line.response!.body as CompletionLike;
      this.vision.addUsage(this.usage, completion);
      const tiles = request.images.map((image) => ({ number: image.tile, filename: image.filename, path: '' }));
      const sha = new Map(request.images.map((image) => [image.filename, image.sha256]));
      let answered: Pick<VisionEvaluationResult, 'evaluations' | 'verdicts'>;
      try {
        answered = this.vision.readCompletion(completion, tiles, sha);
      } catch (error) {
        this.#fail(request, error instanceof Error ? error.message : String(error));
        continue;
      }
      answered.evaluations.forEach((evaluation, index) => {
        this.#answers.set(`${request.actor_id}\0${evaluation.filename}`, { sha256: evaluation.sha256, evaluation, verdict: answered.verdicts[index]! });
      });
    }
    const unanswered =
      status.status === 'failed'
        ? `the batch failed validation${status.errors.length > 0 ? `: ${shorten(status.errors.join('; '))}` : ''}; evaluate again to send it`
        : `the batch ended (${status.status}) without answering it; evaluate again to send it`;
    for (const [customId, request] of Object.entries(requests)) {
      if (!seen.has(customId)) {
        this.#fail(request, unanswered);
      }
    }
  }

  #fail(request: VisionBatchRequest, reason: string): void {
    for (const image of request.images) {
      this.failures.push({ actorId: request.actor_id, filename: image.filename, reason });
    }
  }

  async evaluateDetailed(request: EvaluationRequest): Promise<VisionEvaluationResult> {
    const found = request.images.flatMap((image) => {
      const answer = this.#answers.get(`${request.actorId}\0${image.filename}`);
      return answer && answer.sha256 === image.sha256 ? [answer] : [];
    });
    return {
      evaluations: found.map((answer) => answer.evaluation),
      verdicts: found.map((answer) => answer.verdict),
      usage: { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, estimatedCostUsd: 0 },
    };
  }
}

/** Why a result line carries no answer (an error line, a non-200 response), or undefined when it does. */
function lineFailure(line: BatchResultLine): string | undefined {
  if (line.error) {
    return `the batch request failed${line.error.code ? ` (${line.error.code})` : ''}: ${shorten(line.error.message ?? 'no message')}`;
  }
  const status = line.response?.status_code;
  if (status !== 200) {
    const body = line.response?.body as { error?: { message?: string; code?: string | null } } | undefined;
    const code = body?.error?.code ? `, ${body.error.code}` : '';
    return `the batch request failed (HTTP ${status ?? 'none'}${code}): ${shorten(body?.error?.message ?? 'no message')}`;
  }
  return undefined;
}
