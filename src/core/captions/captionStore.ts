import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { InputError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { withFileLock, type LockOptions } from '../fs/fileLock';
import { captionUndoSchema, type CaptionEditRecord, type CaptionUndoFile } from '../manifest/captionUndoSchema';
import { describeJsonProblems, formatJson, readJsonForUpdate } from '../manifest/jsonFile';
import { loadManifest, updateManifest } from '../manifest/manifestStore';
import type { ImageEntry } from '../manifest/manifestSchema';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths, captionUndoPath } from '../workspace/layout';
import { isoTime } from '../util/time';
import { sameStoredCaption, storedCaption, type CaptionChange, type StoredCaption } from './captionEdits';

/*
 * Writing captions: the changes of a preview go into the manifest entries under each actor's lock
 * (the manifest store: atomic, unknown fields kept) with `caption_source: "user"`, and every edit
 * that changed something is recorded in action_plans/caption_undo.json. Undo takes the newest
 * record back; several levels are kept (MAX_UNDO_LEVELS), the oldest dropped first.
 */

export const MAX_UNDO_LEVELS = 20;

export interface CaptionWriteOptions {
  /** For the actor's lock and the undo file's lock. */
  lockTimeoutMs?: number;
  now?: () => Date;
}

export interface AppliedCaptionEdit {
  /** The undo record; undefined when no caption changed (nothing written, nothing to undo). */
  record?: CaptionEditRecord;
  written: number;
}

/**
 * Writes the changed captions of a preview (previewCaptionEdit) and records the edit for undo.
 * An image whose stored caption is no longer what the preview saw refuses the whole actor
 * (nothing of it is written): preview again. Actors are written one at a time; if one fails, what
 * was written before it is still recorded for undo, then the error is thrown.
 */
export async function applyCaptionChanges(
  dataRoot: string,
  changes: readonly CaptionChange[],
  description: string,
  options: CaptionWriteOptions = {},
): Promise<AppliedCaptionEdit> {
  const byActor = groupByActor(changes.filter((change) => change.changed));
  const written: CaptionEditRecord['changes'] = [];
  let failure: unknown;
  for (const [actorId, actorChanges] of byActor) {
    try {
      await updateManifest(
        dataRoot,
        actorId,
        (manifest) => {
          for (const change of actorChanges) {
            const entry = findEntry(manifest.images, actorId, change.filename, dataRoot);
            if (!sameStoredCaption(storedCaption(entry), change.stored)) {
              throw new InputError(`the caption of ${actorId}/${change.filename} changed since the preview; preview the edit again`, {
                file: actorPaths(dataRoot, actorId).manifest,
              });
            }
          }
          for (const change of actorChanges) {
            writeStored(findEntry(manifest.images, actorId, change.filename, dataRoot), { caption: change.after, caption_source: 'user' });
          }
        },
        { timeoutMs: options.lockTimeoutMs },
      );
      for (const change of actorChanges) {
        written.push({ actor_id: actorId, filename: change.filename, before: { ...change.stored }, after: { caption: change.after, caption_source: 'user' } });
      }
    } catch (error) {
      failure = error;
      break;
    }
  }
  const record = written.length > 0 ? await recordEdit(dataRoot, description, written, options) : undefined;
  if (failure) {
    throw failure;
  }
  return { ...(record ? { record } : {}), written: written.length };
}

export interface UndoneCaptionEdit {
  record: CaptionEditRecord;
  /** Images restored. */
  restored: number;
  /** Images no longer in their manifest (deleted since): nothing to restore. */
  gone: string[];
  /** Edits still left to undo. */
  remaining: number;
}

/**
 * Undoes the newest caption edit: each image gets back exactly the stored caption and source it
 * had (or none). Refused, with nothing written, when any of its captions was changed again since;
 * undefined when there is nothing to undo.
 */
export async function undoCaptionEdit(dataRoot: string, options: CaptionWriteOptions = {}): Promise<UndoneCaptionEdit | undefined> {
  const file = captionUndoPath(dataRoot);
  return withUndoFile(dataRoot, options, async (undo) => {
    const record = undo.edits.at(-1);
    if (!record) {
      return { result: undefined };
    }
    const byActor = groupByActor(record.changes.map((change) => ({ ...change, actorId: change.actor_id })));
    // Every actor checked before any is written, so a refusal leaves everything as it was.
    const gone: string[] = [];
    for (const [actorId, actorChanges] of byActor) {
      const images = await imagesOf(dataRoot, actorId);
      checkUnchanged(actorId, actorChanges, images, file, gone);
    }
    let restored = 0;
    for (const [actorId, actorChanges] of byActor) {
      if (actorChanges.every((change) => gone.includes(`${actorId}/${change.filename}`))) {
        continue;
      }
      await updateManifest(
        dataRoot,
        actorId,
        (manifest) => {
          const stillGone: string[] = [];
          checkUnchanged(actorId, actorChanges, manifest.images, file, stillGone);
          for (const change of actorChanges) {
            const entry = manifest.images.find((image) => image.filename === change.filename);
            if (entry) {
              writeStored(entry, change.before);
              restored++;
            }
          }
        },
        { timeoutMs: options.lockTimeoutMs },
      );
    }
    undo.edits.pop();
    return { result: { record, restored, gone, remaining: undo.edits.length }, write: true };
  });
}

