import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../src/core/image/sharp';
import { formatJson } from '../src/core/manifest/jsonFile';

/** Where the sample's real photos and drawings are (the sources of a gallery actor's images). */
const SAMPLE_ACTORS = path.join(__dirname, '..', '..', 'sample', 'data', 'actors');

interface SourceImage {
  file: string;
  entry: { category: string; prompt_id?: string; prompt?: string };
}

/**
 * Writes an actor with `count` training images for the gallery's e2e scenario and benchmark: the
 * sample's images, each varied (mirrored, cropped, brightened) so every file has its own bytes and
 * thumbnail, with ratings, evaluations (issues, face distances, one needing review) and a plan
 * that deletes two images and was made before the last four. Returns the actor id.
 */
export async function writeGalleryActor(dataRoot: string, count: number, actorId = '0100_european_30_female'): Promise<string> {
  const sources = await sampleImages();
  const sharp = await loadSharp();
  const dir = path.join(dataRoot, 'actors', actorId);
  await fs.mkdir(path.join(dir, 'base_image'), { recursive: true });
  await fs.mkdir(path.join(dir, 'training_data'), { recursive: true });
  const base = path.join(SAMPLE_ACTORS, '0000_european_45_female', 'base_image', '0000_european_45_female_base.png');
  await fs.copyFile(base, path.join(dir, 'base_image', `${actorId}_base.png`));
  const entries = [];
  const seen: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length];
    const filename = `${actorId}_${i}.jpg`;
    const round = Math.floor(i / sources.length);
    let image = sharp(source.file).resize(768, 432, { fit: 'cover', position: ['centre', 'left', 'right', 'top'][round % 4] });
    if (round % 2 === 1) image = image.flop();
    const bytes = await image
      .modulate({ brightness: 0.92 + (round % 4) * 0.05 })
      .jpeg({ quality: 85 })
      .toBuffer();
    await fs.writeFile(path.join(dir, 'training_data', filename), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (i < count - 4) seen[filename] = sha256;
    const issues = i % 9 === 4 ? ['blurry'] : i % 13 === 7 ? ['unscorable'] : [];
    entries.push({
      filename,
      index: i,
      category: source.entry.category,
      category_source: i % 10 === 3 ? 'user' : 'prompt',
      source: 'generated',
      prompt_id: source.entry.prompt_id,
      prompt: source.entry.prompt,
      model: 'local/augment',
      created_at: new Date(Date.UTC(2025, 5, 1, 10, i)).toISOString(),
      sha256,
      size: bytes.length,
      width: 768,
      height: 432,
      ...(i % 3 === 0 ? { rating: { stars: 1 + (i % 5), rated_at: '2025-06-02T09:00:00.000Z' } } : {}),
      evaluation: {
        evaluator: 'local+face',
        sha256,
        issues,
        reasons: issues.includes('unscorable') ? ['needs review: no face found; identity not scored'] : issues,
        ...(issues.includes('unscorable') ? {} : { identity_distance: 0.25 + ((i * 7) % 45) / 100, centroid_distance: 0.22 + ((i * 5) % 30) / 100 }),
      },
    });
  }
  const manifest = {
    schema_version: 1,
    actor: { id: actorId, sex: 'female', display_name: 'Gallery (e2e)' },
    base_images: [{ filename: `${actorId}_base.png` }],
    images: entries,
  };
  await fs.writeFile(path.join(dir, 'training_data', 'manifest.json'), formatJson(manifest));
  const plans = path.join(dataRoot, 'action_plans');
  await fs.mkdir(plans, { recursive: true });
  const plan = {
    schema_version: 1,
    actor_id: actorId,
    created_at: '2025-06-03T10:00:00.000Z',
    seen,
    deletions: [4, 13].filter((n) => n < count).map((n) => ({ filename: `${actorId}_${n}.jpg`, reason: 'blurry', rule: 'failed_checks' })),
    generations: [],
  };
  await fs.writeFile(path.join(plans, `${actorId}_action_plan.json`), formatJson(plan));
  return actorId;
}

/** Every training image of the sample with its manifest entry. */
async function sampleImages(): Promise<SourceImage[]> {
  const images: SourceImage[] = [];
  for (const actor of (await fs.readdir(SAMPLE_ACTORS)).sort()) {
    const training = path.join(SAMPLE_ACTORS, actor, 'training_data');
    const text = await fs.readFile(path.join(training, 'manifest.json'), 'utf8').catch(() => undefined);
    if (!text) continue; // an actor of the old tool's layout (no manifest yet)
    const manifest = JSON.parse(text) as { images: Array<SourceImage['entry'] & { filename: string }> };
    for (const entry of manifest.images) {
      const file = path.join(training, entry.filename);
      if (
        await fs.stat(file).then(
          () => true,
          () => false,
        )
      )
        images.push({ file, entry });
    }
  }
  return images;
}
