#!/usr/bin/env node
// Builds the sample workspace's data folder (sample/data) from the two real photographs in
// fixtures/faces (provenance: fixtures/README.md).
//
//   node scripts/make-sample.mjs
//
// Deterministic: every run writes the same bytes (fixed crops, fixed grades, fixed timestamps,
// fixed seeds; JPEG encoding by the sharp/libvips in node_modules). Idempotent: it deletes
// sample/data and writes it anew; it touches nothing else (sample/README.md and
// sample/.vscode/settings.json are hand-written).
//
// The training images are local augmentations of the photographs (crops, colour grades,
// stylizations), not model outputs: the manifests say so with model "local/augment". Some
// images are deliberately imperfect (blur, darkness, near-duplicate, wrong person, low
// resolution, category mismatch, untracked file, unknown category): sample/README.md lists them.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FACES = join(ROOT, 'fixtures', 'faces');
const DATA = join(ROOT, 'sample', 'data');
const ACTORS = join(DATA, 'actors');

const ASTRONAUT = join(FACES, 'astronaut.png');
const CAMERAMAN = join(FACES, 'cameraman.png');
// Grace Hopper, colour, 512x600 (public domain; provenance in fixtures/faceCorpus/README.md).
const HOPPER = join(ROOT, 'fixtures', 'faceCorpus', 'grace_hopper.jpg');
// Face centres in the 512x512 source photographs (pixels).
const ASTRONAUT_FACE = [225, 120];
const CAMERAMAN_FACE = [215, 140];
const HOPPER_FACE = [260, 225];

const W = 768;
const H = 432;
const JPEG = { quality: 82, chromaSubsampling: '4:2:0', mozjpeg: false, progressive: false };
const MODEL = 'local/augment';
const PARAMETERS = { aspect_ratio: '16:9', output_format: 'jpg' };
const BUCKET_URL = 'https://example-bucket.s3.amazonaws.com/system_actors/training_data';

sharp.cache(false);

// ---------------------------------------------------------------------------------------------
// Pixel helpers. Images travel as { data: Buffer (RGB, 3 channels), width, height }.

