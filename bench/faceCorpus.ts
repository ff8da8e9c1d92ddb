/**
 * The labelled face corpus: deterministic variants of the openly licensed photos in
 * fixtures/faceCorpus (sources.json) that mimic generated training images (small faces in a large
 * frame, rotation, faces cut by the frame, mirrored, greyscale, ink, posterised, painterly, low
 * light) plus images with no face. Generated on demand into a cache folder (never committed); each
 * image comes with its label. The same seed and sources give the same files.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from '../src/core/image/sharp';

export const CORPUS_DIR = path.join(__dirname, '..', '..', 'fixtures', 'faceCorpus');
/** Bump when a transform changes, so cached corpora are made again. */
const GENERATOR_VERSION = 3;

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Source {
  id: string;
  file: string;
  person: string;
  faceBox: FaceBox;
}

export type TransformKind =
  | 'original'
  | 'reencode'
  | 'crop'
  | 'small'
  | 'rotate'
  | 'partial'
  | 'mirror'
  | 'greyscale'
  | 'ink'
  | 'posterise'
  | 'painterly'
  | 'lowlight'
  | 'small_rotate'
  | 'no_face';

export interface CorpusItem {
  /** Unique name, also the file's base name. */
  id: string;
  file: string;
  /** The source photo's id (collins, cameraman, hopper; or a negative's id). */
  source: string;
  /** Who is in the image (null: nobody). */
  person: string | null;
  transform: TransformKind;
  /** Transform parameters as text, e.g. `face 8% of frame height`, `+30°`. */
  detail: string;
  /** Whether a human face is visibly present (a face a detector should find). */
  faceVisible: boolean;
  /** Expected identity against the base photo of `source` ('same' for every variant of a person; null without a face). */
  expectedIdentity: 'same' | 'other' | null;
  /** A re-encoded or cropped copy of the base photo itself: what a near-clone ceiling should catch. */
  nearClone: boolean;
  /** Expected face height / image height, from the source's face box (null when unknown or no face). */
  faceHeightRatio: number | null;
}

export interface Corpus {
  dir: string;
  items: CorpusItem[];
  /** Base photo per person (the untransformed source). */
  bases: Record<string, string>;
}

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const FRAME = { width: 1344, height: 768 };

type Sharp = Awaited<ReturnType<typeof loadSharp>>;

