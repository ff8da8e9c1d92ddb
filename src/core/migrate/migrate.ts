import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomicWrite';
import { inspectImage } from '../image/imageFiles';
import { CATEGORIES, Category } from '../manifest/categories';
import { legacyResponseSchema, promptMetadataSchema } from '../manifest/dataFileSchemas';
import { formatJson, validateJsonText } from '../manifest/jsonFile';
import { withActorLock } from '../manifest/manifestStore';
import { manifestSchema } from '../manifest/manifestSchema';
import { PromptMetadataEntry, recordPromptMetadata } from '../manifest/promptMetadata';
import { assertWritableInside, isInside } from '../workspace/guards';
import { ActorPaths, actorPaths, BASE_IMAGE_DIR, imageNumber, isImageFile, LEGACY_MANIFEST_COPY_FILE } from '../workspace/layout';
import { resolveBaseImage } from '../actors/baseImage';
import { nextImageNumber } from '../actors/numbering';
import { carryActorFields, setAsideUnfitting } from './legacyFields';
import { importLegacyLog } from './legacyLog';
import { readJson, rel } from './legacyFiles';
import { isObject } from './legacyRecords';
import { fileNameOfUrl, firstUrlIn, isUrl, objectKeyFromUrl, urlsInResponse } from '../util/legacyUrls';
import type { MigrateRequest, MigrationActorReport, MigrationReport } from './types';
import { exists } from '../fs/files';

/** The old manifest, byte for byte, kept next to manifest.json before migrate first rewrites it. */
export const LEGACY_MANIFEST_COPY = LEGACY_MANIFEST_COPY_FILE;

type JsonObject = Record<string, unknown>;
type PromptRecord = JsonObject & { prompt: string; generated_at?: string; s3_url?: string; index?: number };

/** One actor being migrated: where its files are, and what the report says so far. */
interface ActorContext {
  dataRoot: string;
  realRoot: string;
  actorId: string;
  paths: ActorPaths;
  /** What was (or would be) imported, one line per item: `<item>: note; note`. */
  notes: Map<string, string[]>;
  report: MigrationActorReport;
}

const ANY_JSON = z.unknown();
const FILE_FACTS = ['sha256', 'size', 'width', 'height'] as const;
/** Fields the old tool (or hand edits) used for an image's category, and the spellings seen. */
const OLD_CATEGORY_FIELDS = ['category', 'type', 'image_type', 'style'];
const CATEGORY_ALIASES: Record<string, Category> = Object.fromEntries([
  ...['photo', 'realistic'].map((alias) => [alias, 'photorealistic']),
  ...['bw', 'b_w', 'black_and_white', 'bw_stylised'].map((alias) => [alias, 'bw_stylized']),
  ...['color', 'colour', 'colour_stylized', 'colour_stylised', 'color_stylised'].map((alias) => [alias, 'color_stylized']),
]);

/**
 * Imports the old tool's files into each actor's current manifest (see the migrate command).
 * Idempotent: a second run finds nothing to change and writes nothing. Originals are kept.
 */
export async function migrateActors(request: MigrateRequest): Promise<MigrationReport> {
  const dryRun = Boolean(request.dryRun);
  const realRoot = await fs.realpath(request.dataRoot);
  const actors: MigrationActorReport[] = [];
  for (const actorId of request.actorIds) {
    request.signal?.throwIfAborted();
    const run = (write: boolean) => {
      const report: MigrationActorReport = { actorId, imported: [], notImported: [], changed: false };
      return migrateActor({ dataRoot: request.dataRoot, realRoot, actorId, paths: actorPaths(request.dataRoot, actorId), notes: new Map(), report }, write);
    };
    // Looked at first without the lock (its file would be a write), then done under it when there is work.
    const preview = await run(false);
    actors.push(dryRun || !preview.changed ? preview : await withActorLock(request.dataRoot, actorId, () => run(true), { signal: request.signal }));
  }
  // After the manifests: their migration may complete prompt_metadata.json, which the log reads.
  const log = await importLegacyLog({ dataRoot: request.dataRoot, realRoot, actorIds: request.actorIds, dryRun, signal: request.signal });
  return { dryRun, actors, log };
}