const clamp8 = (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
const luma = (r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b;

function mapPixels(img, fn) {
  const out = Buffer.alloc(img.data.length);
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    const [r, g, b] = fn(d[i], d[i + 1], d[i + 2]);
    out[i] = clamp8(r);
    out[i + 1] = clamp8(g);
    out[i + 2] = clamp8(b);
  }
  return { ...img, data: out };
}

/** Reframes a 512x512 photograph: optional mirror and rotation (dutch angle), scale, then a
 *  width x height window placing the face at `at` (fractions of the window), clamped to the
 *  picture. */
async function frame(src, face, { scale, at, rotate = 0, flop = false, width = W, height = H }) {
  let pipe = sharp(src).toColourspace('srgb');
  if (flop) pipe = pipe.flop();
  if (rotate) pipe = pipe.rotate(rotate, { background: { r: 0, g: 0, b: 0 } });
  const base = await pipe.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let [fx, fy] = face;
  if (flop) fx = 512 - fx;
  if (rotate) {
    // sharp rotates clockwise about the centre and grows the canvas to the bounding box.
    const t = (rotate * Math.PI) / 180;
    const dx = fx - 256;
    const dy = fy - 256;
    fx = base.info.width / 2 + dx * Math.cos(t) - dy * Math.sin(t);
    fy = base.info.height / 2 + dx * Math.sin(t) + dy * Math.cos(t);
  }
  const sw = Math.round(base.info.width * scale);
  const sh = Math.round(base.info.height * scale);
  // After a rotation only the centred square of side 512 / (cos + sin) holds picture everywhere:
  // keep the window inside it so no background corner shows.
  const t = Math.abs((rotate * Math.PI) / 180);
  const inner = (512 / (Math.cos(t) + Math.sin(t))) * scale;
  if (rotate && (inner < width + 2 || inner < height + 2)) throw new Error(`scale ${scale} too small for a ${rotate} degree rotation`);
  const x0 = rotate ? Math.ceil((sw - inner) / 2) : 0;
  const y0 = rotate ? Math.ceil((sh - inner) / 2) : 0;
  const x1 = rotate ? Math.floor((sw + inner) / 2) : sw;
  const y1 = rotate ? Math.floor((sh + inner) / 2) : sh;
  const left = Math.max(x0, Math.min(x1 - width, Math.round(fx * scale - at[0] * width)));
  const top = Math.max(y0, Math.min(y1 - height, Math.round(fy * scale - at[1] * height)));
  const { data, info } = await sharp(base.data, { raw: base.info })
    .resize(sw, sh, { kernel: 'lanczos3' })
    .extract({ left, top, width, height })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function viaSharp(img, fn) {
  const { data, info } = await fn(sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const blur = (img, sigma) => viaSharp(img, (s) => s.blur(sigma));
const downscale = (img, width, height) => viaSharp(img, (s) => s.resize(width, height, { kernel: 'lanczos3' }));

function jpegRGB(img) {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg(JPEG)
    .toBuffer();
}

/** A one-channel (greyscale) JPEG from an RGB image. */
function jpegGrey(img) {
  const g = Buffer.alloc(img.width * img.height);
  for (let i = 0, j = 0; j < g.length; i += 3, j++) g[j] = clamp8(luma(img.data[i], img.data[i + 1], img.data[i + 2]));
  return sharp(g, { raw: { width: img.width, height: img.height, channels: 1 } })
    .toColourspace('b-w')
    .jpeg(JPEG)
    .toBuffer();
}

// Colour grades.
const warm = (img) => mapPixels(img, (r, g, b) => [r * 1.07 + 12, g * 1.0 + 4, b * 0.84 - 6]);
const cool = (img) => mapPixels(img, (r, g, b) => [r * 0.88 - 6, g * 0.98 + 3, b * 1.08 + 16]);
const tealOrange = (img) =>
  mapPixels(img, (r, g, b) => {
    const t = (luma(r, g, b) - 128) / 128; // -1 shadows .. +1 highlights
    const c = (v) => 128 + (v - 128) * 1.12;
    return [c(r) + 26 * t - 4, c(g) + 6 * t + 4, c(b) - 30 * t + 8];
  });
const fadedFilm = (img) =>
  mapPixels(img, (r, g, b) => {
    const f = (v) => 24 + v * 0.82;
    return [f(r) + 6, f(g) + 2, f(b) - 4];
  });
const brightness = (img, k, add = 0) => mapPixels(img, (r, g, b) => [r * k + add, g * k + add, b * k + add]);
const darken = (img) => mapPixels(img, (r, g, b) => [0.2 * r, 0.2 * g, 0.22 * b]);

/** Split-tones a grey photograph: teal shadows, amber highlights (a colour-graded look). */
const splitTone = (img, shadow, highlight) =>
  mapPixels(img, (r, g, b) => {
    const l = luma(r, g, b);
    const t = l / 255;
    return [0, 1, 2].map((k) => l + (1 - t) * shadow[k] + t * highlight[k]);
  });

/** Greyscale with a steep S curve: charcoal-like high contrast. */
const highContrastGrey = (img, steep = 9, mid = 0.5) =>
  mapPixels(img, (r, g, b) => {
    const x = luma(r, g, b) / 255;
    const y = 1 / (1 + Math.exp(-steep * (x - mid)));
    const lo = 1 / (1 + Math.exp(steep * mid));
    const hi = 1 / (1 + Math.exp(-steep * (1 - mid)));
    const v = ((y - lo) / (hi - lo)) * 255;
    return [v, v, v];
  });

/** Sobel edge magnitude of the luminance, one value per pixel. */
function edges(img) {
  const { width: w, height: h, data } = img;
  const l = new Float32Array(w * h);
  for (let j = 0, i = 0; j < l.length; j++, i += 3) l[j] = luma(data[i], data[i + 1], data[i + 2]);
  const e = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = (dx, dy) => l[(y + dy) * w + x + dx];
      const gx = p(1, -1) + 2 * p(1, 0) + p(1, 1) - p(-1, -1) - 2 * p(-1, 0) - p(-1, 1);
      const gy = p(-1, 1) + 2 * p(0, 1) + p(1, 1) - p(-1, -1) - 2 * p(0, -1) - p(1, -1);
      e[y * w + x] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  return e;
}

/** Pen-and-ink: black strokes on white from a luminance threshold plus strong edges. */
async function ink(img, threshold, edgeLimit) {
  const soft = await blur(img, 2);
  const e = edges(soft);
  let j = 0;
  return mapPixels(soft, (r, g, b) => {
    const edge = e[j++];
    const v = luma(r, g, b) < threshold || edge > edgeLimit ? 0 : 255;
    return [v, v, v];
  });
}

/** Comic look: saturated, posterised colours with dark outlines. */
async function comic(img, { levels = 4, saturation = 1.8, edgeLimit = 150 } = {}) {
  const soft = await blur(img, 1.5);
  const e = edges(soft);
  const step = 255 / (levels - 1);
  const post = (v) => Math.round(v / step) * step;
  let j = 0;
  return mapPixels(soft, (r, g, b) => {
    if (e[j++] > edgeLimit) return [20, 16, 28];
    const l = luma(r, g, b);
    return [post(l + (r - l) * saturation), post(l + (g - l) * saturation), post(l + (b - l) * saturation)];
  });
}

/** Pop-art gradient map for a grey photograph: navy shadows, magenta mid-tones, yellow lights. */
async function popArt(img) {
  const soft = await blur(img, 1.5);
  const e = edges(soft);
  const stops = [
    [24, 28, 92],
    [226, 40, 128],
    [255, 214, 40],
    [255, 250, 220],
  ];
  let j = 0;
  return mapPixels(soft, (r, g, b) => {
    if (e[j++] > 160) return [12, 12, 30];
    const l = luma(r, g, b);
    return stops[l < 70 ? 0 : l < 135 ? 1 : l < 200 ? 2 : 3];
  });
}

// ---------------------------------------------------------------------------------------------
// Prompts (the texts the images stand in for). The descriptor is "woman"/"man" from the sex.

const PROMPTS = {
  photo_rain_street_run: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image running along a rain-soaked city street at night, low camera angle, off-centre framing with the ${d} on the left third, looking away from the camera toward a passing tram, neon reflections on wet asphalt, shallow depth of field, warm street-lamp light. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_golden_hour_rooftop: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image standing on a rooftop at golden hour, dutch angle, off-centre framing with the ${d} on the right third, looking away from the camera over the skyline, wind in the hair, warm backlight and lens flare. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_neon_night_market: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image walking through a crowded night market, over-the-shoulder shot, off-centre framing, the ${d} looking away from the camera at a food stall, teal and orange neon light, bokeh, anamorphic look. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_foggy_harbor: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image on a foggy harbour pier at dawn, high camera angle, off-centre framing, the ${d} looking away from the camera toward the water, cold blue morning light, muted colours. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_desert_highway: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image leaning on a car beside an empty desert highway, low camera angle, off-centre framing with the ${d} on the left third, looking away from the camera toward the horizon, harsh midday sun, dust in the air. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_library_window: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image reading by a tall library window, dutch angle, off-centre framing, the ${d} looking away from the camera out of the window, soft side light, dust motes, muted colours. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_subway_platform: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image waiting on a subway platform as a train arrives, over-the-shoulder shot, off-centre framing, the ${d} looking away from the camera down the tunnel, motion blur on the train, fluorescent green-tinted light. Keep the person's identity, face and hairstyle from the input image exactly.`,
  photo_mountain_trail: (d) =>
    `Cinematic photorealistic film still of the ${d} from the input image hiking a mountain trail in late afternoon, high camera angle, off-centre framing with the ${d} on the right third, looking away from the camera at the valley, warm rim light, deep shadows. Keep the person's identity, face and hairstyle from the input image exactly.`,
  bw_pen_and_ink: (d) =>
    `Black-and-white pen-and-ink illustration of the ${d} from the input image, bold black strokes and cross-hatching on white paper, dramatic low angle, off-centre composition, the ${d} looking away from the viewer, no grey wash, no colour. Keep the person's identity and facial features from the input image.`,
  bw_charcoal_sketch: (d) =>
    `Black-and-white charcoal drawing of the ${d} from the input image, deep blacks and smudged highlights, high contrast, dutch angle, off-centre composition, the ${d} looking away from the viewer, textured paper, no colour. Keep the person's identity and facial features from the input image.`,
  bw_linocut: (d) =>
    `Black-and-white linocut print of the ${d} from the input image, carved solid shapes, strong contrast, high angle, off-centre composition, the ${d} looking away from the viewer, no colour. Keep the person's identity and facial features from the input image.`,
  color_comic_book: (d) =>
    `Colour comic-book illustration of the ${d} from the input image, bold ink outlines, flat saturated colours, halftone shading, dynamic low angle, off-centre panel composition, the ${d} looking away from the viewer. Keep the person's identity and facial features from the input image.`,
  color_pop_art: (d) =>
    `Colour pop-art screen print of the ${d} from the input image, limited palette of navy, magenta and yellow, bold outlines, dutch angle, off-centre composition, the ${d} looking away from the viewer. Keep the person's identity and facial features from the input image.`,
};

// ---------------------------------------------------------------------------------------------
// Output helpers.

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const json = (obj) => `${JSON.stringify(obj, null, 2)}\n`;
const seedFor = (key) => createHash('sha256').update(`seed:${key}`).digest().readUInt32BE(0) >>> 1;

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** Minutes after 2025-06-01T10:00:00Z, as an ISO timestamp. */
const at = (minutes) => new Date(Date.UTC(2025, 5, 1, 10, 0, 0) + minutes * 60_000).toISOString();

async function info(bytes) {
  const m = await sharp(bytes).metadata();
  return { sha256: sha256(bytes), size: bytes.length, width: m.width, height: m.height };
}

/**
 * Writes one actor. `images`: { n, make: () => Promise<Buffer>, category, prompt_id, source,
 * rating, untracked, generation } in creation order.
 */
async function writeActor(actor, { base, images, manifest = true, descriptor }) {
  const dir = join(ACTORS, actor.id);
  const td = join(dir, 'training_data');
  const baseBytes = await base.make();
  write(join(dir, 'base_image', base.filename), baseBytes);

  const entries = [];
  const written = [];
  let minute = 5;
  for (const spec of images) {
    const filename = `${actor.id}_${spec.n}.jpg`;
    const bytes = await spec.make();
    write(join(td, filename), bytes);
    const meta = await info(bytes);
    const created = at(minute);
    minute += spec.gap ?? 1;
    written.push({ filename, spec, created, meta });
    if (spec.untracked) continue;
    const promptId = spec.prompt_id ?? null;
    entries.push({
      filename,
      index: spec.n,
      category: spec.category,
      source: spec.source ?? 'generated',
      prompt_id: promptId,
      prompt: promptId ? PROMPTS[promptId](descriptor) : null,
      model: MODEL,
      parameters: { ...PARAMETERS },
      seed: seedFor(`${actor.id}/${spec.n}`),
      created_at: created,
      s3_key: null,
      s3_url: null,
      sha256: meta.sha256,
      size: meta.size,
      width: meta.width,
      height: meta.height,
      rating: spec.rating ? { stars: spec.rating[0], feedback: spec.rating[1], rated_at: `2025-06-02T${spec.rating[2]}.000Z` } : null,
    });
  }
  if (!manifest) return { baseBytes, written };

  const generations = [];
  for (const e of entries) {
    const g = images.find((s) => s.n === e.index).generation;
    if (!g) continue;
    let gen = generations.find((x) => x.id === g);
    if (!gen) {
      gen = { id: g, created_at: e.created_at, model: MODEL, images: [] };
      generations.push(gen);
    }
    gen.images.push(e.filename);
  }

  const baseInfo = await info(baseBytes);
  write(
    join(td, 'manifest.json'),
    json({
      schema_version: 1,
      actor: {
        id: actor.id,
        ethnicity: actor.ethnicity,
        age: actor.age,
        sex: actor.sex,
        display_name: actor.display_name,
      },
      base_images: [
        {
          filename: base.filename,
          sha256: baseInfo.sha256,
          size: baseInfo.size,
          width: baseInfo.width,
          height: baseInfo.height,
          added_at: at(0),
        },
      ],
      images: entries,
      generations,
    }),
  );

  const meta = {};
  for (const e of entries) {
    if (!e.prompt) continue;
    meta[e.filename] = {
      prompt: e.prompt,
      prompt_preview: e.prompt.slice(0, 100),
      generated_at: e.created_at,
      s3_url: '',
      index: e.index,
    };
  }
  write(join(td, 'prompt_metadata.json'), json({ images: meta }));
  return { baseBytes, written };
}

// ---------------------------------------------------------------------------------------------
// The three actors.

async function actor0000() {
  const id = '0000_european_45_female';
  const A = ASTRONAUT;
  const F = ASTRONAUT_FACE;
  // Framings of the astronaut photograph (scale of the 512 px source, face position in the frame).
  const wide = () => frame(A, F, { scale: 1.5, at: [0.44, 0.3] });
  const mediumLeft = () => frame(A, F, { scale: 2.0, at: [0.33, 0.55] });
  const closeRight = () => frame(A, F, { scale: 2.4, at: [0.64, 0.56] });
  const dutch = () => frame(A, F, { scale: 2.2, at: [0.62, 0.52], rotate: 9 });
  const lowRight = () => frame(A, F, { scale: 1.8, at: [0.6, 0.35] });

  await writeActor(
    { id, ethnicity: 'european', age: 45, sex: 'female', display_name: 'Eileen (sample)' },
    {
      descriptor: 'woman',
      base: { filename: `${id}_base.png`, make: async () => readFileSync(A) },
      images: [
        {
          n: 0,
          category: 'photorealistic',
          prompt_id: 'photo_rain_street_run',
          generation: 'sample-1',
          make: async () => jpegRGB(warm(await mediumLeft())),
          rating: [5, 'Strong likeness, warm light, off-centre as asked.', '09:00:00'],
        },
        {
          n: 1,
          category: 'photorealistic',
          prompt_id: 'photo_foggy_harbor',
          generation: 'sample-1',
          make: async () => jpegRGB(cool(await closeRight())),
          rating: [4, 'Good likeness; the cool grade is a little strong.', '09:01:00'],
        },
        {
          n: 2,
          category: 'photorealistic',
          prompt_id: 'photo_neon_night_market',
          generation: 'sample-1',
          gap: 7,
          make: async () => jpegRGB(tealOrange(await dutch())),
        },
        // Near-duplicate of 0: same crop and grade, 2 % brighter.
        {
          n: 3,
          category: 'photorealistic',
          prompt_id: 'photo_rain_street_run',
          generation: 'sample-2',
          make: async () => jpegRGB(brightness(warm(await mediumLeft()), 1.02, 1)),
        },
        // n = 4 was deleted: numbers are never reused, so the set has a gap here.
        {
          n: 5,
          category: 'bw_stylized',
          prompt_id: 'bw_pen_and_ink',
          generation: 'sample-2',
          make: async () => jpegGrey(await ink(await mediumLeft(), 60, 90)),
        },
        // Black-and-white content stored as an RGB (three-channel) JPEG.
        {
          n: 6,
          category: 'bw_stylized',
          prompt_id: 'bw_charcoal_sketch',
          generation: 'sample-2',
          gap: 7,
          make: async () => jpegRGB(highContrastGrey(await closeRight(), 10, 0.5)),
        },
        {
          n: 7,
          category: 'color_stylized',
          prompt_id: 'color_comic_book',
          generation: 'sample-3',
          make: async () => jpegRGB(await comic(await lowRight())),
          rating: [3, 'Comic look works, but the outlines are heavy on the face.', '09:02:00'],
        },
        // Heavily blurred.
        {
          n: 8,
          category: 'photorealistic',
          prompt_id: 'photo_golden_hour_rooftop',
          generation: 'sample-3',
          make: async () => jpegRGB(await blur(warm(await lowRight()), 9)),
          rating: [1, 'Unusable: badly blurred.', '09:03:00'],
        },
        // Far too dark.
        {
          n: 9,
          category: 'photorealistic',
          prompt_id: 'photo_subway_platform',
          generation: 'sample-3',
          gap: 7,
          make: async () => jpegRGB(darken(cool(await wide()))),
        },
        // Wrong person: made from cameraman.png, another identity.
        {
          n: 10,
          category: 'photorealistic',
          prompt_id: 'photo_desert_highway',
          generation: 'sample-4',
          make: async () => jpegRGB(splitTone(await frame(CAMERAMAN, CAMERAMAN_FACE, { scale: 1.8, at: [0.36, 0.42] }), [-10, 6, 22], [34, 14, -18])),
        },
        // Low resolution: 160x90.
        {
          n: 11,
          category: 'photorealistic',
          prompt_id: 'photo_library_window',
          generation: 'sample-4',
          gap: 7,
          make: async () => jpegRGB(await downscale(tealOrange(await lowRight()), 160, 90)),
        },
        // On disk, but no manifest entry (untracked).
        { n: 12, untracked: true, make: async () => jpegRGB(warm(await frame(A, F, { scale: 1.7, at: [0.3, 0.4] }))) },
        // In the manifest with category "unknown" (imported, no prompt).
        {
          n: 13,
          category: 'unknown',
          source: 'imported',
          prompt_id: null,
          make: async () => jpegRGB(await comic(cool(await mediumLeft()), { levels: 3, saturation: 2.4, edgeLimit: 130 })),
        },
      ],
    },
  );
}

async function actor0001() {
  const id = '0001_european_35_male';
  const C = CAMERAMAN;
  const F = CAMERAMAN_FACE;
  await writeActor(
    { id, ethnicity: 'european', age: 35, sex: 'male', display_name: 'Carl (sample)' },
    {
      descriptor: 'man',
      base: { filename: `${id}_base.png`, make: async () => readFileSync(C) },
      images: [
        {
          n: 0,
          category: 'photorealistic',
          prompt_id: 'photo_golden_hour_rooftop',
          generation: 'sample-1',
          make: async () => jpegRGB(splitTone(await frame(C, F, { scale: 1.6, at: [0.62, 0.4] }), [-12, 4, 18], [38, 16, -20])),
          rating: [4, 'Convincing light; face slightly soft.', '10:00:00'],
        },
        {
          n: 1,
          category: 'photorealistic',
          prompt_id: 'photo_foggy_harbor',
          generation: 'sample-1',
          make: async () => jpegRGB(splitTone(await frame(C, F, { scale: 2.2, at: [0.35, 0.45] }), [-8, 10, 30], [4, 12, 26])),
        },
        // Plain grey, yet labelled photorealistic: a category mismatch for the evaluator to find.
        {
          n: 2,
          category: 'photorealistic',
          prompt_id: 'photo_mountain_trail',
          generation: 'sample-1',
          gap: 7,
          make: async () => jpegRGB(await frame(C, F, { scale: 1.5, at: [0.4, 0.35] })),
          rating: [3, 'Reads as black-and-white, not as a colour photograph.', '10:01:00'],
        },
        {
          n: 3,
          category: 'bw_stylized',
          prompt_id: 'bw_pen_and_ink',
          generation: 'sample-2',
          make: async () => jpegGrey(await ink(await frame(C, F, { scale: 1.9, at: [0.6, 0.42] }), 55, 110)),
        },
        {
          n: 4,
          category: 'bw_stylized',
          prompt_id: 'bw_linocut',
          generation: 'sample-2',
          make: async () => jpegRGB(highContrastGrey(await frame(C, F, { scale: 2.0, at: [0.32, 0.45], rotate: -8 }), 12, 0.45)),
        },
        {
          n: 5,
          category: 'color_stylized',
          prompt_id: 'color_pop_art',
          generation: 'sample-2',
          make: async () => jpegRGB(await popArt(await frame(C, F, { scale: 2.0, at: [0.58, 0.45] }))),
          rating: [5, 'Great pop-art style and a clear likeness.', '10:02:00'],
        },
      ],
    },
  );
}

async function actor0002() {
  const id = '0002_mixed_30_nonbinary';
  // A third person, in colour: Grace Hopper (her face is twice the astronaut's size in its photo).
  const A = HOPPER;
  const F = HOPPER_FACE;
  const base = async () => {
    const img = await frame(A, F, { scale: 1, at: [0.5, 0.45], width: 512, height: 512 });
    return jpegRGB(img);
  };
  const images = [
    { n: 0, make: async () => jpegRGB(warm(fadedFilm(await frame(A, F, { scale: 1.5, at: [0.6, 0.45] })))) },
    { n: 1, make: async () => jpegGrey(await ink(await frame(A, F, { scale: 1.55, at: [0.4, 0.42], flop: true }), 100, 120)) },
    { n: 2, make: async () => jpegRGB(await comic(await frame(A, F, { scale: 1.6, at: [0.45, 0.45] }))) },
  ];
  // No manifest: the old tool's folder, every image untracked.
  await writeActor(
    { id },
    {
      manifest: false,
      base: { filename: `${id}_base.jpg`, make: base },
      images: images.map((s) => ({ ...s, untracked: true })),
    },
  );
  const td = join(ACTORS, id, 'training_data');
  write(join(td, 'response.json'), json(images.map((s) => `${BUCKET_URL}/${id}/${id}_${s.n}.jpg`)));
  const prompt = PROMPTS.photo_golden_hour_rooftop('person');
  write(
    join(td, 'prompt_metadata.json'),
    json({
      images: {
        [`${id}_0.jpg`]: {
          prompt,
          prompt_preview: prompt.slice(0, 100),
          generated_at: '2025-05-20T14:32:10.000Z',
          s3_url: `${BUCKET_URL}/${id}/${id}_0.jpg`,
          index: 0,
        },
      },
    }),
  );
}

rmSync(DATA, { recursive: true, force: true });
await actor0000();
await actor0001();
await actor0002();
console.log(`wrote ${DATA}`);
