import type { FailureReason, Generator } from '../generate/types';
import type { TrainingCategory } from '../manifest/categories';
import type { CostEstimate } from '../plan/cost';
import type { ObjectStore } from '../storage/types';

/** What an execution does (the old tool's --dry-run, --delete-only, --generate-only, everything). */
export type ExecutionMode = 'everything' | 'delete_only' | 'generate_only';
export const EXECUTION_MODES: readonly ExecutionMode[] = ['everything', 'delete_only', 'generate_only'];

/** Model requests in flight at once across all actors, unless a setting says otherwise. */
export const DEFAULT_CONCURRENCY = 2;
/** The concurrency setting's value that adapts to the service's rate limit (AIMD, adaptiveConcurrency.ts). */
export const AUTO_CONCURRENCY = 'auto';
export type Concurrency = number | typeof AUTO_CONCURRENCY;

export type OperationKind = 'delete' | 'generate';
export type OperationState = 'pending' | 'started' | 'done' | 'failed' | 'skipped';

/** One operation of a run, as the journal records it and events report it. */
export interface OperationView {
  /** Stable within a run: `<actorId>/delete/<filename>` or `<actorId>/generate/<n>` (n = position in the plan). */
  id: string;
  actorId: string;
  kind: OperationKind;
  state: OperationState;
  /** delete: the file that goes to the trash; generate: the file written (known once its number is reserved). */
  filename?: string;
  /** delete: the planner's reason. */
  reason?: string;
  /** generate: category, prompt id and filled prompt text. */
  category?: TrainingCategory;
  promptId?: string;
  prompt?: string;
  /** generate: the number reserved under the actor's lock (never reused). */
  number?: number;
  /** failed: one of the generation failure reasons (or `storage`, `io`), and a message without secrets. */
  failureReason?: FailureReason | 'io';
  error?: string;
  /** skipped: why (e.g. the file was already gone). */
  skipReason?: string;
  /** A warning that did not fail the operation (e.g. the S3 object could not be deleted). */
  warning?: string;
}

export type ExecutionEvent =
  | { type: 'run-started'; runId: string; resumed: boolean; total: number; done: number; journal: string }
  | { type: 'operation-started'; operation: OperationView }
  | { type: 'operation-finished'; operation: OperationView; done: number; total: number }
  | { type: 'actor-skipped'; actorId: string; reason: string }
  /** Free text for a status line ("waiting for another process executing 0000_x", "retrying in 4 s"). */
  | { type: 'status'; message: string };

export interface ExecuteRequest {
  dataRoot: string;
  /** One actor or all; each needs a plan file (data/action_plans/<actorId>_action_plan.json). */
  actorIds: readonly string[];
  mode: ExecutionMode;
  generator: Generator;
  /** Mirrors generated images and deletes objects of deleted ones; absent: no object store. */
  store?: ObjectStore;
  /** Model requests in flight at once across all actors (default DEFAULT_CONCURRENCY), or `auto`: adapted to throttling. */
  concurrency?: Concurrency;
  /** Stops new work; in-flight generations are cancelled (a result that already arrived is saved). */
  signal?: AbortSignal;
  onEvent?: (event: ExecutionEvent) => void;
  /**
   * `auto` (default): an unfinished run over the same actors and mode is resumed, finished
   * operations are not repeated. `never`: always a new run (the unfinished one stays as it is).
   */
  resume?: 'auto' | 'never';
  /** A spending limit checked before every paid request (Balance); none: no limit. */
  budget?: SpendGuard;
  /**
   * Runs once every operation is finished and before the run is recorded as completed (so a kill
   * in between resumes into it again): the application brings the executed actors' manifests in
   * step with their files. Its failure is a status message; the run still completes.
   */
  beforeCompleted?: (actorIds: string[]) => Promise<Pick<ExecutionSummary, 'adopted' | 'droppedEntries'>>;
  /** Tests: a fixed clock. */
  now?: () => Date;
}

/**
 * A spending limit shared by concurrent requests: `reserve` is asked before each paid request
 * and answers whether its price still fits (reserving it); the reservation is kept when the
 * request was paid for and released when it failed before a result.
 */
export interface SpendGuard {
  reserve(): Promise<boolean>;
  settle(paid: boolean): Promise<void>;
}

/** One change that brought a manifest in step with its files, and what was done, for people. */
export interface ManifestSync {
  actorId: string;
  filename: string;
  note: string;
}

export interface ExecutionSummary {
  runId: string;
  mode: ExecutionMode;
  /** completed: every operation ended (done, failed or skipped); cancelled: stopped early, resumable. */
  status: 'completed' | 'cancelled';
  resumed: boolean;
  /** The journal file (data/action_plans/runs/<runId>.json). */
  journal: string;
  done: OperationView[];
  failed: OperationView[];
  skipped: OperationView[];
  /** Operations not started (cancelled runs). */
  remaining: number;
  /** Actors not executed at all, with the reason (no plan, invalid plan, stale plan, invalid manifest). */
  skippedActors: { actorId: string; reason: string }[];
  /** Estimated spend of the generations that produced an image (cost.ts prices). */
  spend: CostEstimate;
  /**
   * After the actors' operations (core/app/execution): kept image files that were not in the
   * manifest, adopted, and entries whose file was gone, moved to a trash record.
   */
  adopted?: ManifestSync[];
  droppedEntries?: ManifestSync[];
}

/** What a dry run says would happen; nothing is written. */
export interface DryRunResult {
  mode: ExecutionMode;
  actors: DryRunActor[];
  /** Totals over all actors. */
  deletions: number;
  generations: number;
  cost: CostEstimate;
}

export interface DryRunActor {
  actorId: string;
  /** Why this actor would not be executed (no plan, stale plan, ...); its lists are then empty. */
  skipReason?: string;
  /** The plan no longer matches the files (changed by hand since planning): re-planning it lets it run. */
  stale?: boolean;
  /** Files that would move to the trash: from the training folder to data/.trash/<runId>/... */
  trash: { filename: string; reason: string; to: string; s3Key?: string }[];
  /** Files that would be created, with the names they would get (numbers from the highest ever seen, plus one). */
  create: { filename: string; category: TrainingCategory; promptId: string; prompt: string }[];
  /** Image files not in the manifest that the plan keeps: the execution adopts them (as Reconcile's Fix does). */
  adopt: string[];
  /** Manifest entries whose file is gone: the execution moves them to a trash record (as Reconcile's Fix does). */
  dropEntries: string[];
}

export interface UndoRequest {
  dataRoot: string;
  /** Default: the latest run that deleted something and was not undone yet. */
  runId?: string;
  /** Re-uploads restored images that had an object (queued when S3 is down). */
  store?: ObjectStore;
  signal?: AbortSignal;
}

export interface UndoSummary {
  runId: string;
  /** Restored files (actor id and file name). */
  restored: { actorId: string; filename: string; warning?: string }[];
  /** Not restored, with the reason (e.g. a file of that name exists again). */
  failed: { actorId: string; filename: string; reason: string }[];
  reuploaded: number;
  /** Re-uploads waiting in data/tracking/pending_uploads.json. */
  queued: number;
}

/** A run as listed for "Undo Last Execution" and `actor-studio undo`. */
export interface RunInfo {
  runId: string;
  mode: ExecutionMode;
  actorIds: string[];
  status: 'running' | 'cancelled' | 'completed';
  startedAt: string;
  finishedAt?: string;
  deleted: number;
  generated: number;
  failed: number;
  /** Set once its deletions were put back. */
  undoneAt?: string;
  /** Set once its trash was emptied: nothing is left to put back. */
  trashEmptiedAt?: string;
}
