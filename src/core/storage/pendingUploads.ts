import { StudioError } from '../errors';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { withFileLock } from '../fs/fileLock';
import { describeJsonProblems, formatJson, JsonProblem, readJsonForUpdate } from '../manifest/jsonFile';
import { assertWritableInside, isInside } from '../workspace/guards';
import { actorPaths, ACTORS_DIR, TRAINING_DIR, pendingUploadsPath, trackingLockPath } from '../workspace/layout';
import { reasonAffectsAll, StorageError, StorageErrorReason } from './errors';
import { assertPlainName } from './keys';
import { PendingUpload, PendingUploads, pendingUploadsSchema } from '../manifest/pendingUploadsSchema';
import { ObjectStore } from './types';
import { isoTime } from '../util/time';

/*
 * When the object store cannot take an upload, the local file stands and the upload waits in
 * `<dataRoot>/tracking/pending_uploads.json` until drainPending retries it. Nothing here deletes
 * or rewrites an image, and nothing edits a manifest: URLs are returned for the caller to record.
 */

function queueLockPath(dataRoot: string): string {
  return trackingLockPath(dataRoot, 'pending_uploads');
}

export class PendingUploadsFileError extends StudioError {
  constructor(
    override readonly file: string,
    readonly problems: JsonProblem[],
  ) {
    super(`${file} is not a valid pending uploads file, so it was left as it is: ` + describeJsonProblems(file, problems), 'input');
    this.name = 'PendingUploadsFileError';
  }
}

/** The queued uploads; none when the file does not exist. Throws PendingUploadsFileError when invalid. */
export async function readPendingUploads(dataRoot: string): Promise<PendingUpload[]> {
  return (await loadQueue(pendingUploadsPath(dataRoot))).uploads;
}

export interface UploadRequest {
  actorId: string;
  /** The object's file name (the last segment of its key). */
  filename: string;
  /** The local file: absolute, or relative to the data folder; it must lie inside the actor's folder. */
  localPath: string;
  contentType: string;
}

export interface UploadOutcome {
  /** Set when the upload succeeded: the URL to record in the manifest. */
  url?: string;
  /** True when the store failed and the upload now waits in the queue. */
  queued: boolean;
  /** Why the upload failed (safe to show: no secrets). */
  error?: string;
  reason?: StorageErrorReason;
}

/**
 * Uploads a local file, or queues it when the store fails. A storage failure never throws: the
 * outcome says `queued` with the reason. It throws only for what retrying cannot fix: a bad actor
 * id or file name, a path outside the actor's folder, an unreadable local file, an invalid queue
 * file. With the offline store (kind 'none') nothing is uploaded or queued: `{ queued: false }`.
 */
export async function uploadOrQueue(store: ObjectStore, dataRoot: string, request: UploadRequest): Promise<UploadOutcome> {
  const { actorId, filename, contentType } = request;
  const local = await resolveLocalFile(dataRoot, actorId, filename, request.localPath);
  if (store.kind === 'none') {
    return { queued: false };
  }
  const readAt = Date.now();
  const body = await fs.readFile(local.absolute);
  const key = store.keyFor(actorId, filename);
  try {
    const { url } = await store.put(key, body, contentType);
    await forgetQueuedAfterSuccess(dataRoot, actorId, filename, readAt);
    return { url, queued: false };
  } catch (error) {
    const failure = asStorageError(error);
    const now = isoTime();
    await updateQueue(dataRoot, (uploads) => {
      const index = uploads.findIndex((entry) => entry.actor_id === actorId && entry.filename === filename);
      const previous = index >= 0 ? uploads[index] : undefined;
      const entry: PendingUpload = {
        ...previous,
        actor_id: actorId,
        filename,
        key,
        content_type: contentType,
        local_path: local.relative,
        // A fresh time marks a new version of the file, so a drain running now keeps this entry.
        queued_at: now,
        attempts: (previous?.attempts ?? 0) + 1,
        last_error: failure.message,
        last_attempt_at: now,
      };
      if (index >= 0) {
        uploads[index] = entry;
      } else {
        uploads.push(entry);
      }
      return true;
    });
    return { queued: true, error: failure.message, reason: failure.reason };
  }
}

