import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { removeAbandonedTempFiles } from '../fs/atomicWrite';
import { LockTimeoutError, withFileLock } from '../fs/fileLock';
import { executionJournalSchema } from '../manifest/dataFileSchemas';
import { estimateCost } from '../plan/cost';
import { planStaleness, readActorPlan } from '../plan/planFiles';
import { FileHasher } from '../fs/files';
import { reserveImageNumbers } from '../generate/saveResult';
import { checkPromptMetadata } from '../manifest/promptMetadata';
import { ActorIndex } from '../actors/dataIndex';
import { actorPaths } from '../workspace/layout';
import { assertWritableInside, linkedOutsideReason } from '../workspace/guards';
import { findUnfinishedRun, JournalOperation, newRunId, operationView, RunJournal, runLockPath } from './journal';
import { journalPath, plansDir, runsDir, trackingDir } from '../workspace/layout';
import { OperationContext, OperationOutcome, runDelete, runGenerate } from './operations';
import { AUTO_CONCURRENCY_CAP, requestSlots } from './adaptiveConcurrency';
import { AUTO_CONCURRENCY, DEFAULT_CONCURRENCY, ExecuteRequest, ExecutionSummary } from './types';
import { actionName } from '../util/actionNames';
import { isoTime } from '../util/time';

/** The lock one execution holds on an actor from its first operation to its last. */
const executionLockPath = (dataRoot: string, actorId: string) => path.join(actorPaths(dataRoot, actorId).dir, '.actor-studio-execution.lock');

/**
 * Executes the actors' plans (deletions to the trash, generations through the generator) with a
 * journal written before and after every operation, so a crash, a kill or Cancel resumes where it
 * stopped: `resume: 'auto'` continues the newest unfinished run over the same actors and mode.
 *
 * At most `concurrency` model requests are in flight across all actors (`auto`: as many as the
 * service takes without throttling, adaptiveConcurrency.ts). Each actor is held by one
 * execution at a time, across processes; an execution that had to wait finds the plan stale (the
 * files changed) and skips the actor instead of doing the work twice.
 */
export async function executePlans(request: ExecuteRequest): Promise<ExecutionSummary> {
  const now = request.now ?? (() => new Date());
  // What killed writers left where a run writes besides the actors (those are swept as each is admitted).
  await Promise.all([plansDir(request.dataRoot), runsDir(request.dataRoot), trackingDir(request.dataRoot)].map(removeAbandonedTempFiles));
  if (request.resume !== 'never') {
    const unfinished = await findUnfinishedRun(request.dataRoot, request.mode, request.actorIds);
    if (unfinished) {
      try {
        const journal = new RunJournal(unfinished.file, executionJournalSchema.parse(unfinished.journal), now);
        return await withFileLock(runLockPath(unfinished.file), () => run(request, journal, true), { timeoutMs: 0 });
      } catch (error) {
        if (!(error instanceof LockTimeoutError)) {
          throw error;
        }
        request.onEvent?.({ type: 'status', message: `run ${unfinished.journal.run_id} is being resumed by another process; starting a new run` });
      }
    }
  }
  const journal = await createRun(request, now);
  return withFileLock(runLockPath(journal.file), () => run(request, journal, false), { timeoutMs: 0 });
}

