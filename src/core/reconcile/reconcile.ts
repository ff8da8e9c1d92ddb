import { StudioError } from '../errors';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exists, FileHasher } from '../fs/files';
import { parseJsonText } from '../manifest/jsonFile';
import { withKeptNumbers } from '../manifest/jsonText';
import type { ObjectStore } from '../storage/types';
import { actorFolderOutside, realPathInside } from '../workspace/guards';
import { actorPaths, imageNumber, isImageFile, PLAIN_NAME, recoveredDir } from '../workspace/layout';
import { listRecovered } from '../generate/recovered';
import type { DriftFinding, DriftKind, ReconcileReport, ReconcileRequest } from './types';

/**
 * Reconcile compares what a manifest says with what is there. Manifests are read raw (parseJsonText),
 * not through the zod loader: the old tool's manifests (s3_url holding a response object) are
 * invalid for it, and those are exactly the ones to report on. Nothing here writes.
 */

/** A manifest image entry as found in the file: only `filename` is relied on. */
export type RawEntry = Record<string, unknown> & { filename: string };
type RawMetadata = Record<string, Record<string, unknown>>;

export interface ActorState {
  actorId: string;
  trainingDir: string;
  manifestFile: string;
  promptMetadataFile: string;
  /** Image entries in manifest order (a file listed twice appears twice). */
  entries: RawEntry[];
  /** Image files in training_data (regular files, or links that stay inside the data folder). */
  files: string[];
  /** prompt_metadata.json's `images`, or undefined when there is no such file. */
  metadata?: RawMetadata;
}

/** An actor whose files could not be read as JSON: nothing can be compared, so it is reported apart. */
export interface SkippedActor {
  actorId: string;
  file: string;
  reason: string;
}

/** The report, plus the actors that could not be compared (e.g. a manifest that is not JSON). */
export interface ReconcileResult extends ReconcileReport {
  skipped: SkippedActor[];
}

class UnreadableFileError extends StudioError {
  constructor(
    override readonly file: string,
    reason: string,
  ) {
    super(`${file} cannot be read: ${reason}`, 'input');
  }
}

/**
 * A data file as it is, or undefined when there is none. One that is not safe to use (not JSON, a
 * key given twice, nested too deep) throws. `keepNumbers` (for a rewrite) keeps the numbers a
 * double cannot give back as written as their text.
 */
export async function readJsonRaw(file: string, keepNumbers = false): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new UnreadableFileError(file, (error as Error).message);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new UnreadableFileError(file, `not valid JSON (${parsed.problems.map((problem) => `line ${problem.line + 1}: ${problem.message}`).join('; ')})`);
  }
  return keepNumbers ? withKeptNumbers(parsed.value, parsed.scan) : parsed.value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one actor's manifest, prompt metadata and training folder as they are. An actor whose
 * folders link out of the data folder, or whose manifest names a file by a path, is not compared:
 * nothing outside is read, and no fix is offered for it.
 */
export async function readActorState(dataRoot: string, actorId: string): Promise<ActorState> {
  const paths = actorPaths(dataRoot, actorId);
  const outside = actorFolderOutside(dataRoot, actorId);
  if (outside) {
    throw new UnreadableFileError(outside, 'it links outside the data folder; nothing there is read or fixed');
  }
  const realRoot = await fs.realpath(dataRoot);
  for (const file of [paths.manifest, paths.promptMetadata]) {
    if (!realPathInside(realRoot, file) && (await exists(file))) {
      throw new UnreadableFileError(file, 'it links outside the data folder and is not read');
    }
  }
  const manifest = await readJsonRaw(paths.manifest);
  const images = isRecord(manifest) && Array.isArray(manifest.images) ? manifest.images : [];
  const entries = images.filter((entry): entry is RawEntry => isRecord(entry) && typeof entry.filename === 'string');
  const notPlain = entries.find((entry) => !PLAIN_NAME.test(entry.filename));
  if (notPlain) {
    throw new UnreadableFileError(paths.manifest, `${JSON.stringify(notPlain.filename)} is a path, not a file name in training_data/; fix the entry by hand`);
  }
  const metadataFile = await readJsonRaw(paths.promptMetadata);
  const metadata = metadataFile === undefined ? undefined : isRecord(metadataFile) && isRecord(metadataFile.images) ? metadataFile.images : {};
  return {
    actorId,
    trainingDir: paths.trainingDir,
    manifestFile: paths.manifest,
    promptMetadataFile: paths.promptMetadata,
    entries,
    files: await imageFilesIn(dataRoot, paths.trainingDir),
    metadata: metadata as RawMetadata | undefined,
  };
}

