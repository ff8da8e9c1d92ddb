import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { type TrashedEntry, moveToTrash } from '../execute/trash';
import { adoptImageFile, recordUpload, reserveImageNumbers } from '../generate/saveResult';
import { adoptRecovered } from '../generate/recovered';
import { imageSize } from '../image/imageFiles';
import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { formatJson } from '../manifest/jsonFile';
import { loadManifest, rewriteManifest, withActorLock } from '../manifest/manifestStore';
import type { ImageEntry } from '../manifest/manifestSchema';
import { recordPromptMetadata, takePromptMetadata, type PromptMetadataEntry } from '../manifest/promptMetadata';
import { sha256File, exists } from '../fs/files';
import { uploadOrQueue } from '../storage/pendingUploads';
import type { ObjectStore } from '../storage/types';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths, imageNumber, trashRecordPath } from '../workspace/layout';
import { entryNumber, firstUrlIn, readActorState, readJsonRaw, urlOf } from './reconcile';
import type { DriftFinding, DriftKind, FixSummary, ReconcileReport } from './types';
import { isoTime } from '../util/time';

export interface FixRequest {
  dataRoot: string;
  report: ReconcileReport;
  store?: ObjectStore;
  now?: () => Date;
}

/**
 * The order fixes run in for one actor: URL objects first (until then the manifest is invalid for
 * the zod loader every other step writes through), then dead listings, renames, adoptions, and the
 * derived prompt_metadata.json last, when the manifest has settled.
 */
const FIX_ORDER: DriftKind[] = [
  'url_not_string',
  'duplicate_index',
  'missing_file',
  'number_shared',
  'untracked_file',
  's3_extra',
  's3_missing',
  'sha256_mismatch',
  'prompt_metadata_out_of_step',
  'recovered_image',
];

/** Thrown by a step for drift it cannot repair; the finding goes to `failed` with this reason. */
class CannotFix extends Error {}

/**
 * Repairs what reconcile found. Nothing is deleted: dead entries go to a trash record
 * (data/.trash/reconcile-<time>/actors/<id>/trash.json, the executor's format), renamed files
 * get new numbers and never overwrite. Each step re-reads the actor under its lock, so a finding
 * another step already resolved is a no-op. Each write is atomic and inside the data folder.
 */