/** A new journal holding every operation of the actors' plans that the mode includes. */
async function createRun(request: ExecuteRequest, now: () => Date): Promise<RunJournal> {
  const started = now();
  const runId = newRunId(started);
  const data = executionJournalSchema.parse({
    run_id: runId,
    mode: request.mode,
    // One order for every process, so two executions never wait on each other's actors crosswise.
    actor_ids: [...request.actorIds].sort(),
    status: 'running',
    generator: { provider: request.generator.provider, model: request.generator.model },
    started_at: isoTime(started),
    skipped_actors: [],
    operations: [],
  });
  for (const actorId of data.actor_ids) {
    const plan = await readActorPlan(request.dataRoot, actorId);
    if (plan.state !== 'ok') {
      const reason =
        plan.state === 'missing'
          ? `no plan: run ${actionName('plan')} first`
          : `the plan file is invalid: ${plan.problems[0]?.message ?? `see ${actionName('problems')}`}`;
      data.skipped_actors.push({ actor_id: actorId, reason });
      continue;
    }
    if (request.mode !== 'generate_only') {
      for (const deletion of plan.value.deletions) {
        data.operations.push({
          id: `${actorId}/delete/${deletion.filename}`,
          actor_id: actorId,
          kind: 'delete',
          state: 'pending',
          filename: deletion.filename,
          ...(deletion.reason ? { reason: deletion.reason } : {}),
          ...(deletion.sha256 ? { sha256: deletion.sha256 } : {}),
        });
      }
    }
    if (request.mode !== 'delete_only') {
      plan.value.generations.forEach((generation, position) => {
        data.operations.push({
          id: `${actorId}/generate/${position}`,
          actor_id: actorId,
          kind: 'generate',
          state: 'pending',
          category: generation.category,
          prompt_id: generation.prompt_id,
          ...(generation.prompt ? { prompt: generation.prompt } : {}),
        });
      });
    }
  }
  const file = journalPath(request.dataRoot, runId);
  await assertWritableInside(request.dataRoot, file);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const journal = new RunJournal(file, data, now);
  await journal.persist();
  return journal;
}

async function run(request: ExecuteRequest, journal: RunJournal, resumed: boolean): Promise<ExecutionSummary> {
  const { dataRoot, signal } = request;
  const now = request.now ?? (() => new Date());
  const emit = request.onEvent ?? (() => undefined);
  const operations = journal.data.operations;
  const finished = (operation: JournalOperation) => operation.state === 'done' || operation.state === 'failed' || operation.state === 'skipped';
  let done = operations.filter(finished).length;
  emit({ type: 'run-started', runId: journal.runId, resumed, total: operations.length, done, journal: journal.file });
  journal.data.status = 'running';
  delete journal.data.finished_at;
  await journal.persist();

  // Workers beyond the request slots (below): `auto` may open slots up to its cap.
  const slots = request.concurrency === AUTO_CONCURRENCY ? AUTO_CONCURRENCY_CAP : Math.max(1, Math.floor(request.concurrency ?? DEFAULT_CONCURRENCY));
  const context: OperationContext = {
    dataRoot,
    journal,
    generator: request.generator,
    store: request.store,
    requests: requestSlots(request.concurrency),
    budget: request.budget,
    signal,
    now,
    onStatus: (message) => emit({ type: 'status', message }),
  };
  const queue = operations.filter((operation) => !finished(operation));
  const sessions = new ActorSessions(request, journal, emit, queue);
  let interrupted = false;
  // A worker that throws (the journal cannot be written: a full disk) stops the others from starting more work.
  let broken = false;

  // Twice the request slots (plus one): while finished generations are being saved (several
  // synced writes each), other workers already wait at the slots, so no slot sits idle.
  const worker = async (): Promise<void> => {
    for (let operation = queue.shift(); operation && !broken; operation = queue.shift()) {
      if (signal?.aborted) {
        interrupted = true;
        return;
      }
      const session = await sessions.enter(operation.actor_id).catch((error: Error) => {
        if (signal?.aborted) {
          return undefined;
        }
        throw error;
      });
      if (!session) {
        interrupted = true;
        return;
      }
      try {
        // Not finished here means: the session skipped the whole actor (stale plan, no base image).
        if (!finished(operation)) {
          emit({ type: 'operation-started', operation: operationView(operation) });
          const outcome: OperationOutcome =
            operation.kind === 'delete' ? await runDelete(context, operation) : await runGenerate(context, operation, session.baseImagePath ?? '');
          if (outcome === 'interrupted') {
            interrupted = true;
            return;
          }
        }
      } finally {
        sessions.leave(operation.actor_id);
      }
      done++;
      emit({ type: 'operation-finished', operation: operationView(operation), done, total: operations.length });
    }
  };
  const guarded = () =>
    worker().catch((error: unknown) => {
      broken = true;
      throw error;
    });
  try {
    const outcomes = await Promise.allSettled(Array.from({ length: 2 * slots + 1 }, guarded));
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) {
      throw failure.reason;
    }
  } finally {
    await sessions.closeAll();
  }

  const remaining = operations.filter((operation) => !finished(operation)).length;
  let synced: Pick<ExecutionSummary, 'adopted' | 'droppedEntries'> = {};
  if (!interrupted && remaining === 0 && request.beforeCompleted) {
    const skippedActors = new Set(journal.data.skipped_actors.map((skipped) => skipped.actor_id));
    try {
      synced = await request.beforeCompleted(journal.data.actor_ids.filter((actorId) => !skippedActors.has(actorId)));
    } catch (error) {
      emit({ type: 'status', message: `the manifests could not be brought in step with the files: ${(error as Error).message}` });
    }
  }
  journal.data.status = interrupted || remaining > 0 ? 'cancelled' : 'completed';
  if (journal.data.status === 'completed') {
    journal.data.finished_at = isoTime(now());
  }
  await journal.persist();
  const views = operations.map(operationView);
  const generated = operations.filter((operation) => operation.kind === 'generate' && operation.state === 'done').length;
  return {
    runId: journal.runId,
    mode: journal.data.mode,
    status: journal.data.status === 'completed' ? 'completed' : 'cancelled',
    resumed,
    journal: journal.file,
    done: views.filter((view) => view.state === 'done'),
    failed: views.filter((view) => view.state === 'failed'),
    skipped: views.filter((view) => view.state === 'skipped'),
    remaining,
    skippedActors: journal.data.skipped_actors.map((skipped) => ({ actorId: skipped.actor_id, reason: skipped.reason })),
    spend: estimateCost(generated, request.generator.model),
    ...synced,
  };
}