async function raw(sharp: Sharp, input: Buffer | string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function posterise(data: Buffer, levels: number): Buffer {
  const out = Buffer.alloc(data.length);
  const step = 255 / (levels - 1);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(Math.round(data[i] / step) * step);
  return out;
}

/** A blurred, dimmed photo without a face (the coffee photo) filling the large frame. */
async function background(sharp: Sharp, seed: number): Promise<Buffer> {
  const random = rng(seed);
  const coffee = path.join(CORPUS_DIR, 'coffee.png');
  return sharp(coffee)
    .resize(FRAME.width, FRAME.height, { fit: 'cover' })
    .modulate({ brightness: 0.7 + random() * 0.3, hue: Math.floor(random() * 360) })
    .blur(6)
    .removeAlpha()
    .toColourspace('srgb')
    .png()
    .toBuffer();
}

export async function generateFaceCorpus(cacheRoot = path.join(__dirname, '..', '..', 'out', 'faceCorpus'), seed = 12): Promise<Corpus> {
  const sharp = await loadSharp();
  const spec = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'sources.json'), 'utf8')) as {
    sources: Source[];
    negatives: { id: string; file: string }[];
  };
  const key = createHash('sha256')
    .update(JSON.stringify({ spec, seed, GENERATOR_VERSION, vips: sharp.versions?.vips }))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(cacheRoot, key);
  const labels = path.join(dir, 'labels.json');
  if (fs.existsSync(labels)) return JSON.parse(fs.readFileSync(labels, 'utf8')) as Corpus;

  fs.mkdirSync(dir, { recursive: true });
  const items: CorpusItem[] = [];
  const bases: Record<string, string> = {};
  const random = rng(seed);

  for (const source of spec.sources) {
    const file = path.join(CORPUS_DIR, source.file);
    const meta = await sharp(file).metadata();
    const width = meta.width!;
    const height = meta.height!;
    const box = source.faceBox;
    bases[source.person] = file;
    const add = async (transform: TransformKind, detail: string, image: Promise<Buffer>, extra: Partial<CorpusItem> = {}) => {
      const id = `${source.id}__${transform}${detail ? '_' + detail.replace(/[^a-z0-9+-]+/gi, '') : ''}`;
      const out = path.join(dir, `${id}.jpg`);
      fs.writeFileSync(out, await image);
      const outMeta = await sharp(out).metadata();
      items.push({
        id,
        file: out,
        source: source.id,
        person: source.person,
        transform,
        detail,
        faceVisible: true,
        expectedIdentity: 'same',
        nearClone: false,
        faceHeightRatio: Math.round((box.height / height) * (height / outMeta.height!) * 1000) / 1000,
        ...extra,
      });
    };
    const jpeg = (pipeline: ReturnType<Sharp>) => pipeline.jpeg({ quality: 88 }).toBuffer();

    // Near clones: the base photo re-encoded, and cropped around the face then resized.
    await add('reencode', 'q88', jpeg(sharp(file).removeAlpha()), { nearClone: true, faceHeightRatio: box.height / height });
    const side = Math.min(width, height, Math.round(Math.max(box.width, box.height) * 3));
    const left = Math.max(0, Math.min(width - side, Math.round(box.x + box.width / 2 - side / 2)));
    const top = Math.max(0, Math.min(height - side, Math.round(box.y + box.height / 2 - side / 2)));
    await add('crop', `${side}px`, jpeg(sharp(file).extract({ left, top, width: side, height: side }).resize(768, 768)), {
      nearClone: true,
      faceHeightRatio: box.height / side,
    });

    // Small faces in a large 1344x768 frame: the face is this share of the frame's height.
    for (const share of [0.2, 0.12, 0.08, 0.05]) {
      const scale = (share * FRAME.height) / box.height;
      const w = Math.round(width * scale);
      const h = Math.round(height * scale);
      const photo = await sharp(file)
        .resize(Math.min(w, FRAME.width), Math.min(h, FRAME.height), { fit: 'cover' })
        .removeAlpha()
        .toColourspace('srgb')
        .png()
        .toBuffer();
      const pw = Math.min(w, FRAME.width);
      const ph = Math.min(h, FRAME.height);
      const x = Math.floor(random() * (FRAME.width - pw + 1));
      const y = Math.floor(random() * (FRAME.height - ph + 1));
      const bg = await background(sharp, Math.floor(random() * 1e9));
      await add('small', `${Math.round(share * 100)}pct`, jpeg(sharp(bg).composite([{ input: photo, left: x, top: y }])), { faceHeightRatio: share });
    }

    // Rotation (the canvas grows; corners filled with the photo's mean grey).
    for (const angle of [-30, -15, 15, 30]) {
      await add(
        'rotate',
        `${angle > 0 ? '+' : ''}${angle}deg`,
        jpeg(
          sharp(file)
            .removeAlpha()
            .rotate(angle, { background: { r: 120, g: 120, b: 120 } }),
        ),
        {
          faceHeightRatio: null,
        },
      );
    }
    // A small rotated face: the two together, as generated "dynamic angle" images often are.
    {
      const share = 0.12;
      const scale = (share * FRAME.height) / box.height;
      const rotated = await sharp(file)
        .resize(Math.round(width * scale), Math.round(height * scale))
        .removeAlpha()
        .rotate(25, { background: { r: 90, g: 80, b: 70 } })
        .png()
        .toBuffer();
      const rm = await sharp(rotated).metadata();
      const rw = Math.min(rm.width!, FRAME.width);
      const rh = Math.min(rm.height!, FRAME.height);
      const bg = await background(sharp, Math.floor(random() * 1e9));
      const piece = await sharp(rotated).extract({ left: 0, top: 0, width: rw, height: rh }).png().toBuffer();
      await add(
        'small_rotate',
        '12pct+25deg',
        jpeg(sharp(bg).composite([{ input: piece, left: Math.floor(random() * (FRAME.width - rw + 1)), top: Math.floor(random() * (FRAME.height - rh + 1)) }])),
        {
          faceHeightRatio: share,
        },
      );
    }

    // Faces cut by the frame: this share of the face box's width (left) or height (top) is outside.
    for (const cut of [0.25, 0.5]) {
      const x0 = Math.round(box.x + box.width * cut);
      await add(
        'partial',
        `left${Math.round(cut * 100)}pct`,
        jpeg(
          sharp(file)
            .removeAlpha()
            .extract({ left: x0, top: 0, width: width - x0, height }),
        ),
      );
    }
    {
      const y0 = Math.round(box.y + box.height * 0.35);
      await add(
        'partial',
        'top35pct',
        jpeg(
          sharp(file)
            .removeAlpha()
            .extract({ left: 0, top: y0, width, height: height - y0 }),
        ),
        {
          faceHeightRatio: Math.round(((box.height * 0.65) / (height - y0)) * 1000) / 1000,
        },
      );
    }

    await add('mirror', '', jpeg(sharp(file).removeAlpha().flop()));
    await add('greyscale', '', jpeg(sharp(file).removeAlpha().greyscale()));
    // Ink: high-contrast black and white.
    await add('ink', 'threshold', jpeg(sharp(file).removeAlpha().greyscale().normalise().threshold(118)));
    await add('ink', 'median+threshold', jpeg(sharp(file).removeAlpha().greyscale().median(5).normalise().threshold(128)));
    {
      const image = await raw(sharp, file);
      await add('posterise', '4levels', jpeg(sharp(posterise(image.data, 4), { raw: { width: image.width, height: image.height, channels: 3 } })));
      const median = await raw(sharp, await sharp(file).removeAlpha().median(9).png().toBuffer());
      await add(
        'painterly',
        'median9+6levels',
        jpeg(sharp(posterise(median.data, 6), { raw: { width: median.width, height: median.height, channels: 3 } }).modulate({ saturation: 1.4 })),
      );
      const blurred = await raw(sharp, await sharp(file).removeAlpha().blur(2.5).png().toBuffer());
      await add('painterly', 'blur+5levels', jpeg(sharp(posterise(blurred.data, 5), { raw: { width: blurred.width, height: blurred.height, channels: 3 } })));
      // Low light: a quarter of the brightness and sensor-like noise.
      const noise = rng(Math.floor(random() * 1e9));
      const dark = Buffer.alloc(image.data.length);
      for (let i = 0; i < image.data.length; i++) dark[i] = Math.max(0, Math.min(255, Math.round(image.data[i] * 0.25 + gaussian(noise) * 6)));
      await add('lowlight', '25pct+noise', jpeg(sharp(dark, { raw: { width: image.width, height: image.height, channels: 3 } })));
    }

    // The same photo with the face cut away: nothing to find.
    {
      const y0 = Math.min(height - 64, Math.round(box.y + box.height * 1.35));
      await add(
        'no_face',
        'below-face',
        jpeg(
          sharp(file)
            .removeAlpha()
            .extract({ left: 0, top: y0, width, height: height - y0 }),
        ),
        {
          faceVisible: false,
          expectedIdentity: null,
          faceHeightRatio: null,
        },
      );
    }
  }

  for (const negative of spec.negatives) {
    const file = path.join(CORPUS_DIR, negative.file);
    const out = path.join(dir, `${negative.id}__no_face.jpg`);
    fs.writeFileSync(out, await sharp(file).removeAlpha().jpeg({ quality: 88 }).toBuffer());
    items.push({
      id: `${negative.id}__no_face`,
      file: out,
      source: negative.id,
      person: null,
      transform: 'no_face',
      detail: negative.id,
      faceVisible: false,
      expectedIdentity: null,
      nearClone: false,
      faceHeightRatio: null,
    });
  }

  const corpus: Corpus = { dir, items, bases };
  fs.writeFileSync(labels, JSON.stringify(corpus, null, 2));
  return corpus;
}

if (require.main === module) {
  generateFaceCorpus(process.argv[2])
    .then((corpus) => {
      console.log(`${corpus.items.length} images in ${corpus.dir}`);
      for (const item of corpus.items) console.log(`${item.id}\tface=${item.faceVisible}\t${item.person ?? '-'}\t${item.faceHeightRatio ?? ''}`);
    })
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
