import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatJson } from '../src/core/manifest/jsonFile';

const CATEGORIES = ['photorealistic', 'photorealistic', 'photorealistic', 'bw_stylized', 'color_stylized'] as const;
const ETHNICITIES = ['european', 'african', 'east-asian', 'south-asian', 'latin', 'middle-eastern'];

/** Bump when the data written below changes, so cached copies are made again. */
const SYNTHETIC_VERSION = 1;
/** Actors written at once: the writes are small, so waiting on one at a time leaves the disk idle. */
const ACTORS_AT_ONCE = 16;

/**
 * A workspace holding `data/` with the synthetic actors, made once and kept in the user's cache
 * (10,000 actors x 20 images take about a minute to write and 1.2 GB): callers only read it.
 */
export async function cachedSyntheticWorkspace(actors: number, images: number): Promise<string> {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const workspace = path.join(cacheHome, 'actor-studio', 'bench-data', `${actors}x${images}-v${SYNTHETIC_VERSION}`);
  const complete = path.join(workspace, '.complete');
  if (!existsSync(complete)) {
    await fs.rm(workspace, { recursive: true, force: true });
    await writeSyntheticData(path.join(workspace, 'data'), actors, images);
    await fs.writeFile(complete, '');
  }
  return workspace;
}

/**
 * Writes `actors` synthetic actors with `images` training images each (tiny files: the index
 * reads names and manifests, never pixels), plus a realistic manifest per actor.
 */
export async function writeSyntheticData(dataRoot: string, actors: number, images: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    for (let n = next++; n < actors; n = next++) {
      await writeActor(dataRoot, n, images);
    }
  };
  await Promise.all(Array.from({ length: ACTORS_AT_ONCE }, writer));
}

async function writeActor(dataRoot: string, n: number, images: number): Promise<void> {
  const id = `${String(n).padStart(4, '0')}_${ETHNICITIES[n % ETHNICITIES.length]}_${18 + (n % 50)}_${n % 2 ? 'male' : 'female'}`;
  const dir = path.join(dataRoot, 'actors', id);
  await fs.mkdir(path.join(dir, 'base_image'), { recursive: true });
  await fs.mkdir(path.join(dir, 'training_data'), { recursive: true });
  await fs.writeFile(path.join(dir, 'base_image', `${id}_base.png`), 'png');
  const entries = [];
  for (let i = 0; i < images; i++) {
    const filename = `${id}_${i}.jpg`;
    await fs.writeFile(path.join(dir, 'training_data', filename), 'jpg');
    entries.push({
      filename,
      index: i,
      category: CATEGORIES[i % CATEGORIES.length],
      source: 'generated',
      prompt_id: `prompt_${i % 35}`,
      prompt: `A cinematic low-angle shot of the ${n % 2 ? 'man' : 'woman'} crossing a rain-slick street at night, looking away from the camera, off-centre framing; keep the identity from the input image. Variation ${i}.`,
      model: 'black-forest-labs/flux-kontext-pro',
      parameters: { aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2 },
      seed: n * 1000 + i,
      created_at: new Date(Date.UTC(2025, 0, 1, 0, n, i)).toISOString(),
      s3_key: `system_actors/training_data/${id}/${filename}`,
      s3_url: `https://bucket.s3.amazonaws.com/system_actors/training_data/${id}/${filename}`,
      sha256: (n * 1000 + i).toString(16).padStart(64, '0'),
      size: 120_000 + i,
      width: 1344,
      height: 768,
      rating: i % 4 === 0 ? { stars: 1 + (i % 5), feedback: 'ok', rated_at: '2025-02-01T00:00:00.000Z' } : null,
    });
  }
  const manifest = {
    schema_version: 1,
    actor: { id, sex: n % 2 ? 'male' : 'female' },
    base_images: [{ filename: `${id}_base.png` }],
    images: entries,
    generations: [{ id: `gen-${n}`, model: 'black-forest-labs/flux-kontext-pro', images: entries.map((entry) => entry.filename) }],
  };
  await fs.writeFile(path.join(dir, 'training_data', 'manifest.json'), formatJson(manifest));
}