interface HeldActor {
  baseImagePath?: string;
  release: () => void;
  /** Settles once the lock file is gone. */
  released: Promise<void>;
}

/**
 * Per-actor admission: the first operation of an actor takes its execution lock (waiting for
 * another process that holds it) and checks the plan still matches the files; the lock goes when
 * the actor's last operation of this run ends. Locks are taken one after another in the run's
 * (sorted) actor order and never while another is awaited, so two processes cannot deadlock.
 */
class ActorSessions {
  private readonly open = new Map<string, Promise<HeldActor>>();
  private lastAcquired: Promise<unknown> = Promise.resolve();
  private readonly queued = new Map<string, number>();
  private readonly hasher = new FileHasher();

  constructor(
    private readonly request: ExecuteRequest,
    private readonly journal: RunJournal,
    private readonly emit: NonNullable<ExecuteRequest['onEvent']>,
    queue: readonly JournalOperation[],
  ) {
    for (const operation of queue) {
      this.queued.set(operation.actor_id, (this.queued.get(operation.actor_id) ?? 0) + 1);
    }
  }

  async enter(actorId: string): Promise<{ baseImagePath?: string }> {
    let session = this.open.get(actorId);
    if (!session) {
      session = this.lastAcquired.then(() => this.start(actorId));
      this.lastAcquired = session.catch(() => undefined);
      this.open.set(actorId, session);
    }
    const { baseImagePath } = await session;
    return { baseImagePath };
  }

  /** One operation of the actor ended; after its last one the actor's lock is released. */
  leave(actorId: string): void {
    const left = (this.queued.get(actorId) ?? 1) - 1;
    this.queued.set(actorId, left);
    if (left === 0) {
      void this.open.get(actorId)?.then(
        (held) => held.release(),
        () => undefined,
      );
    }
  }

  async closeAll(): Promise<void> {
    for (const session of await Promise.allSettled(this.open.values())) {
      if (session.status === 'fulfilled') {
        session.value.release();
        await session.value.released;
      }
    }
  }

