import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { fileName, isoTimestamp } from '../manifest/common';
import { formatJson, readJsonForUpdate } from '../manifest/jsonFile';
import { loadManifest, rewriteManifest, withActorLock } from '../manifest/manifestStore';
import { imageEntrySchema, type ImageEntry } from '../manifest/manifestSchema';
import { addResponseUrl, removeResponseUrl } from '../manifest/legacyResponse';
import { restorePromptMetadata, takePromptMetadata } from '../manifest/promptMetadata';
import { assertWritableInside, realPathInside } from '../workspace/guards';
import { ACTORS_DIR, actorPaths, trashRecordPath, trashRunDir, trashTrainingDir } from '../workspace/layout';
import { exists } from '../fs/files';
import { isoTime } from '../util/time';

/**
 * The trash of a run: data/.trash/<runId>/actors/<actorId>/training_data/<file> (the layout of the
 * data folder, so numbering sees trashed numbers), and beside the files `trash.json` with each
 * file's manifest entry and prompt metadata and where they stood, so undo puts back exactly
 * what was there.
 */
const trashRecordSchema = z.looseObject({
  entries: z
    .array(
      z.looseObject({
        filename: fileName,
        trashed_at: isoTimestamp,
        manifest_position: z.number().int().min(0).nullable(),
        manifest_entry: imageEntrySchema.nullable(),
        prompt_metadata_position: z.number().int().min(0).nullable(),
        prompt_metadata: z.record(z.string(), z.unknown()).nullable(),
        restored_at: isoTimestamp.optional(),
      }),
    )
    .default([]),
});
type TrashRecord = z.infer<typeof trashRecordSchema>;
export type TrashedEntry = TrashRecord['entries'][number];

async function readRecord(file: string): Promise<TrashRecord> {
  return readJsonForUpdate(
    file,
    trashRecordSchema,
    (problems) => new InputError(`${file} is not valid (${problems[0].message}); it was left as it is.`, { file }),
  );
}

export interface TrashOutcome {
  /** False when neither the file nor its entry was there any more (nothing to do). */
  moved: boolean;
  entry?: ImageEntry;
  /** The image is in the trash, but prompt_metadata.json could not be updated. */
  warning?: string;
}

/**
 * Moves an image and its manifest and prompt-metadata entries into the run's trash, under the
 * actor's lock. Safe to repeat after a crash at any step: the record is written before the file
 * moves, and each step checks what is already done.
 */
export async function moveToTrash(dataRoot: string, runId: string, actorId: string, filename: string, now: Date): Promise<TrashOutcome> {
  const { trainingDir } = actorPaths(dataRoot, actorId);
  const source = path.join(trainingDir, filename);
  const folder = trashTrainingDir(dataRoot, runId, actorId);
  const recordFile = trashRecordPath(dataRoot, runId, actorId);
  await assertWritableInside(dataRoot, folder);
  await assertWritableInside(dataRoot, recordFile);
  return withActorLock(dataRoot, actorId, async () => {
    const record = await readRecord(recordFile);
    let trashed = record.entries.find((entry) => entry.filename === filename && !entry.restored_at);
    let entry: ImageEntry | undefined;
    const manifest = await loadManifest(actorPaths(dataRoot, actorId).manifest);
    const position = manifest.images.findIndex((image) => image.filename === filename);
    if (position >= 0) {
      entry = manifest.images[position];
      if (!trashed) {
        trashed = {
          filename,
          trashed_at: isoTime(now),
          manifest_position: position,
          manifest_entry: entry,
          prompt_metadata_position: null,
          prompt_metadata: null,
        };
        record.entries.push(trashed);
      }
    }
    const fileThere = await exists(source);
    if (!trashed && !fileThere) {
      return { moved: false };
    }
    if (!trashed) {
      trashed = {
        filename,
        trashed_at: isoTime(now),
        manifest_position: null,
        manifest_entry: null,
        prompt_metadata_position: null,
        prompt_metadata: null,
      };
      record.entries.push(trashed);
    }
    // The record first: whatever happens next, undo knows where things stood.
    await fs.mkdir(folder, { recursive: true });
    await writeFileAtomic(recordFile, formatJson(record));
    if (fileThere) {
      await fs.rename(source, path.join(folder, filename));
    }
    if (position >= 0) {
      await rewriteManifest(dataRoot, actorId, (current) => {
        current.images = current.images.filter((image) => image.filename !== filename);
      });
    }
    // The image is trashed now: a prompt_metadata.json or response.json that broke meanwhile is a warning, not a failure.
    let metadataWarning: string | undefined;
    const metadata = await takePromptMetadata(dataRoot, actorId, filename).catch((error: Error) => {
      metadataWarning = `prompt_metadata.json was not updated (${error.message}); Reconcile Data brings it in step once it is fixed`;
      return undefined;
    });
    if (metadata) {
      trashed.prompt_metadata = metadata.entry;
      trashed.prompt_metadata_position = metadata.position;
      await writeFileAtomic(recordFile, formatJson(record));
    }
    const warning = [metadataWarning, await removeResponseUrl(dataRoot, actorId, filename)].filter(Boolean).join('; ');
    return { moved: true, entry: entry ?? trashed.manifest_entry ?? undefined, ...(warning ? { warning } : {}) };
  });
}