export async function fixDrift(request: FixRequest): Promise<FixSummary> {
  const now = request.now ?? (() => new Date());
  const runId = `reconcile-${now().toISOString().replace(/[:.]/g, '-')}`;
  const summary: FixSummary = { applied: [], failed: [] };
  for (const { actorId, findings } of request.report.actors) {
    const fixer = new ActorFixer(request.dataRoot, actorId, runId, request.store, now);
    const ordered = [...findings].sort((a, b) => FIX_ORDER.indexOf(a.kind) - FIX_ORDER.indexOf(b.kind));
    for (const finding of ordered) {
      try {
        const done = await fixer.fix(finding);
        summary.applied.push(`${actorId}/${finding.filename ?? ''}: ${done}`);
      } catch (error) {
        summary.failed.push({ finding, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return summary;
}

/**
 * Adopts one untracked image file of an actor as Fix does (renumbered when its number is taken);
 * returns its name now and what was done.
 */
export async function adoptUntrackedFile(
  dataRoot: string,
  actorId: string,
  filename: string,
  now: () => Date = () => new Date(),
): Promise<{ filename: string; done: string }> {
  const runId = `adopt-${now().toISOString().replace(/[:.]/g, '-')}`;
  const fixer = new ActorFixer(dataRoot, actorId, runId, undefined, now);
  const done = await fixer.fix({ kind: 'untracked_file', actorId, filename, message: `${filename} is not in the manifest`, fix: 'adopt it' });
  return { filename: fixer.current(filename), done };
}

class ActorFixer {
  private readonly paths: ReturnType<typeof actorPaths>;
  /** Old name to new name, so later findings about a renamed file follow it. */
  private readonly renamed = new Map<string, string>();

  constructor(
    private readonly dataRoot: string,
    private readonly actorId: string,
    private readonly runId: string,
    private readonly store: ObjectStore | undefined,
    private readonly now: () => Date,
  ) {
    this.paths = actorPaths(dataRoot, actorId);
  }

  async fix(finding: DriftFinding): Promise<string> {
    const name = this.current(finding.filename ?? '');
    // The report may be older than the files: a file (or folder) that links outside now is not read.
    await assertWritableInside(this.dataRoot, path.join(this.paths.trainingDir, name));
    const steps: Record<DriftKind, () => Promise<string>> = {
      url_not_string: () => this.replaceUrlObject(name),
      duplicate_index: () => this.separateDuplicate(name),
      missing_file: () => this.trashDeadEntry(name),
      number_shared: () => this.renumberIfShared(name),
      untracked_file: () => this.adopt(name),
      s3_extra: () => this.adoptObject(finding),
      s3_missing: () => this.reupload(name),
      sha256_mismatch: () => this.recordActualHash(name),
      prompt_metadata_out_of_step: () => this.syncPromptMetadata(name),
      recovered_image: async () => `adopted as ${(await adoptRecovered(this.dataRoot, this.actorId, name, this.now)).filename}`,
    };
    return steps[finding.kind]();
  }

  /** The name a file has now (a renumbering may have renamed it). */
  current(name: string): string {
    return this.renamed.get(name) ?? name;
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    return withActorLock(this.dataRoot, this.actorId, work);
  }

  /** The old tool's response objects become their URL string; read raw, since zod refuses them. */
  private async replaceUrlObject(name: string): Promise<string> {
    const file = this.paths.manifest;
    await assertWritableInside(this.dataRoot, file);
    return this.locked(async () => {
      const manifest = ((await readJsonRaw(file, true)) ?? {}) as { images?: Array<Record<string, unknown> | null> };
      let replaced: string | undefined;
      for (const entry of manifest.images ?? []) {
        if (entry?.filename === name && entry.s3_url !== null && entry.s3_url !== undefined && typeof entry.s3_url !== 'string') {
          replaced = firstUrlIn(entry.s3_url);
          if (!replaced) {
            throw new CannotFix(`${file}: the s3_url of ${name} holds no URL; edit it by hand`);
          }
          entry.s3_url = replaced;
        }
      }
      if (!replaced) {
        return 'already a URL string';
      }
      await writeFileAtomic(file, formatJson(manifest));
      return `s3_url set to "${replaced}"`;
    });
  }

  /** Two listings of one file: keep the one that matches it; two files with one index: renumber the later. */
  private async separateDuplicate(name: string): Promise<string> {
    const state = await readActorState(this.dataRoot, this.actorId);
    const listings = state.entries.filter((entry) => entry.filename === name);
    if (listings.length > 1) {
      return this.dropExtraListings(name);
    }
    const number = listings[0] && entryNumber(this.actorId, listings[0]);
    const sharing = state.entries.filter((entry) => entryNumber(this.actorId, entry) === number);
    if (number === undefined || sharing.length < 2 || sharing[0].filename === name) {
      return 'already resolved';
    }
    if (!state.files.includes(name)) {
      return 'already resolved (the file is gone; see missing_file)';
    }
    return `renamed to ${await this.renumber(name)}`;
  }

  private async dropExtraListings(name: string): Promise<string> {
    const file = path.join(this.paths.trainingDir, name);
    const actual = await sha256File(file).catch(() => undefined);
    return this.locked(async () => {
      const manifest = await loadManifest(this.paths.manifest);
      const positions = manifest.images.flatMap((entry, position) => (entry.filename === name ? [position] : []));
      if (positions.length < 2) {
        return 'already resolved';
      }
      const matching = positions.filter((position) => manifest.images[position].sha256 === actual);
      // The old tool overwrote the file, so the last listing describes it unless a hash says otherwise.
      const keep = matching.length > 0 ? matching[matching.length - 1] : positions[positions.length - 1];
      const dropped = positions.filter((position) => position !== keep);
      await this.addToTrashRecord(dropped.map((position) => this.trashed(name, position, manifest.images[position], null, null)));
      await rewriteManifest(this.dataRoot, this.actorId, (current) => {
        current.images = current.images.filter((_, position) => !dropped.includes(position));
      });
      return `kept listing ${keep + 1}, moved ${dropped.length} other listing(s) to the trash record of ${this.runId}`;
    });
  }

  private async trashDeadEntry(name: string): Promise<string> {
    if (await exists(path.join(this.paths.trainingDir, name))) {
      return 'already resolved (the file is back)';
    }
    const outcome = await moveToTrash(this.dataRoot, this.runId, this.actorId, name, this.now());
    return outcome.moved ? `entry moved to the trash record of ${this.runId}` : 'already resolved';
  }

  private async renumberIfShared(name: string): Promise<string> {
    const state = await readActorState(this.dataRoot, this.actorId);
    const number = imageNumber(this.actorId, name);
    if (!state.files.includes(name) || state.files.filter((other) => imageNumber(this.actorId, other) === number).length < 2) {
      return 'already resolved';
    }
    return `renamed to ${await this.renumber(name)}`;
  }

  /**
   * Gives a file the next free number (reserved under the lock, never reused) and moves its file,
   * manifest entry and prompt metadata to the new name. Refuses to overwrite anything.
   */
  private async renumber(name: string): Promise<string> {
    const [number] = await reserveImageNumbers(this.dataRoot, this.actorId, 1);
    const target = `${this.actorId}_${number}${path.extname(name)}`;
    const from = path.join(this.paths.trainingDir, name);
    const to = path.join(this.paths.trainingDir, target);
    await assertWritableInside(this.dataRoot, to);
    await this.locked(async () => {
      if (await exists(to)) {
        throw new CannotFix(`${target} already exists; ${name} was left as it is`);
      }
      await rewriteManifest(this.dataRoot, this.actorId, (manifest) => {
        const entry = manifest.images.find((image) => image.filename === name);
        if (entry) {
          // Its object keeps the old name; the entry must keep naming it.
          if (!entry.s3_key && entry.s3_url && this.store) {
            entry.s3_key = this.store.keyFor(this.actorId, name);
          }
          Object.assign(entry, { filename: target, index: number, updated_at: isoTime(this.now()) });
        }
        for (const generation of manifest.generations) {
          generation.images = generation.images.map((image) => (image === name ? target : image));
        }
      });
      await fs.rename(from, to);
      const metadata = await takePromptMetadata(this.dataRoot, this.actorId, name);
      if (metadata) {
        await recordPromptMetadata(this.dataRoot, this.actorId, target, { ...(metadata.entry as Partial<PromptMetadataEntry>), index: number });
      }
    });
    this.renamed.set(name, target);
    return target;
  }

  /** An orphan file gets an entry with what prompt_metadata.json and the file itself tell. */
  private async adopt(original: string): Promise<string> {
    let name = original;
    const manifest = await loadManifest(this.paths.manifest);
    if (manifest.images.some((entry) => entry.filename === name)) {
      return 'already tracked';
    }
    const fromName = imageNumber(this.actorId, name);
    if (fromName !== undefined && manifest.images.some((entry) => entryNumber(this.actorId, entry) === fromName)) {
      name = await this.renumber(name); // its number belongs to another entry
    }
    const index = imageNumber(this.actorId, name) ?? (await reserveImageNumbers(this.dataRoot, this.actorId, 1))[0];
    const legacy = (await readActorState(this.dataRoot, this.actorId)).metadata?.[name] ?? {};
    const prompt = typeof legacy.prompt === 'string' && legacy.prompt ? legacy.prompt : undefined;
    const generatedAt = typeof legacy.generated_at === 'string' && !Number.isNaN(Date.parse(legacy.generated_at)) ? new Date(legacy.generated_at) : undefined;
    // Without a recorded time, the file's own time is closer to when the image was made than now.
    const createdAt = generatedAt ?? (await fs.stat(path.join(this.paths.trainingDir, name))).mtime;
    const legacyCategory = [legacy.category, legacy.type].find((value): value is TrainingCategory => TRAINING_CATEGORIES.includes(value as TrainingCategory));
    const legacyUrl = firstUrlIn(legacy.s3_url);
    await adoptImageFile({
      dataRoot: this.dataRoot,
      actorId: this.actorId,
      filename: name,
      index,
      model: 'unknown',
      promptId: '',
      prompt: prompt ?? '',
      // The manifest takes 'unknown' (unclassified); adoptImageFile's type only names the three targets.
      category: legacyCategory ?? ('unknown' as TrainingCategory),
      now: () => createdAt,
    });
    // adoptImageFile records a generation; what is not known about this one is said so.
    await this.locked(async () => {
      await rewriteManifest(this.dataRoot, this.actorId, (current) => {
        const entry = current.images.find((image) => image.filename === name);
        if (entry) {
          Object.assign(entry, { source: 'imported', prompt_id: null, prompt: prompt ?? null, model: null, s3_url: legacyUrl ?? null });
        }
      });
      if (legacyUrl) {
        await recordPromptMetadata(this.dataRoot, this.actorId, name, { s3_url: legacyUrl });
      }
    });
    const recovered = [prompt && 'prompt', generatedAt && 'time', legacyCategory && 'category', legacyUrl && 'URL'].filter(Boolean);
    return `adopted as ${name} (index ${index}${recovered.length ? `; ${recovered.join(', ')} from prompt_metadata.json` : ''})`;
  }

  /** An object with a local file of its name becomes that entry's object; one without stays reported. */
  private async adoptObject(finding: DriftFinding): Promise<string> {
    const name = this.current(finding.filename ?? '');
    const key = this.store?.keyFor(this.actorId, finding.filename ?? '');
    if (!this.store || !key || !(await exists(path.join(this.paths.trainingDir, name)))) {
      throw new CannotFix(`${key ?? finding.filename} has no local copy in training_data/, so there is nothing to adopt; it was left in the bucket`);
    }
    let result = 'already named by its entry';
    await this.locked(() =>
      rewriteManifest(this.dataRoot, this.actorId, (manifest) => {
        const entry = manifest.images.find((image) => image.filename === name);
        if (!entry) {
          throw new CannotFix(`${name} is not in the manifest (adopting the file failed), so ${key} was not recorded`);
        }
        if (entry.s3_key && entry.s3_key !== key) {
          throw new CannotFix(`${name} already names another object (${entry.s3_key}); ${key} was left in the bucket`);
        }
        if (!entry.s3_key) {
          entry.s3_key = key;
          result = `recorded ${key} as its object`;
        }
      }),
    );
    return result;
  }

  private async reupload(name: string): Promise<string> {
    if (!this.store || this.store.kind === 'none') {
      throw new CannotFix('no object store was given, so nothing was uploaded');
    }
    const localPath = path.join(this.paths.trainingDir, name);
    if (!(await exists(localPath))) {
      throw new CannotFix(`${name} is not on disk, so it cannot be uploaded again`);
    }
    const outcome = await uploadOrQueue(this.store, this.dataRoot, { actorId: this.actorId, filename: name, localPath, contentType: contentTypeOf(name) });
    if (!outcome.url) {
      throw new CannotFix(
        `the upload failed (${outcome.error ?? 'no URL returned'}); it waits in tracking/pending_uploads.json for actor-studio retry-uploads`,
      );
    }
    const key = this.store.keyFor(this.actorId, name);
    const warning = await recordUpload(this.dataRoot, this.actorId, name, key, outcome.url);
    return `uploaded again as ${key}${warning ? ` (${warning})` : ''}`;
  }

  private async recordActualHash(name: string): Promise<string> {
    const file = path.join(this.paths.trainingDir, name);
    const bytes = await fs.readFile(file);
    const sha256 = await sha256File(file);
    const { width, height } = await imageSize(bytes);
    let result = 'already resolved';
    await this.locked(() =>
      rewriteManifest(this.dataRoot, this.actorId, (manifest) => {
        const entry = manifest.images.find((image) => image.filename === name);
        if (!entry || entry.sha256 === sha256) {
          return;
        }
        Object.assign(entry, { sha256, size: bytes.length, width, height, updated_at: isoTime(this.now()) });
        if (entry.evaluation && entry.evaluation.sha256 !== sha256) {
          delete entry.evaluation; // made for other contents: a cache entry, not a record
        }
        result = `sha256 set to ${sha256.slice(0, 12)}…`;
      }),
    );
    return result;
  }

  private async syncPromptMetadata(name: string): Promise<string> {
    return this.locked(async () => {
      const manifest = await loadManifest(this.paths.manifest);
      const entry = manifest.images.find((image) => image.filename === name);
      const recorded = (await readActorState(this.dataRoot, this.actorId)).metadata?.[name];
      if (!entry) {
        return recorded ? this.trashMetadataEntry(name, recorded) : 'already resolved';
      }
      const recordedPrompt = typeof recorded?.prompt === 'string' && recorded.prompt ? recorded.prompt : undefined;
      if (!entry.prompt && recordedPrompt) {
        await rewriteManifest(this.dataRoot, this.actorId, (current) => {
          current.images.filter((image) => image.filename === name).forEach((image) => (image.prompt = recordedPrompt));
        });
        return 'prompt copied from prompt_metadata.json into the manifest';
      }
      await recordPromptMetadata(this.dataRoot, this.actorId, name, metadataFromEntry(entry, recorded));
      return 'prompt_metadata.json entry rewritten from the manifest';
    });
  }

  /** A metadata entry for an image that is nowhere: into the trash record first, then out of the file. */
  private async trashMetadataEntry(name: string, recorded: Record<string, unknown>): Promise<string> {
    const state = await readActorState(this.dataRoot, this.actorId);
    const position = Object.keys(state.metadata ?? {}).indexOf(name);
    await this.addToTrashRecord([this.trashed(name, null, null, position, recorded)]);
    await takePromptMetadata(this.dataRoot, this.actorId, name);
    return `prompt_metadata.json entry moved to the trash record of ${this.runId}`;
  }

  private trashed(
    filename: string,
    manifestPosition: number | null,
    entry: ImageEntry | null,
    metadataPosition: number | null,
    metadata: Record<string, unknown> | null,
  ): TrashedEntry {
    const trashedAt = isoTime(this.now());
    return {
      filename,
      trashed_at: trashedAt,
      manifest_position: manifestPosition,
      manifest_entry: entry,
      prompt_metadata_position: metadataPosition,
      prompt_metadata: metadata,
    };
  }

  /** Appends to the run's trash.json (beside trash.ts's folder, same format); the caller holds the lock. */
  private async addToTrashRecord(entries: TrashedEntry[]): Promise<void> {
    const file = trashRecordPath(this.dataRoot, this.runId, this.actorId);
    await assertWritableInside(this.dataRoot, file);
    const record = ((await readJsonRaw(file, true)) ?? { entries: [] }) as { entries: TrashedEntry[] };
    record.entries.push(...entries);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, formatJson(record));
  }
}

/** What prompt_metadata.json should say about an entry; only known values, so other fields stay. */
function metadataFromEntry(entry: ImageEntry, recorded: Record<string, unknown> | undefined): Partial<PromptMetadataEntry> {
  const update: Partial<PromptMetadataEntry> = {
    prompt: entry.prompt || (typeof recorded?.prompt === 'string' ? recorded.prompt : ''),
    s3_url: urlOf(entry) ?? '',
  };
  if (entry.index !== undefined) {
    update.index = entry.index;
  }
  if (!recorded?.generated_at && entry.created_at) {
    update.generated_at = entry.created_at;
  }
  return update;
}

function contentTypeOf(name: string): string {
  const extension = path.extname(name).toLowerCase();
  return extension === '.png' ? 'image/png' : extension === '.webp' ? 'image/webp' : 'image/jpeg';
}