export interface DrainedUpload {
  actorId: string;
  filename: string;
  key: string;
}

export type DrainResult =
  | (DrainedUpload & { status: 'uploaded'; url: string })
  | (DrainedUpload & { status: 'failed'; error: string; reason: StorageErrorReason })
  | (DrainedUpload & { status: 'dropped'; reason: string });

export interface DrainOptions {
  signal?: AbortSignal;
  /**
   * Called for each entry before the queue forgets it, so recording a URL here (in the manifest)
   * survives a crash: if it throws, the entry stays queued and drainPending rethrows. A string
   * returned is a warning kept with the uploaded entry (the upload itself went through).
   */
  onResult?: (result: DrainResult) => void | string | undefined | Promise<void | string | undefined>;
}

export interface DrainSummary {
  uploaded: Array<DrainedUpload & { url: string; warning?: string }>;
  /** Tried and failed; still queued, with the attempt counted. */
  failed: Array<DrainedUpload & { error: string; reason: StorageErrorReason }>;
  /** Removed from the queue because their local file is gone: nothing left to upload. */
  dropped: Array<DrainedUpload & { reason: string }>;
  /** Entries still queued afterwards (failed, not reached, or queued meanwhile). */
  remaining: number;
  /** Set when the drain stopped early: cancelled, or a failure every upload would hit. */
  stoppedBecause?: string;
}

/**
 * Retries every queued upload from its local file, in queue order. Stops at the first failure
 * that every upload would share (server down, bad credentials...), leaving the rest untouched.
 * Uploads run outside the queue lock (they can be slow); each result is written back under it.
 */
export async function drainPending(store: ObjectStore, dataRoot: string, options: DrainOptions = {}): Promise<DrainSummary> {
  const summary: DrainSummary = { uploaded: [], failed: [], dropped: [], remaining: 0 };
  const snapshot = await readPendingUploads(dataRoot);
  if (store.kind === 'none') {
    return { ...summary, remaining: snapshot.length, stoppedBecause: 'no object store is configured' };
  }
  for (const entry of snapshot) {
    if (options.signal?.aborted) {
      summary.stoppedBecause = 'cancelled';
      break;
    }
    const result = await retry(store, dataRoot, entry);
    const warning = await options.onResult?.(result);
    const item = { actorId: result.actorId, filename: result.filename, key: result.key };
    if (result.status === 'failed') {
      summary.failed.push({ ...item, error: result.error, reason: result.reason });
      await updateQueue(dataRoot, (uploads) => markAttempt(uploads, entry, result.key, result.error));
      if (reasonAffectsAll(result.reason)) {
        summary.stoppedBecause = result.error;
        break;
      }
      continue;
    }
    await updateQueue(dataRoot, (uploads) => removeEntry(uploads, entry));
    if (result.status === 'uploaded') {
      summary.uploaded.push({ ...item, url: result.url, ...(warning ? { warning } : {}) });
    } else {
      summary.dropped.push({ ...item, reason: result.reason });
    }
  }
  summary.remaining = (await readPendingUploads(dataRoot)).length;
  return summary;
}

async function retry(store: ObjectStore, dataRoot: string, entry: PendingUpload): Promise<DrainResult> {
  const base = { actorId: entry.actor_id, filename: entry.filename, key: entry.key };
  let body: Buffer;
  try {
    const local = await resolveLocalFile(dataRoot, entry.actor_id, entry.filename, entry.local_path ?? defaultLocalPath(entry));
    try {
      body = await fs.readFile(local.absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { ...base, status: 'dropped', reason: `the local file ${local.relative} no longer exists, so there is nothing to upload` };
      }
      throw error;
    }
  } catch (error) {
    // A hand-edited entry pointing elsewhere, or an unreadable file: reported and kept for a person to fix.
    return { ...base, status: 'failed', error: (error as Error).message, reason: 'other' };
  }
  // The current settings decide where objects go; `key` records where this one was headed.
  const key = store.keyFor(entry.actor_id, entry.filename);
  try {
    const { url } = await store.put(key, body, entry.content_type);
    return { ...base, key, status: 'uploaded', url };
  } catch (error) {
    const failure = asStorageError(error);
    return { ...base, key, status: 'failed', error: failure.message, reason: failure.reason };
  }
}

