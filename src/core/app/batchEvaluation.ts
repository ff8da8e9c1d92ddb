import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ActorIndex } from '../actors/dataIndex';
import { hashActorImages } from '../actors/imageHashes';
import { errorKind, InputError } from '../errors';
import { cachedEvaluations } from '../evaluate/evaluateActor';
import { planGrids } from '../evaluate/compositeGrid';
import { BATCH_PRICE_FACTOR } from '../evaluate/visionCost';
import {
  BatchAnswers,
  batchLine,
  BATCH_MAX_BYTES,
  BATCH_MAX_REQUESTS,
  downloadLines,
  retrieveBatch,
  submitBatch,
  type BatchImageFailure,
} from '../evaluate/visionBatch';
import type { VisionEvaluator } from '../evaluate/visionEvaluator';
import { writeFileAtomic } from '../fs/atomicWrite';
import { FileHasher } from '../fs/files';
import { withFileLock } from '../fs/fileLock';
import { formatJson } from '../manifest/jsonFile';
import { readOptionalJson } from '../manifest/optionalJsonFile';
import { visionBatchSchema, type VisionBatchRequest, type VisionBatchState } from '../manifest/visionBatchSchema';
import { abortableSleep, type Sleep } from '../util/retry';
import { isoTime } from '../util/time';
import { linkedOutsideReason } from '../workspace/guards';
import { visionBatchPath } from '../workspace/layout';
import type { StudioContext } from './context';
import { evaluateActors, type EvaluateResult, type EvaluationOptions } from './evaluation';

/**
 * Evaluate with the vision model through OpenAI's Batch API: the grids that need an answer go up
 * as one JSONL file (or several, past the API's limits), the batch ids are saved before anything
 * else happens, and the answers are merged into the manifests' per-image cache by the same
 * pipeline as a synchronous evaluation. A cancelled or restarted run finds the saved batch and
 * polls it instead of submitting again; the saved state is removed once merged.
 */

export interface BatchEstimate {
  model: string;
  requests: number;
  images: number;
  actors: number;
  promptTokens: number;
  completionTokens: number;
  /** At the synchronous list price, and at the batch price (half); null when the model has no price. */
  syncCostUsd: number | null;
  batchCostUsd: number | null;
}

export interface BatchPollProgress {
  batchId: string;
  status: string;
  completed: number;
  failed: number;
  total: number;
}

export interface BatchEvaluationOptions extends Pick<EvaluationOptions, 'signal' | 'onProgress'> {
  /** Shown before submitting; answering false submits nothing. */
  onEstimate?: (estimate: BatchEstimate) => boolean | Promise<boolean>;
  /** Grid requests built for the upload so far, of `total`. */
  onBuild?: (done: number, total: number) => void;
  /** Each status seen while polling. */
  onPoll?: (progress: BatchPollProgress) => void;
  /** Requests per batch at most; default (and at most) the API's 50,000. */
  maxRequestsPerBatch?: number;
  /** Between polls. Default 30 s. */
  pollIntervalMs?: number;
  sleep?: Sleep;
}

export interface BatchEvaluationResult extends EvaluateResult {
  /** What happened: merged a batch; nothing needed the model (evaluated with the cache); declined at the estimate. */
  outcome: 'merged' | 'nothing_to_send' | 'declined';
  /** True when the batch was submitted by an earlier run (this one only polled). */
  resumed: boolean;
  estimate?: BatchEstimate;
  batches: { id: string; status: string }[];
  /** Images with no answer: error lines, refused or malformed answers, or left over by an expired batch. */
  failed: BatchImageFailure[];
  /** Images not sent because no manifest tracks them (an answer could not be kept). */
  notSent: BatchImageFailure[];
  /** What the answers really used (from the result lines), at the batch price. */
  usage?: { model: string; requests: number; promptTokens: number; completionTokens: number; batchCostUsd: number | null };
}

const dollars = (amount: number | null) => (amount === null ? 'no price known for this model' : `$${amount.toFixed(4)}`);