function note(context: ActorContext, item: string, text: string): void {
  const notes = context.notes.get(item) ?? [];
  if (!notes.includes(text)) notes.push(text);
  context.notes.set(item, notes);
}

function notImported(context: ActorContext, item: string, reason: string): void {
  context.report.notImported.push({ item, reason });
}

async function migrateActor(context: ActorContext, write: boolean): Promise<MigrationActorReport> {
  const { actorId, paths, report } = context;
  const oldManifest = await readJson(context, paths.manifest, ANY_JSON);
  if (oldManifest.state === 'invalid' || (oldManifest.state === 'ok' && !isObject(oldManifest.value))) {
    const [where, problem] = oldManifest.state === 'invalid' ? [oldManifest.where, oldManifest.reason] : [rel(context, paths.manifest), 'not a JSON object'];
    notImported(context, where, `${problem}; nothing was imported for this actor and the file was left as it is`);
    return report;
  }
  const metadataFile = await readJson(context, paths.promptMetadata, promptMetadataSchema);
  if (metadataFile.state === 'invalid') {
    notImported(context, metadataFile.where, `${metadataFile.reason}; its prompts were not imported and the file was left as it is`);
  }
  const responseFile = paths.legacyResponse;
  const response = await readJson(context, responseFile, legacyResponseSchema);
  if (response.state === 'invalid') {
    notImported(context, response.where, `${response.reason}; its URLs were not imported`);
  }
  const onDisk = await listTrainingImages(context);
  if (oldManifest.state === 'missing' && onDisk.length === 0 && metadataFile.state === 'missing' && response.state === 'missing') {
    return report; // nothing of the old tool's here
  }

  const manifest: JsonObject = oldManifest.state === 'ok' ? structuredClone(oldManifest.value as JsonObject) : { actor: { id: actorId } };
  const metadata = (metadataFile.state === 'ok' ? metadataFile.value.images : {}) as Record<string, PromptRecord>;
  const { urls: responseUrls, notUrls } = response.state === 'ok' ? urlsInResponse(response.value) : { urls: [], notUrls: [] };
  for (const { position, item } of notUrls) {
    notImported(context, `${rel(context, responseFile)}[${position}]`, `${JSON.stringify(item)?.slice(0, 80)} is not a URL`);
  }
  await resolveBaseImages(context, manifest);
  const entries = repairImageEntries(context, manifest);
  for (const { item, problem } of setAsideUnfitting(manifest)) {
    notImported(context, `${rel(context, paths.manifest)} ${item}`, `${problem} (the original stays in ${LEGACY_MANIFEST_COPY})`);
  }
  carryActorFields(manifest).forEach((text) => note(context, 'actor', text));
  const onDiskNames = new Set(onDisk);
  const urlByFile = new Map<string, string>();
  for (const url of responseUrls) {
    const name = fileNameOfUrl(url);
    if (name !== undefined && onDiskNames.has(name)) {
      if (!urlByFile.has(name)) urlByFile.set(name, url);
    } else {
      const missing = name ? `${rel(context, path.join(paths.trainingDir, name))} does not exist` : 'it names no file';
      notImported(context, url, `listed in ${rel(context, responseFile)}, but ${missing}`);
    }
  }
  await mergeFilesOnDisk(context, onDisk, entries, metadata, urlByFile);
  for (const entry of entries) {
    if (isObject(entry) && typeof entry.filename === 'string' && !onDiskNames.has(entry.filename)) {
      notImported(
        context,
        rel(context, path.join(paths.trainingDir, entry.filename)),
        'listed in manifest.json, but the file does not exist; the entry is kept as it was',
      );
    }
  }
  for (const name of Object.keys(metadata).filter((name) => !onDiskNames.has(name))) {
    notImported(
      context,
      `${rel(context, paths.promptMetadata)} images["${name}"]`,
      `names ${rel(context, path.join(paths.trainingDir, name))}, which does not exist`,
    );
  }

  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    notImported(context, rel(context, paths.manifest), `still not a valid manifest after migration (${problems}); the file was left as it is`);
    return report;
  }
  const next = parsed.data;
  // Numbers seen only in the old records (an S3 object, a metadata entry) are never given out again.
  const seenNumbers = [...responseUrls.map(fileNameOfUrl), ...Object.keys(metadata)].map((name) => (name ? imageNumber(actorId, name) : undefined) ?? -1);
  const highest = Math.max(nextImageNumber(context.dataRoot, actorId, next) - 1, ...seenNumbers);
  if (highest >= 0 && highest !== next.highest_index) {
    note(context, 'highest_index', `${next.highest_index ?? 'none'} -> ${highest} (numbers are never reused)`);
    next.highest_index = highest;
  }
  const manifestText = formatJson(manifestSchema.parse(next));
  const manifestChanged = oldManifest.state !== 'ok' || manifestText !== oldManifest.text;
  const metadataUpdates = metadataFile.state === 'invalid' ? [] : promptMetadataUpdates(next.images, onDiskNames, metadata);
  if (metadataUpdates.length > 0) {
    note(context, 'prompt_metadata.json', `entries added or completed for ${metadataUpdates.map(([name]) => name).join(', ')}`);
  }
  // The original is kept only when it was in the old format: a valid manifest only gains entries.
  const originalBytes = oldManifest.state === 'ok' && manifestChanged && !validateJsonText(oldManifest.text, manifestSchema).ok ? oldManifest.bytes : undefined;
  if (originalBytes) {
    note(context, 'manifest.json', `the original is kept as ${LEGACY_MANIFEST_COPY}`);
  }
  report.imported = [...context.notes].map(([item, notes]) => `${item}: ${notes.join('; ')}`);
  report.changed = manifestChanged || metadataUpdates.length > 0;
  if (!write || !report.changed) {
    return report;
  }
  if (manifestChanged) {
    await assertWritableInside(context.dataRoot, paths.manifest);
    await fs.mkdir(paths.trainingDir, { recursive: true });
    const copy = path.join(paths.trainingDir, LEGACY_MANIFEST_COPY);
    await assertWritableInside(context.dataRoot, copy);
    if (originalBytes && !(await exists(copy))) {
      await writeFileAtomic(copy, originalBytes); // once: a later migration never replaces the first copy
    }
    await writeFileAtomic(paths.manifest, manifestText);
  }
  if (metadataUpdates.length > 0) {
    await assertWritableInside(context.dataRoot, paths.promptMetadata);
    for (const [name, update] of metadataUpdates) {
      await recordPromptMetadata(context.dataRoot, actorId, name, update);
    }
  }
  return report;
}