function defaultLocalPath(entry: PendingUpload): string {
  return path.join(ACTORS_DIR, entry.actor_id, TRAINING_DIR, entry.filename);
}

/** The same queued version of an entry: a re-queue in between gives it a new `queued_at`. */
function sameEntry(a: PendingUpload, b: PendingUpload): boolean {
  return a.actor_id === b.actor_id && a.filename === b.filename && a.queued_at === b.queued_at;
}

function removeEntry(uploads: PendingUpload[], entry: PendingUpload): boolean {
  const index = uploads.findIndex((candidate) => sameEntry(candidate, entry));
  if (index < 0) {
    return false;
  }
  uploads.splice(index, 1);
  return true;
}

function markAttempt(uploads: PendingUpload[], entry: PendingUpload, key: string, error: string): boolean {
  const current = uploads.find((candidate) => sameEntry(candidate, entry));
  if (!current) {
    return false;
  }
  current.key = key;
  current.attempts = (current.attempts ?? 0) + 1;
  current.last_error = error;
  current.last_attempt_at = isoTime();
  return true;
}

/**
 * After a direct upload succeeds, an entry for the same file queued before its bytes were read is
 * obsolete (one queued later may hold newer bytes, and stays). Best effort: if the queue cannot
 * be read, the entry only causes a harmless re-upload later, and the upload that just succeeded
 * must not be reported as failed.
 */
async function forgetQueuedAfterSuccess(dataRoot: string, actorId: string, filename: string, readAt: number): Promise<void> {
  try {
    await fs.access(pendingUploadsPath(dataRoot));
  } catch {
    return;
  }
  await updateQueue(dataRoot, (uploads) => {
    const index = uploads.findIndex((entry) => entry.actor_id === actorId && entry.filename === filename && !(Date.parse(entry.queued_at) >= readAt));
    if (index >= 0) {
      uploads.splice(index, 1);
    }
    return index >= 0;
  }).catch(() => undefined);
}

function asStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) {
    return error;
  }
  return new StorageError(`upload failed: ${error instanceof Error ? error.message : String(error)}`, 'other');
}

/** Reads, changes and writes the queue under its lock; writes only when `change` says it changed something. */
async function updateQueue(dataRoot: string, change: (uploads: PendingUpload[]) => boolean): Promise<void> {
  const file = pendingUploadsPath(dataRoot);
  await assertWritableInside(dataRoot, file);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await withFileLock(queueLockPath(dataRoot), async () => {
    const queue = await loadQueue(file);
    if (change(queue.uploads)) {
      await writeFileAtomic(file, formatJson(pendingUploadsSchema.parse(queue)));
    }
  });
}

function loadQueue(file: string): Promise<PendingUploads> {
  return readJsonForUpdate(file, pendingUploadsSchema, (problems) => new PendingUploadsFileError(file, problems));
}

/**
 * The local file as an absolute path and as the path relative to the data folder that the queue
 * stores. It must lie inside the actor's own folder, also after following links.
 */
async function resolveLocalFile(dataRoot: string, actorId: string, filename: string, localPath: string): Promise<{ absolute: string; relative: string }> {
  assertPlainName(actorId, 'actor id');
  assertPlainName(filename, 'file name');
  const actorDir = actorPaths(dataRoot, actorId).dir;
  const absolute = path.resolve(dataRoot, localPath);
  if (!isInside(actorDir, absolute) || absolute === path.resolve(actorDir)) {
    throw new Error(`${absolute} is not inside the folder of actor ${actorId} (${actorDir}); only an actor's own files are uploaded`);
  }
  await assertWritableInside(dataRoot, absolute);
  return { absolute, relative: path.relative(path.resolve(dataRoot), absolute).split(path.sep).join('/') };
}