/** `batch gpt-4o: 3 request(s) for 45 image(s) of 3 actor(s), about 8000 prompt + 3400 completion tokens: estimated $0.0540 synchronously, $0.0270 with the Batch API`. */
export function describeEstimate(estimate: BatchEstimate): string {
  const costs =
    estimate.syncCostUsd === null
      ? dollars(null)
      : `estimated ${dollars(estimate.syncCostUsd)} synchronously, ${dollars(estimate.batchCostUsd)} with the Batch API`;
  return (
    `batch ${estimate.model}: ${estimate.requests} request(s) for ${estimate.images} image(s) of ${estimate.actors} actor(s), ` +
    `about ${estimate.promptTokens} prompt + ${estimate.completionTokens} completion tokens: ${costs}`
  );
}

/** `vision gpt-4o (batch): 3 request(s), 3600 prompt + 900 completion tokens, $0.0090 at the batch price` (from the result lines). */
export function describeBatchUsage(usage: NonNullable<BatchEvaluationResult['usage']>): string {
  const cost = usage.batchCostUsd === null ? dollars(null) : `estimated ${dollars(usage.batchCostUsd)} at the batch price`;
  return `vision ${usage.model} (batch): ${usage.requests} request(s), ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens, ${cost}`;
}

export async function evaluateActorsInBatch(
  context: StudioContext,
  actorIds: readonly string[],
  options: BatchEvaluationOptions = {},
): Promise<BatchEvaluationResult> {
  await context.services.visionEvaluator(); // no key: fail before taking the lock
  const file = visionBatchPath(context.dataRoot);
  // One run at a time submits, polls and merges (a second one would submit the same grids again).
  await fs.mkdir(path.dirname(file), { recursive: true });
  return withFileLock(`${file}.lock`, () => runBatch(context, actorIds, file, options), { signal: options.signal });
}

async function runBatch(context: StudioContext, actorIds: readonly string[], file: string, options: BatchEvaluationOptions): Promise<BatchEvaluationResult> {
  let state = await readState(context.dataRoot, file);
  const resumed = state !== undefined;
  // A saved batch is read with the model it was sent to, even if the setting changed since.
  const vision = await context.services.visionEvaluator(state?.model);
  let estimate: BatchEstimate | undefined;
  let notSent: BatchImageFailure[] = [];
  let unreadable: string[] = [];
  if (!state) {
    const prepared = await pendingRequests(context, actorIds, vision);
    const pending = prepared.pending;
    notSent = prepared.notSent;
    unreadable = prepared.unreadable;
    if (pending.length === 0) {
      // No answers given: the images that have none stay local-only rather than paid for synchronously.
      const evaluated = await evaluateActors(context, actorIds, { ...options, visionAnswers: new BatchAnswers(vision) });
      return { ...evaluated, outcome: 'nothing_to_send', resumed, batches: [], failed: [], notSent };
    }
    estimate = estimateOf(vision, pending);
    if (options.onEstimate && !(await options.onEstimate(estimate))) {
      return { evaluations: [], skipped: [], outcome: 'declined', resumed, estimate, batches: [], failed: [], notSent };
    }
    const submitted = await submit(vision, pending, estimate, file, options);
    state = submitted.state;
    notSent.push(...submitted.unbuilt);
  }
  const statuses = await pollUntilDone(vision, state, file, options);
  const answers = new BatchAnswers(vision);
  for (const batch of state.batches) {
    const status = statuses.get(batch.batch_id)!;
    const [output, errors] = await Promise.all([
      downloadLines(vision, status.outputFileId, options.signal),
      downloadLines(vision, status.errorFileId, options.signal),
    ]);
    answers.add(batch.requests, output, errors, status);
  }
  const mergeIds = [...answers.actorIds, ...unreadable];
  const merged = mergeIds.length > 0 ? await evaluateActors(context, mergeIds, { ...options, visionAnswers: answers }) : { evaluations: [], skipped: [] };
  await fs.rm(file, { force: true });
  const usage = answers.usage;
  return {
    ...merged,
    outcome: 'merged',
    resumed,
    ...(estimate ? { estimate } : {}),
    batches: state.batches.map((batch) => ({ id: batch.batch_id, status: statuses.get(batch.batch_id)!.status })),
    failed: answers.failures,
    notSent,
    usage: {
      model: vision.model,
      requests: usage.requests,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      batchCostUsd: answers.batchCostUsd,
    },
  };
}

