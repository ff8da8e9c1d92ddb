import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../../../src/core/image/sharp';
import type { ObjectStore } from '../../../src/core/storage/types';
import { actorPaths, recoveredDir } from '../../../src/core/workspace/layout';
import { makeTempDir } from './tempData';

/** The actor with every kind of drift, and one that is clean. */
export const MESSY = '0000_european_16_male';
export const CLEAN = '0001_european_35_male';

const name = (n: number | string, extension = 'jpg') => `${MESSY}_${n}.${extension}`;

/** Which file each kind of drift is planted on (see buildMessyData). */
export const PLANTED = {
  url_not_string: name(1),
  s3_missing: name(2),
  missing_file: name(3),
  untracked_file: name(4),
  s3_extra: name(4),
  number_shared: name(5, 'png'),
  duplicate_index: name(7),
  duplicate_listing: name(10),
  sha256_mismatch: name(8),
  prompt_out_of_step: name(9),
  prompt_orphan: name(99),
  /** In data/recovered/<MESSY>/: a paid image whose save failed. */
  recovered_image: '20261122T081500000Z-0a1b2c.jpg',
} as const;

export const PROMPTS = {
  untracked: 'A charcoal sketch of the man on a tram, looking out of the window',
  stale: 'An old prompt the old tool wrote before it reused the number',
};
export const UNTRACKED_GENERATED_AT = '2024-03-01T12:00:00.000Z';