async function imageFilesIn(dataRoot: string, dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const realRoot = await fs.realpath(dataRoot);
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || !isImageFile(entry.name)) {
      continue;
    }
    const file = path.join(dir, entry.name);
    // A link is followed only when it stays inside the data folder (as the tree does).
    const usable = entry.isFile() || (entry.isSymbolicLink() && realPathInside(realRoot, file) && (await fs.stat(file)).isFile());
    if (usable) {
      files.push(entry.name);
    }
  }
  return files.sort();
}

/** The first string inside a value that looks like a URL, depth first in key order. */
export function firstUrlIn(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return /^(https?|s3):\/\/\S+$/i.test(value.trim()) ? value.trim() : undefined;
  }
  if (Array.isArray(value) || isRecord(value)) {
    for (const item of Object.values(value)) {
      const found = firstUrlIn(item);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

/** An entry's URL as a string (an object's first URL), or undefined for none. */
export function urlOf(entry: Record<string, unknown>): string | undefined {
  const value = entry.s3_url;
  return typeof value === 'string' ? value || undefined : firstUrlIn(value);
}

/** The entry's number: its `index`, else the number in its file name. */
export function entryNumber(actorId: string, entry: Record<string, unknown>): number | undefined {
  return typeof entry.index === 'number' ? entry.index : imageNumber(actorId, String(entry.filename));
}

/** The folder an actor's objects live under, e.g. `system_actors/training_data/<actorId>/`. */
export function actorPrefix(store: ObjectStore, actorId: string): string {
  const probe = '_';
  return store.keyFor(actorId, probe).slice(0, -probe.length);
}

/** The object key an entry names: its s3_key, else the default key when it records a URL. */
export function namedKey(store: ObjectStore, actorId: string, entry: RawEntry): string | undefined {
  if (typeof entry.s3_key === 'string' && entry.s3_key) {
    return entry.s3_key;
  }
  return urlOf(entry) ? store.keyFor(actorId, entry.filename) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Compares one actor's manifest with its files, its prompt metadata and (with a store) its objects. */
export async function findActorDrift(dataRoot: string, actorId: string, store: ObjectStore | undefined, hasher: FileHasher): Promise<DriftFinding[]> {
  const state = await readActorState(dataRoot, actorId);
  const findings: DriftFinding[] = [];
  const add = (kind: DriftKind, filename: string, file: string | undefined, message: string, fix: string) =>
    findings.push({ kind, actorId, filename, ...(file ? { file } : {}), message, fix });
  const inTraining = (name: string) => path.join(state.trainingDir, name);
  const onDisk = new Set(state.files);

  // One listing per file name: a second listing of the same file is itself drift.
  const firstListing = new Map<string, RawEntry>();
  for (const entry of state.entries) {
    if (firstListing.has(entry.filename)) {
      add(
        'duplicate_index',
        entry.filename,
        state.manifestFile,
        `${entry.filename} is listed more than once in the manifest (the old tool reused its number)`,
        'keep the listing that matches the file (sha256, else the last one) and move the other to the trash record',
      );
    } else {
      firstListing.set(entry.filename, entry);
    }
  }
  const listed = [...firstListing.values()];

  for (const entry of listed) {
    if (entry.s3_url !== undefined && entry.s3_url !== null && typeof entry.s3_url !== 'string') {
      const url = firstUrlIn(entry.s3_url);
      add(
        'url_not_string',
        entry.filename,
        state.manifestFile,
        `${entry.filename}: s3_url holds ${JSON.stringify(entry.s3_url)} instead of a URL string`,
        url ? `replace it by "${url}"` : 'none possible: no URL inside it; edit the manifest by hand',
      );
    }
  }

  const byNumber = new Map<number, RawEntry>();
  for (const entry of listed) {
    const number = entryNumber(actorId, entry);
    const earlier = number === undefined ? undefined : byNumber.get(number);
    if (earlier) {
      add(
        'duplicate_index',
        entry.filename,
        state.manifestFile,
        `${entry.filename} has index ${number}, as ${earlier.filename} does`,
        `give ${entry.filename} the next free number and rename its file`,
      );
    } else if (number !== undefined) {
      byNumber.set(number, entry);
    }
  }

  for (const entry of listed) {
    if (!onDisk.has(entry.filename)) {
      add(
        'missing_file',
        entry.filename,
        state.manifestFile,
        `${entry.filename} is in the manifest but not in training_data/`,
        'move its manifest and prompt-metadata entries to the trash record',
      );
    }
  }
  for (const name of state.files) {
    if (!firstListing.has(name)) {
      add(
        'untracked_file',
        name,
        inTraining(name),
        `${name} is in training_data/ but not in the manifest`,
        'adopt it: number from its name, prompt and time from prompt_metadata.json, sha256, size and dimensions from the file',
      );
    }
  }

  // Files sharing a number: the one the manifest lists first keeps it (listed before unlisted).
  const manifestOrder = (name: string) => (firstListing.has(name) ? listed.indexOf(firstListing.get(name)!) : listed.length);
  const holders = new Map<number, string>();
  for (const name of [...state.files].sort((a, b) => manifestOrder(a) - manifestOrder(b) || a.localeCompare(b))) {
    const number = imageNumber(actorId, name);
    const holder = number === undefined ? undefined : holders.get(number);
    if (holder) {
      add('number_shared', name, inTraining(name), `${name} shares number ${number} with ${holder}`, `give ${name} the next free number and rename it`);
    } else if (number !== undefined) {
      holders.set(number, name);
    }
  }

  for (const entry of listed) {
    if (onDisk.has(entry.filename) && typeof entry.sha256 === 'string') {
      const actual = await hasher.hash(inTraining(entry.filename));
      if (actual !== entry.sha256) {
        add(
          'sha256_mismatch',
          entry.filename,
          inTraining(entry.filename),
          `${entry.filename} has sha256 ${actual.slice(0, 12)}…, the manifest says ${entry.sha256.slice(0, 12)}…`,
          "record the file's sha256, size and dimensions (the file is the truth) and drop the evaluation made for the old content",
        );
      }
    }
  }

  if (store && store.kind !== 'none') {
    await findObjectDrift(store, state, listed, onDisk, add);
  }
  findMetadataDrift(state, listed, onDisk, add);
  for (const name of await listRecovered(dataRoot, actorId)) {
    add(
      'recovered_image',
      name,
      path.join(recoveredDir(dataRoot, actorId), name),
      `${name} is a paid image whose save failed, kept in ${recoveredDir(dataRoot, actorId)}`,
      'save it into the training data with the next number, as its generation would have, and remove it from the recovered folder',
    );
  }
  return findings;
}

type AddFinding = (kind: DriftKind, filename: string, file: string | undefined, message: string, fix: string) => void;

async function findObjectDrift(store: ObjectStore, state: ActorState, listed: RawEntry[], onDisk: Set<string>, add: AddFinding): Promise<void> {
  const prefix = actorPrefix(store, state.actorId);
  const objects = new Set(await store.list(prefix));
  const named = new Set<string>();
  for (const entry of listed) {
    const key = namedKey(store, state.actorId, entry);
    if (!key) {
      continue;
    }
    named.add(key);
    // An entry whose local file is gone is missing_file; there is nothing to upload from.
    if (!onDisk.has(entry.filename)) {
      continue;
    }
    const present = key.startsWith(prefix) ? objects.has(key) : (await store.list(key)).includes(key);
    if (!present) {
      add(
        's3_missing',
        entry.filename,
        path.join(state.trainingDir, entry.filename),
        `${entry.filename}: the object ${key} is not in the bucket`,
        'upload it again from the local file and record its key and URL',
      );
    }
  }
  for (const key of [...objects].sort()) {
    if (named.has(key)) {
      continue;
    }
    const name = key.slice(prefix.length);
    const local = onDisk.has(name) ? path.join(state.trainingDir, name) : undefined;
    add(
      's3_extra',
      name,
      local,
      `the object ${key} is in the bucket but no manifest entry names it`,
      local ? `record ${key} as the object of the local ${name}` : 'none: there is no local copy to adopt; the object is left in the bucket',
    );
  }
}

function findMetadataDrift(state: ActorState, listed: RawEntry[], onDisk: Set<string>, add: AddFinding): void {
  const metadata = state.metadata ?? {};
  const file = state.promptMetadataFile;
  const fix = 'rewrite its prompt_metadata.json entry from the manifest (other fields kept)';
  for (const entry of listed) {
    if (!onDisk.has(entry.filename)) {
      continue; // missing_file takes its metadata to the trash
    }
    const recorded = metadata[entry.filename];
    const prompt = text(entry.prompt);
    if (!recorded) {
      if (prompt) {
        add('prompt_metadata_out_of_step', entry.filename, file, `${entry.filename} has a prompt in the manifest but no prompt_metadata.json entry`, fix);
      }
      continue;
    }
    if (!prompt && text(recorded.prompt)) {
      add(
        'prompt_metadata_out_of_step',
        entry.filename,
        file,
        `${entry.filename} has no prompt in the manifest; prompt_metadata.json has one`,
        'copy the prompt from prompt_metadata.json into the manifest',
      );
    } else if (prompt && prompt !== recorded.prompt) {
      add('prompt_metadata_out_of_step', entry.filename, file, `${entry.filename}: prompt_metadata.json has another prompt than the manifest`, fix);
    } else if ((urlOf(entry) ?? '') !== (text(recorded.s3_url) ?? '')) {
      add(
        'prompt_metadata_out_of_step',
        entry.filename,
        file,
        `${entry.filename}: prompt_metadata.json has URL "${recorded.s3_url ?? ''}", the manifest "${urlOf(entry) ?? ''}"`,
        fix,
      );
    }
  }
  const listedNames = new Set(listed.map((entry) => entry.filename));
  for (const name of Object.keys(metadata)) {
    // An untracked file's metadata is taken in when the file is adopted.
    if (!listedNames.has(name) && !onDisk.has(name)) {
      add(
        'prompt_metadata_out_of_step',
        name,
        file,
        `prompt_metadata.json lists ${name}, which is neither in the manifest nor on disk`,
        'move the prompt_metadata.json entry to the trash record',
      );
    }
  }
}

/** Reports every kind of drift for the given actors; read-only. */
export async function reconcileActors(request: ReconcileRequest): Promise<ReconcileResult> {
  const hasher = new FileHasher();
  const result: ReconcileResult = { actors: [], total: 0, skipped: [] };
  for (const actorId of request.actorIds) {
    request.signal?.throwIfAborted();
    try {
      const findings = await findActorDrift(request.dataRoot, actorId, request.store, hasher);
      result.actors.push({ actorId, findings });
      result.total += findings.length;
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) {
        throw error;
      }
      result.skipped.push({ actorId, file: error.file, reason: error.message });
    }
  }
  return result;
}