/** One entry per image file: existing entries are completed, never overwritten; new ones are 'imported'. */
async function mergeFilesOnDisk(
  context: ActorContext,
  onDisk: string[],
  entries: JsonObject[],
  metadata: Record<string, PromptRecord>,
  urlByFile: Map<string, string>,
): Promise<void> {
  const byName = new Map(entries.filter((entry) => isObject(entry) && typeof entry.filename === 'string').map((entry) => [entry.filename as string, entry]));
  for (const name of onDisk) {
    const file = path.join(context.paths.trainingDir, name);
    const existing = byName.get(name);
    const record = metadata[name];
    let facts: Awaited<ReturnType<typeof describeImage>> | undefined;
    if (!existing || FILE_FACTS.some((key) => existing[key] === undefined)) {
      try {
        facts = await describeImage(context, file);
      } catch (error) {
        notImported(context, rel(context, file), readableReason(error, file));
        continue;
      }
    }
    const entry: JsonObject = existing ?? {
      filename: name,
      category: categoryFromOldFields(record ?? {})?.category ?? 'unknown',
      prompt_id: null,
      prompt: null,
      s3_key: null,
      s3_url: null,
    };
    if (!existing) {
      entries.push(entry);
      note(context, name, 'new entry for the file');
    }
    const fill = (key: string, value: unknown, text?: string) => {
      if ((entry[key] === undefined || entry[key] === null) && value !== undefined && value !== null && value !== '') {
        entry[key] = value;
        if (text) note(context, name, text);
      }
    };
    fill('index', imageNumber(context.actorId, name));
    fill('source', 'imported');
    fill('prompt', record?.prompt, 'prompt from prompt_metadata.json');
    fill('created_at', record?.generated_at, 'time from prompt_metadata.json');
    fill('s3_url', urlByFile.get(name), 'URL from response.json');
    fill('s3_url', isUrl(record?.s3_url) ? record?.s3_url : undefined, 'URL from prompt_metadata.json');
    fill('s3_key', typeof entry.s3_url === 'string' ? objectKeyFromUrl(entry.s3_url) : undefined, 's3_key from the URL');
    for (const key of FILE_FACTS) {
      fill(key, facts?.[key], existing ? 'sha256, size, width, height from the file' : undefined);
    }
  }
}