interface PendingRequest extends VisionBatchRequest {
  baseImagePath?: string;
  paths: string[];
}

/** Why an image is left out of a batch: its answer could not be kept, so it would be paid for on every run. */
const NOT_TRACKED = 'not sent: its manifest does not track it (reconcile --fix adds it; migrate makes a manifest), so no answer could be kept';

/**
 * Per actor, the tracked images without a still-valid vision answer in the cache, in grids
 * (nothing is read but hashes); untracked images are left out, as `notSent`.
 */
async function pendingRequests(
  context: StudioContext,
  actorIds: readonly string[],
  vision: VisionEvaluator,
): Promise<{ pending: PendingRequest[]; notSent: BatchImageFailure[]; unreadable: string[] }> {
  const index = await new ActorIndex(context.dataRoot).index();
  if (!index.exists) {
    throw new InputError(`data folder not found: ${context.dataRoot}`, { file: context.dataRoot });
  }
  const evaluator = await context.services.evaluator(context.faces);
  const hasher = context.hasher ?? new FileHasher();
  const pending: PendingRequest[] = [];
  const notSent: BatchImageFailure[] = [];
  const unreadable: string[] = [];
  for (const actorId of actorIds) {
    const actor = index.actors.find((candidate) => candidate.id === actorId);
    if (!actor || actor.manifestState === 'invalid' || linkedOutsideReason(context.dataRoot, actorId)) {
      unreadable.push(actorId); // the merge (evaluateActors) reports why
      continue;
    }
    const hashes = await hashActorImages(actor, hasher);
    const cached = cachedEvaluations(actor, evaluator, hashes);
    const unanswered = actor.images.filter((image) => !image.missing).filter((_image, at) => cached[at]?.vision?.model !== vision.model);
    const keepable = (image: (typeof unanswered)[number]) => image.tracked && actor.manifestState === 'ok';
    notSent.push(...unanswered.filter((image) => !keepable(image)).map((image) => ({ actorId, filename: image.filename, reason: NOT_TRACKED })));
    for (const tiles of planGrids(unanswered.filter(keepable))) {
      pending.push({
        actor_id: actorId,
        images: tiles.map((tile) => ({ tile: tile.number, filename: tile.filename, sha256: hashes[tile.filename]! })),
        ...(actor.baseImage ? { baseImagePath: actor.baseImage.path } : {}),
        paths: tiles.map((tile) => tile.path),
      });
    }
  }
  return { pending, notSent, unreadable };
}

function estimateOf(vision: VisionEvaluator, pending: readonly PendingRequest[]): BatchEstimate {
  let promptTokens = 0;
  let completionTokens = 0;
  for (const request of pending) {
    const tokens = vision.estimateGrid(request.images.length, request.baseImagePath !== undefined);
    promptTokens += tokens.promptTokens;
    completionTokens += tokens.completionTokens;
  }
  const syncCostUsd = vision.costUsd(promptTokens, completionTokens);
  return {
    model: vision.model,
    requests: pending.length,
    images: pending.reduce((sum, request) => sum + request.images.length, 0),
    actors: new Set(pending.map((request) => request.actor_id)).size,
    promptTokens,
    completionTokens,
    syncCostUsd,
    batchCostUsd: syncCostUsd === null ? null : syncCostUsd * BATCH_PRICE_FACTOR,
  };
}

/**
 * Builds each grid's request (the synchronous path's body) into JSONL files within the API's
 * limits; each file's batch is saved as soon as it is created, so no batch is ever lost.
 */