  private async start(actorId: string): Promise<HeldActor> {
    const { dataRoot, signal } = this.request;
    // Checked before the lock file is made in the actor's folder: a link out is never written through.
    const outside = linkedOutsideReason(dataRoot, actorId);
    if (outside) {
      await this.skip(actorId, outside);
      return { release: () => undefined, released: Promise.resolve() };
    }
    return new Promise((resolve, reject) => {
      let release!: () => void;
      const held = new Promise<void>((done) => (release = done));
      const waiting = setTimeout(() => this.emit({ type: 'status', message: `waiting for another process executing ${actorId}` }), 500);
      const released: Promise<void> = withFileLock(
        executionLockPath(dataRoot, actorId),
        async () => {
          clearTimeout(waiting);
          try {
            resolve({ baseImagePath: await this.admit(actorId), release, released });
          } catch (error) {
            reject(error);
            return;
          }
          await held;
        },
        { timeoutMs: 24 * 60 * 60_000, signal },
      ).catch((error: Error) => {
        clearTimeout(waiting);
        reject(error);
      });
    });
  }

  /** Checks the actor can be executed now; otherwise marks its operations skipped. Returns its base image. */
  private async admit(actorId: string): Promise<string | undefined> {
    const operations = this.journal.data.operations.filter((operation) => operation.actor_id === actorId);
    const actor = new ActorIndex(this.request.dataRoot).actor(actorId);
    const untouched = operations.every((operation) => operation.state === 'pending');
    // What a killed run may have left half-written (the files themselves are intact).
    await Promise.all([actor.dir, actorPaths(this.request.dataRoot, actorId).trainingDir, path.dirname(this.journal.file)].map(removeAbandonedTempFiles));
    // Every file the run writes for the actor is checked before its first operation: one that
    // breaks later must not be found half-way, after files were moved and images paid for.
    const metadataProblem = await checkPromptMetadata(this.request.dataRoot, actorId).then(
      () => undefined,
      (error: Error) => error.message,
    );
    let skip: string | undefined;
    if (actor.manifestState === 'invalid') {
      skip = `${actor.manifestPath} is invalid; fix it first (if the old tool wrote it, run \`actor-studio migrate\`)`;
    } else if (metadataProblem && untouched) {
      skip = `${metadataProblem} Fix it first`;
    } else if (!actor.baseImage && operations.some((operation) => operation.kind === 'generate')) {
      skip = `no base image: add ${actorId}_base.png to ${actor.dir}/base_image/`;
    } else if (untouched) {
      // Only before this run touched the actor: afterwards the run's own changes make the plan "stale".
      const plan = await readActorPlan(this.request.dataRoot, actorId);
      if (plan.state === 'ok' && (await planStaleness(plan.value, actor, this.hasher)).stale) {
        skip = `the plan is stale (files changed since planning); run ${actionName('plan')} again`;
      }
    }
    if (!skip && actor.baseImage && operations.some((operation) => operation.kind === 'generate' && operation.state !== 'done')) {
      // Errors surface in the generations themselves; this only gets the encoding done early.
      this.request.generator.prepare?.(actor.baseImage.path).catch(() => undefined);
    }
    if (!skip) {
      // Numbers in plan order, all at once: the names are the ones a dry run announced.
      const unnumbered = operations.filter((operation) => operation.kind === 'generate' && operation.state === 'pending' && operation.number === undefined);
      if (unnumbered.length > 0) {
        const numbers = await reserveImageNumbers(this.request.dataRoot, actorId, unnumbered.length);
        unnumbered.forEach((operation, position) => (operation.number = numbers[position]));
        await this.journal.persist();
      }
    }
    if (skip) {
      await this.skip(actorId, skip);
    }
    return actor.baseImage?.path;
  }

  /** Marks the actor's unfinished operations skipped, with the reason, in the journal. */
  private async skip(actorId: string, reason: string): Promise<void> {
    const now = isoTime();
    for (const operation of this.journal.data.operations) {
      if (operation.actor_id === actorId && (operation.state === 'pending' || operation.state === 'started')) {
        Object.assign(operation, { state: 'skipped', skip_reason: reason, finished_at: now });
      }
    }
    this.journal.data.skipped_actors.push({ actor_id: actorId, reason });
    await this.journal.persist();
    this.emit({ type: 'actor-skipped', actorId, reason });
  }
}