/** prompt_metadata.json entries to add or complete so it is in step with the manifest; prompts there are never changed. */
function promptMetadataUpdates(
  images: readonly JsonObject[],
  onDisk: Set<string>,
  metadata: Record<string, PromptRecord>,
): [string, Partial<PromptMetadataEntry>][] {
  const updates: [string, Partial<PromptMetadataEntry>][] = [];
  for (const entry of images) {
    const name = entry.filename as string;
    if (!onDisk.has(name) || typeof entry.prompt !== 'string' || entry.prompt === '') continue;
    const previous = metadata[name];
    const url = typeof entry.s3_url === 'string' ? entry.s3_url : undefined;
    const update: Partial<PromptMetadataEntry> = previous ? {} : { prompt: entry.prompt, s3_url: url ?? '' };
    if (previous && !previous.s3_url && url) update.s3_url = url;
    if (previous?.index === undefined && typeof entry.index === 'number') update.index = entry.index;
    if (previous?.generated_at === undefined && typeof entry.created_at === 'string') update.generated_at = entry.created_at;
    if (Object.keys(update).length > 0) updates.push([name, update]);
  }
  return updates;
}

/**
 * Repairs what the old tool wrote into images[] in place: whole S3 response objects as s3_url,
 * categories under other fields or names. Returns the entries.
 */
function repairImageEntries(context: ActorContext, manifest: JsonObject): JsonObject[] {
  manifest.images ??= [];
  if (!Array.isArray(manifest.images)) return []; // the schema check names it
  const entries = manifest.images as JsonObject[];
  entries.forEach((entry, position) => {
    if (!isObject(entry)) return; // the schema check names it
    const item = typeof entry.filename === 'string' ? entry.filename : `images[${position}]`;
    if (isObject(entry.s3_url) || Array.isArray(entry.s3_url)) {
      const url = firstUrlIn(entry.s3_url);
      const key = isObject(entry.s3_url) ? (entry.s3_url.Key ?? entry.s3_url.key) : undefined;
      if (typeof key === 'string' && entry.s3_key == null) entry.s3_key = key;
      entry.s3_url = url ?? null;
      if (url) {
        note(context, item, 's3_url object replaced by its URL string');
      } else {
        notImported(
          context,
          `${rel(context, context.paths.manifest)} images[${position}].s3_url`,
          `an object with no URL in it; set to null (the object stays in ${LEGACY_MANIFEST_COPY})`,
        );
      }
    }
    if (!(CATEGORIES as readonly unknown[]).includes(entry.category)) {
      const found = categoryFromOldFields(entry);
      if (entry.category !== undefined && !found) entry.legacy_category = entry.category; // unreadable, but not lost
      entry.category = found?.category ?? 'unknown';
      if (found) note(context, item, `category ${found.category} from "${found.field}": ${JSON.stringify(found.value)}`);
    }
  });
  return entries;
}

/**
 * base_images entries of the old tool name their file by moved_to or relative_path (resolveBaseImage:
 * inside the data folder, or by file name in base_image/): the file's facts are recorded, and its
 * name when it is in base_image/. An actor with no recorded base image gets the one in base_image/.
 */