/** A small real image of one colour, so every file has its own content and sha256. */
export async function smallImage(seed: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const sharp = await loadSharp();
  const background = { r: (seed * 67) % 256, g: (seed * 131) % 256, b: (seed * 29) % 256 };
  const image = sharp({ create: { width: 64, height: 36, channels: 3, background } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 80 }).toBuffer();
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function entry(filename: string, index: number, bytes: Buffer, extra: Record<string, unknown> = {}) {
  return {
    filename,
    index,
    category: 'photorealistic',
    source: 'generated',
    prompt_id: `prompt_${index}`,
    prompt: `Prompt for image ${index}`,
    model: 'local/augment',
    created_at: '2025-01-01T00:00:00.000Z',
    s3_key: null,
    s3_url: null,
    sha256: sha256(bytes),
    size: bytes.length,
    width: 64,
    height: 36,
    ...extra,
  };
}

function metadataFor(entries: { filename: string; index: number; prompt: string; s3_url: unknown }[]) {
  return Object.fromEntries(
    entries.map((image) => [
      image.filename,
      {
        prompt: image.prompt,
        prompt_preview: image.prompt.slice(0, 100),
        generated_at: '2025-01-01T00:00:00.000Z',
        // The metadata kept the plain URL even where the manifest kept the response object.
        s3_url: typeof image.s3_url === 'string' ? image.s3_url : ((image.s3_url as { Location?: string } | null)?.Location ?? ''),
        index: image.index,
      },
    ]),
  );
}

export interface MessyData {
  /** The temporary workspace: `data/` plus files beside it that nothing may touch. */
  dir: string;
  dataRoot: string;
  /** Bytes of each planted image by file name, to find them again after renames. */
  bytes: Record<string, Buffer>;
  cleanup: () => Promise<void>;
}

/**
 * A data folder as the old tool left it, from real (sharp-encoded) images: each kind of drift
 * reconcile knows, planted on the file PLANTED names, plus the S3 objects (on the given store)
 * for s3_missing and s3_extra. A clean actor beside it, and files outside data/ to prove nothing
 * there is touched (including a link from inside the data folder to one of them).
 */
export async function buildMessyData(store: ObjectStore): Promise<MessyData> {
  const temp = await makeTempDir('actor-studio-messy-');
  const dataRoot = path.join(temp.dir, 'data');
  const bytes: Record<string, Buffer> = {};
  const image = async (actorId: string, filename: string, seed: number, format: 'jpeg' | 'png' = 'jpeg') => {
    bytes[filename] = await smallImage(seed, format);
    await fs.writeFile(path.join(actorPaths(dataRoot, actorId).trainingDir, filename), bytes[filename]);
    return bytes[filename];
  };
  for (const actorId of [MESSY, CLEAN]) {
    const paths = actorPaths(dataRoot, actorId);
    await fs.mkdir(paths.trainingDir, { recursive: true });
    await fs.mkdir(paths.baseImageDir, { recursive: true });
    await fs.writeFile(path.join(paths.baseImageDir, `${actorId}_base.png`), await smallImage(200, 'png'));
  }
  const upload = async (filename: string) => (await store.put(store.keyFor(MESSY, filename), bytes[filename], 'image/jpeg')).url;

  const entries = [];
  entries.push(entry(name(0), 0, await image(MESSY, name(0), 1), { s3_key: store.keyFor(MESSY, name(0)), s3_url: await upload(name(0)) }));
  // The old tool stored the whole S3 response instead of its URL.
  await image(MESSY, name(1), 2);
  const url1 = await upload(name(1));
  entries.push(
    entry(name(1), 1, bytes[name(1)], { s3_key: store.keyFor(MESSY, name(1)), s3_url: { ETag: '"abc"', Location: url1, Key: store.keyFor(MESSY, name(1)) } }),
  );
  // Recorded as uploaded, but the object is not in the bucket.
  const key2 = store.keyFor(MESSY, name(2));
  entries.push(entry(name(2), 2, await image(MESSY, name(2), 3), { s3_key: key2, s3_url: `http://bucket.example/${key2}` }));
  // Listed, but the file is gone.
  entries.push(entry(name(3), 3, await smallImage(4)));
  // name(4): on disk and in the bucket, not in the manifest (written below).
  entries.push(entry(name(5), 5, await image(MESSY, name(5), 6)));
  await image(MESSY, name(5, 'png'), 7, 'png'); // shares number 5, untracked
  entries.push(entry(name(6), 6, await image(MESSY, name(6), 8)));
  entries.push(entry(name(7), 6, await image(MESSY, name(7), 9))); // index 6 again
  // The file was overwritten after the manifest recorded it: stale hash and evaluation.
  const before = await smallImage(10);
  await image(MESSY, name(8), 11);
  entries.push(entry(name(8), 8, before, { evaluation: { evaluator: 'local', sha256: sha256(before), quality: 7, issues: [] } }));
  entries.push(entry(name(9), 9, await image(MESSY, name(9), 12)));
  // One number given out twice: two listings of one file, the later one describes it.
  const overwritten = await smallImage(13);
  const current = await image(MESSY, name(10), 14);
  entries.push(entry(name(10), 10, overwritten, { prompt: PROMPTS.stale }));
  entries.push(entry(name(10), 10, current));

  await image(MESSY, name(4), 5);
  await upload(name(4));

  const metadata = metadataFor(entries.filter((image) => image.filename !== name(10)));
  metadata[name(10)] = metadataFor([entries[entries.length - 1]])[name(10)];
  metadata[name(9)] = { ...metadata[name(9)], prompt: 'Another prompt than the manifest says', legacy_note: 'kept' } as (typeof metadata)[string];
  metadata[name(4)] = { prompt: PROMPTS.untracked, prompt_preview: PROMPTS.untracked, generated_at: UNTRACKED_GENERATED_AT, s3_url: '', index: 4 };
  metadata[name(99)] = { prompt: 'An image nobody has any more', prompt_preview: '', generated_at: UNTRACKED_GENERATED_AT, s3_url: '', index: 99 };
  const paths = actorPaths(dataRoot, MESSY);
  await fs.writeFile(
    paths.manifest,
    `${JSON.stringify({ schema_version: 1, actor: { id: MESSY }, images: entries, highest_index: 10, legacy_field: 'kept' }, null, 2)}\n`,
  );
  await fs.writeFile(paths.promptMetadata, `${JSON.stringify({ images: metadata }, null, 2)}\n`);

  const clean = actorPaths(dataRoot, CLEAN);
  const cleanEntry = entry(`${CLEAN}_0.jpg`, 0, await image(CLEAN, `${CLEAN}_0.jpg`, 20));
  await fs.writeFile(clean.manifest, `${JSON.stringify({ schema_version: 1, images: [cleanEntry] }, null, 2)}\n`);
  await fs.writeFile(clean.promptMetadata, `${JSON.stringify({ images: metadataFor([cleanEntry]) }, null, 2)}\n`);

  const recovered = recoveredDir(dataRoot, MESSY);
  await fs.mkdir(recovered, { recursive: true });
  await fs.writeFile(path.join(recovered, PLANTED.recovered_image), await smallImage(60));
  const record = { actor_id: MESSY, prompt_id: 'photo_ferry_deck', prompt: 'The man on a ferry deck', category: 'photorealistic', model: 'test/model' };
  await fs.writeFile(
    path.join(recovered, `${PLANTED.recovered_image}.json`),
    `${JSON.stringify({ ...record, recovered_at: UNTRACKED_GENERATED_AT, save_error: 'the manifest was invalid' })}\n`,
  );

  // Beside the data folder: must stay as they are. The link inside data/ points out and is ignored.
  await fs.writeFile(path.join(temp.dir, 'notes.txt'), 'not part of the data folder\n');
  await fs.mkdir(path.join(temp.dir, 'elsewhere'));
  await fs.writeFile(path.join(temp.dir, 'elsewhere', `${MESSY}_50.jpg`), await smallImage(50));
  await fs.symlink(path.join(temp.dir, 'elsewhere', `${MESSY}_50.jpg`), path.join(paths.trainingDir, `${MESSY}_50.jpg`));
  return { dir: temp.dir, dataRoot, bytes, cleanup: temp.cleanup };
}