/** Actors with something in a run's trash. */
export async function trashedActors(dataRoot: string, runId: string): Promise<string[]> {
  try {
    return (await fs.readdir(path.join(trashRunDir(dataRoot, runId), ACTORS_DIR))).sort();
  } catch {
    return [];
  }
}

export interface RestoreOutcome {
  restored: { filename: string; entry: ImageEntry | null; warning?: string }[];
  failed: { filename: string; reason: string }[];
}

/**
 * Puts an actor's trashed images of a run back: the file, the manifest entry at its old position
 * and the prompt-metadata entry. A file whose name is taken again is left in the trash and reported.
 */
export async function restoreFromTrash(dataRoot: string, runId: string, actorId: string, now: Date): Promise<RestoreOutcome> {
  const { trainingDir } = actorPaths(dataRoot, actorId);
  const recordFile = trashRecordPath(dataRoot, runId, actorId);
  const folder = trashTrainingDir(dataRoot, runId, actorId);
  // The trash is a folder of the data folder like any other: a link in it never leads undo outside.
  for (const checked of [trainingDir, recordFile, folder]) {
    await assertWritableInside(dataRoot, checked);
  }
  return withActorLock(dataRoot, actorId, async () => {
    const record = await readRecord(recordFile);
    const outcome: RestoreOutcome = { restored: [], failed: [] };
    const realRoot = await fs.realpath(dataRoot);
    // Last trashed first: each position was taken in the manifest as it was then, so undoing in
    // reverse order puts every entry back exactly where it stood.
    const pending = record.entries.filter((entry) => !entry.restored_at).reverse();
    for (const trashed of pending) {
      const target = path.join(trainingDir, trashed.filename);
      const inTrash = path.join(folder, trashed.filename);
      if (await exists(target)) {
        outcome.failed.push({
          filename: trashed.filename,
          reason: `${trashed.filename} exists again in the training folder; the trashed copy stays in ${folder}`,
        });
        continue;
      }
      if (!realPathInside(realRoot, inTrash) && (await exists(inTrash))) {
        outcome.failed.push({ filename: trashed.filename, reason: `${inTrash} links outside the data folder; it stays in the trash` });
        continue;
      }
      if (await exists(inTrash)) {
        await fs.rename(inTrash, target);
      }
      const entry = trashed.manifest_entry;
      if (entry) {
        await rewriteManifest(dataRoot, actorId, (manifest) => {
          if (!manifest.images.some((image) => image.filename === trashed.filename)) {
            manifest.images.splice(Math.min(trashed.manifest_position ?? manifest.images.length, manifest.images.length), 0, entry);
          }
        });
      }
      // The file and its manifest entry are back: an unwritable prompt_metadata.json or response.json is a warning.
      let metadataWarning: string | undefined;
      if (trashed.prompt_metadata) {
        await restorePromptMetadata(
          dataRoot,
          actorId,
          trashed.filename,
          trashed.prompt_metadata as never,
          trashed.prompt_metadata_position ?? Number.MAX_SAFE_INTEGER,
        ).catch((error: Error) => {
          metadataWarning = `prompt_metadata.json was not updated (${error.message}); Reconcile Data brings it in step once it is fixed`;
        });
      }
      const url = entry?.s3_url;
      const warning = [metadataWarning, url ? await addResponseUrl(dataRoot, actorId, trashed.filename, url) : undefined].filter(Boolean).join('; ');
      trashed.restored_at = isoTime(now);
      await writeFileAtomic(recordFile, formatJson(record));
      outcome.restored.push({ filename: trashed.filename, entry, ...(warning ? { warning } : {}) });
    }
    return outcome;
  });
}