async function resolveBaseImages(context: ActorContext, manifest: JsonObject): Promise<void> {
  const baseDir = context.paths.baseImageDir;
  manifest.base_images ??= [];
  if (!Array.isArray(manifest.base_images)) return; // the schema check names it
  let recorded = false;
  for (const [position, entry] of manifest.base_images.entries()) {
    if (!isObject(entry)) continue;
    const resolved = resolveBaseImage(context.dataRoot, context.realRoot, context.actorId, entry);
    if (!resolved.field) continue;
    const source = resolved.field === 'filename' ? '' : ` (${resolved.field} ${JSON.stringify(entry[resolved.field])})`;
    const item = `${rel(context, context.paths.manifest)} base_images[${position}]${source}`;
    const facts = resolved.found ? await describeImage(context, resolved.path).catch((error: unknown) => error as Error) : undefined;
    if (!resolved.found || facts instanceof Error || !facts) {
      const problem = resolved.found ? `${rel(context, resolved.path)}: ${readableReason(facts, resolved.path)}` : resolved.problem;
      notImported(context, item, `${problem}; the entry is kept`);
      continue;
    }
    recorded = true;
    const inBaseFolder = path.dirname(resolved.path) === baseDir;
    const named = entry.filename === undefined && inBaseFolder;
    if (named) entry.filename = resolved.filename;
    const missing = FILE_FACTS.filter((key) => entry[key] === undefined);
    missing.forEach((key) => (entry[key] = facts[key]));
    if (named || missing.length > 0) {
      note(
        context,
        inBaseFolder ? `${BASE_IMAGE_DIR}/${resolved.filename}` : rel(context, resolved.path),
        `recorded${resolved.field === 'filename' ? '' : ` from base_images[${position}].${resolved.field}`}`,
      );
    }
  }
  const onDisk = (await listFolder(baseDir)).filter(isImageFile).sort();
  const fallback = onDisk.find((name) => name.startsWith(`${context.actorId}_base.`)) ?? (onDisk.length === 1 ? onDisk[0] : undefined);
  if (!recorded && manifest.base_images.length === 0 && fallback) {
    const facts = await describeImage(context, path.join(baseDir, fallback)).catch(() => undefined);
    if (facts) {
      manifest.base_images.push({ filename: fallback, ...facts });
      note(context, `${BASE_IMAGE_DIR}/${fallback}`, 'recorded as the base image');
    }
  }
}

function categoryFromOldFields(record: JsonObject): { category: Category; field: string; value: unknown } | undefined {
  for (const field of OLD_CATEGORY_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const normalised = value
      .trim()
      .toLowerCase()
      .replace(/[\s&/-]+/g, '_');
    const category = (CATEGORIES as readonly string[]).includes(normalised) ? (normalised as Category) : CATEGORY_ALIASES[normalised];
    if (category) return { category, field, value };
  }
  return undefined;
}

/** The facts a manifest records about an image file; a link out of the data folder is not read. */
async function describeImage(context: ActorContext, file: string): Promise<{ sha256: string; size: number; width: number; height: number }> {
  const real = await fs.realpath(file).catch(() => undefined);
  if (real && !isInside(context.realRoot, real)) {
    throw new Error('links outside the data folder and was not read');
  }
  const { width, height } = await inspectImage(file);
  const bytes = await fs.readFile(file);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, width, height };
}

/** inspectImage's message without the absolute path (the report names the file already). */
function readableReason(error: unknown, file: string): string {
  const message = (error as Error).message;
  return message.startsWith(`${file} is `) ? message.slice(file.length + 4) : message;
}

/** Image files in training_data/, by number then name; links out of the data folder are reported, not read. */
async function listTrainingImages(context: ActorContext): Promise<string[]> {
  const names: string[] = [];
  for (const name of await listFolder(context.paths.trainingDir)) {
    const file = path.join(context.paths.trainingDir, name);
    if (name.startsWith('.') || !isImageFile(name)) continue;
    const real = await fs.realpath(file).catch(() => undefined);
    if (!real || !isInside(context.realRoot, real)) {
      notImported(context, rel(context, file), 'links outside the data folder (or to nothing) and was not read');
    } else if ((await fs.stat(real)).isFile()) {
      names.push(name);
    }
  }
  const order = (name: string) => imageNumber(context.actorId, name) ?? Infinity;
  return names.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

async function listFolder(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => []);
}