async function submit(
  vision: VisionEvaluator,
  pending: readonly PendingRequest[],
  estimate: BatchEstimate,
  file: string,
  { signal, onBuild, maxRequestsPerBatch }: BatchEvaluationOptions,
): Promise<{ state: VisionBatchState; unbuilt: BatchImageFailure[] }> {
  const unbuilt: BatchImageFailure[] = [];
  const state: VisionBatchState = {
    schema_version: 1,
    model: vision.model,
    created_at: isoTime(),
    estimate: {
      requests: estimate.requests,
      prompt_tokens: estimate.promptTokens,
      completion_tokens: estimate.completionTokens,
      sync_cost_usd: estimate.syncCostUsd,
      batch_cost_usd: estimate.batchCostUsd,
    },
    batches: [],
  };
  let lines: string[] = [];
  let bytes = 0;
  let requests: Record<string, VisionBatchRequest> = {};
  const flush = async () => {
    if (lines.length === 0) return;
    const { batchId, inputFileId } = await submitBatch(vision, lines.join(''), signal);
    state.batches.push({ batch_id: batchId, input_file_id: inputFileId, status: 'validating', requests });
    await saveState(file, state);
    lines = [];
    bytes = 0;
    requests = {};
  };
  for (const [number, request] of pending.entries()) {
    signal?.throwIfAborted();
    const images = request.images.map((image, at) => ({ filename: image.filename, path: request.paths[at]!, sha256: image.sha256 }));
    let body: Record<string, unknown>;
    try {
      body = await oneGrid(vision.gridRequests({ baseImagePath: request.baseImagePath, images }));
    } catch (error) {
      // An undecodable image or base image leaves this actor's grid out, not the whole batch.
      if (errorKind(error) === 'cancelled') throw error;
      const reason = `not sent: ${error instanceof Error ? error.message : String(error)}`;
      unbuilt.push(...request.images.map((image) => ({ actorId: request.actor_id, filename: image.filename, reason })));
      continue;
    }
    const customId = `grid-${number + 1}`;
    const line = batchLine(customId, body);
    const size = Buffer.byteLength(line);
    if (lines.length >= Math.min(maxRequestsPerBatch ?? BATCH_MAX_REQUESTS, BATCH_MAX_REQUESTS) || (lines.length > 0 && bytes + size > BATCH_MAX_BYTES)) {
      await flush();
    }
    lines.push(line);
    bytes += size;
    requests[customId] = { actor_id: request.actor_id, images: request.images };
    onBuild?.(number + 1, pending.length);
  }
  await flush();
  return { state, unbuilt };
}

/** The body of the one grid a pending request is (it holds at most MAX_TILES_PER_GRID images). */
async function oneGrid(grids: AsyncGenerator<{ body: Record<string, unknown> }>): Promise<Record<string, unknown>> {
  for await (const { body } of grids) {
    return body;
  }
  throw new Error('no grid was built');
}

async function pollUntilDone(
  vision: VisionEvaluator,
  state: VisionBatchState,
  file: string,
  options: BatchEvaluationOptions,
): Promise<Map<string, Awaited<ReturnType<typeof retrieveBatch>>>> {
  const statuses = new Map<string, Awaited<ReturnType<typeof retrieveBatch>>>();
  const sleep = options.sleep ?? abortableSleep;
  for (;;) {
    for (const batch of state.batches) {
      if (statuses.get(batch.batch_id)?.done) continue;
      const status = await retrieveBatch(vision, batch.batch_id, options.signal);
      statuses.set(batch.batch_id, status);
      options.onPoll?.({ batchId: batch.batch_id, status: status.status, ...status.counts });
      if (batch.status !== status.status) {
        batch.status = status.status;
        await saveState(file, state);
      }
    }
    if ([...statuses.values()].every((status) => status.done)) {
      return statuses;
    }
    await sleep(options.pollIntervalMs ?? 30_000, options.signal);
  }
}

async function saveState(file: string, state: VisionBatchState): Promise<void> {
  state.updated_at = isoTime();
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, formatJson(visionBatchSchema.parse(state)));
}

async function readState(dataRoot: string, file: string): Promise<VisionBatchState | undefined> {
  const read = await readOptionalJson(dataRoot, file, visionBatchSchema);
  if (read.state === 'invalid') {
    throw new InputError(
      `${file}: ${read.problems[0]?.message ?? 'not a valid vision batch state'}; fix it or move it away (the batch keeps running at OpenAI)`,
      { file },
    );
  }
  return read.state === 'ok' ? read.value : undefined;
}