/** The edits that can be undone, oldest first (an empty list when there is no undo file). */
export async function listCaptionEdits(dataRoot: string): Promise<CaptionEditRecord[]> {
  return (await readUndoFile(dataRoot)).edits;
}

async function recordEdit(
  dataRoot: string,
  description: string,
  changes: CaptionEditRecord['changes'],
  options: CaptionWriteOptions,
): Promise<CaptionEditRecord> {
  const now = (options.now ?? (() => new Date()))();
  const record: CaptionEditRecord = { id: randomUUID(), created_at: isoTime(now), description, changes };
  await withUndoFile(dataRoot, options, async (undo) => {
    undo.edits.push(record);
    undo.edits.splice(0, Math.max(0, undo.edits.length - MAX_UNDO_LEVELS));
    return { result: undefined, write: true };
  });
  return record;
}

/** Reads the undo file under its lock, lets `work` change it, and writes it back when asked. */
async function withUndoFile<T>(
  dataRoot: string,
  options: CaptionWriteOptions,
  work: (undo: CaptionUndoFile) => Promise<{ result: T; write?: boolean }>,
): Promise<T> {
  const file = captionUndoPath(dataRoot);
  await assertWritableInside(dataRoot, file);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const lock: LockOptions = { timeoutMs: options.lockTimeoutMs };
  return withFileLock(
    `${file}.lock`,
    async () => {
      const undo = await readUndoFile(dataRoot);
      const { result, write } = await work(undo);
      if (write) {
        await writeFileAtomic(file, formatJson(undo));
      }
      return result;
    },
    lock,
  );
}

function readUndoFile(dataRoot: string): Promise<CaptionUndoFile> {
  const file = captionUndoPath(dataRoot);
  return readJsonForUpdate(file, captionUndoSchema, (problems) => new InputError(describeJsonProblems(file, problems), { file }));
}

/** Refuses (InputError) when a caption differs from what the edit wrote; images no longer listed go to `gone`. */
function checkUnchanged(
  actorId: string,
  changes: ReadonlyArray<CaptionEditRecord['changes'][number]>,
  images: readonly ImageEntry[],
  undoFile: string,
  gone: string[],
): void {
  const changedSince: string[] = [];
  for (const change of changes) {
    const entry = images.find((image) => image.filename === change.filename);
    if (!entry) {
      gone.push(`${actorId}/${change.filename}`);
    } else if (!sameStoredCaption(storedCaption(entry), change.after as StoredCaption)) {
      changedSince.push(change.filename);
    }
  }
  if (changedSince.length > 0) {
    const names = changedSince.slice(0, 3).join(', ') + (changedSince.length > 3 ? ` and ${changedSince.length - 3} more` : '');
    throw new InputError(`cannot undo: the caption of ${actorId}/${names} was changed again since that edit (${undoFile})`, { file: undoFile });
  }
}

async function imagesOf(dataRoot: string, actorId: string): Promise<ImageEntry[]> {
  return (await loadManifest(actorPaths(dataRoot, actorId).manifest)).images;
}

function findEntry(images: ImageEntry[], actorId: string, filename: string, dataRoot: string): ImageEntry {
  const entry = images.find((image) => image.filename === filename);
  if (!entry) {
    const manifest = actorPaths(dataRoot, actorId).manifest;
    throw new InputError(`${manifest}: no image "${filename}" in this manifest`, { file: manifest });
  }
  return entry;
}

/** Puts the stored caption fields on an entry; absent fields are removed (back to the seed). */
function writeStored(entry: ImageEntry, stored: StoredCaption): void {
  delete entry.caption;
  delete entry.caption_source;
  if (stored.caption !== undefined) {
    entry.caption = stored.caption;
  }
  if (stored.caption_source !== undefined) {
    entry.caption_source = stored.caption_source;
  }
}

function groupByActor<T extends { actorId: string }>(changes: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const change of changes) {
    const group = groups.get(change.actorId) ?? [];
    group.push(change);
    groups.set(change.actorId, group);
  }
  return groups;
}
