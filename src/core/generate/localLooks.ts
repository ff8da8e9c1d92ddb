/**
 * The pixel looks of the offline generator, in plain JS on packed pixels (RGB, or one grey
 * channel), so every look is deterministic and costs one pass or two over the frame.
 *
 * Each look keeps what the local checks want of a training image: mid-range brightness, sharp
 * detail, colour for photographs and colour stylizations, exactly grey pixels for black-and-white.
 */

export interface Frame {
  data: Uint8Array;
  width: number;
  height: number;
}

type Rgb = readonly [number, number, number];

const clamp8 = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : value);
const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;
const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

/** Mean chroma (max - min of R, G, B) of every 7th pixel: is a source photo grey? */
export function meanChroma(frame: Frame): number {
  const { data } = frame;
  let sum = 0;
  let count = 0;
  for (let i = 0; i + 2 < data.length; i += 21) {
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    sum += Math.max(r, g, b) - Math.min(r, g, b);
    count += 1;
  }
  return count ? sum / count : 0;
}

/** The grey channel of an RGB frame. */
export function greyOf(frame: Frame): Uint8Array {
  const { data, width, height } = frame;
  const grey = new Uint8Array(width * height);
  for (let p = 0, i = 0; p < grey.length; p += 1, i += 3) {
    grey[p] = Math.round(luma(data[i], data[i + 1], data[i + 2]));
  }
  return grey;
}

/** Grey levels at the given shares of the histogram (for contrast stretching). */
function levels(grey: Uint8Array, low: number, high: number): [number, number] {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < grey.length; i += 1) histogram[grey[i]] += 1;
  const find = (share: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v += 1) {
      seen += histogram[v];
      if (seen >= grey.length * share) return v;
    }
    return 255;
  };
  const lo = find(low);
  return [lo, Math.max(lo + 16, find(high))];
}

/**
 * Light falling across the frame: a gain per pixel from a directional gradient (side light)
 * and a vignette around (cx, cy), as fractions of the frame.
 */
export interface Lighting {
  /** Direction the light comes from, radians. */
  angle: number;
  /** Gain difference across the frame (0 = flat). */
  strength: number;
  /** Darkening at the corners (0 = none). */
  vignette: number;
  cx: number;
  cy: number;
}

function gainAt(light: Lighting, x: number, y: number, width: number, height: number): number {
  const u = x / width - 0.5;
  const v = y / height - 0.5;
  const side = 1 + light.strength * (u * Math.cos(light.angle) + v * Math.sin(light.angle));
  const dx = x / width - light.cx;
  const dy = (y / height - light.cy) * (height / width);
  return side * (1 - light.vignette * Math.min(1, (dx * dx + dy * dy) * 2.2));
}

/** A colour grade of the photorealistic look. Tints are added to shadows and highlights (split toning). */
export interface Grade {
  name: string;
  shadows: Rgb;
  highlights: Rgb;
  saturation: number;
  contrast: number;
}

export const GRADES: readonly Grade[] = [
  { name: 'warm', shadows: [6, 0, -10], highlights: [22, 8, -18], saturation: 1.08, contrast: 1.05 },
  { name: 'cool', shadows: [-12, 0, 14], highlights: [-6, 4, 16], saturation: 0.95, contrast: 1.0 },
  { name: 'teal-orange', shadows: [-16, 6, 16], highlights: [24, 8, -16], saturation: 1.12, contrast: 1.1 },
  { name: 'golden hour', shadows: [10, -2, -14], highlights: [30, 14, -26], saturation: 1.15, contrast: 1.0 },
  { name: 'overcast', shadows: [-4, 2, 8], highlights: [-2, 4, 10], saturation: 0.82, contrast: 0.92 },
  { name: 'neon night', shadows: [10, -10, 24], highlights: [-14, 14, 18], saturation: 1.2, contrast: 1.15 },
  { name: 'fluorescent', shadows: [-8, 10, 0], highlights: [-6, 16, 4], saturation: 0.9, contrast: 1.05 },
  { name: 'dusk', shadows: [-6, -6, 22], highlights: [20, 0, 10], saturation: 1.0, contrast: 1.08 },
];

/**
 * Photorealistic: saturation, contrast, split toning, light and a little film grain. A grey source gets its tints
 * doubled, so the result is a believable colour grade (mean chroma well above grey), not grey.
 */
export function gradePhoto(frame: Frame, grade: Grade, light: Lighting, exposure: number, greySource: boolean, random: () => number): Frame {
  const { data, width, height } = frame;
  const out = new Uint8Array(data.length);
  const tint = greySource ? 2 : 1;
  const [sr, sg, sb] = grade.shadows;
  const [hr, hg, hb] = grade.highlights;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      const gain = gainAt(light, x, y, width, height) * exposure;
      const r0 = data[i];
      const g0 = data[i + 1];
      const b0 = data[i + 2];
      const l = luma(r0, g0, b0);
      const w = l / 255;
      // Film grain, the same on the three channels (it must not add chroma noise).
      const noise = grain(random, 4);
      const channel = (c: number, shadow: number, highlight: number): number => {
        const saturated = l + (c - l) * grade.saturation;
        const contrasted = 128 + (saturated - 128) * grade.contrast;
        return clamp8((contrasted + noise + tint * lerp(shadow, highlight, w)) * gain);
      };
      out[i] = channel(r0, sr, hr);
      out[i + 1] = channel(g0, sg, hg);
      out[i + 2] = channel(b0, sb, hb);
    }
  }
  return { data: out, width, height };
}

/** Brings the mean grey level into [low, high] with one gain (pixels of any channel count). */
export function keepExposed(data: Uint8Array, channels: number, low: number, high: number): void {
  let sum = 0;
  const pixels = data.length / channels;
  for (let i = 0; i < data.length; i += channels) {
    sum += channels === 1 ? data[i] : luma(data[i], data[i + 1], data[i + 2]);
  }
  const mean = sum / pixels;
  if (mean >= low && mean <= high) return;
  // One gain: a two-tone ink image would barely move under a gamma.
  const gain = (mean < low ? low + 8 : high - 8) / Math.max(1, mean);
  for (let i = 0; i < data.length; i += 1) data[i] = clamp8(Math.round(data[i] * gain));
}

/** Paper grain: a little seeded noise, so even two-tone ink carries texture (and entropy). */
function grain(random: () => number, amount: number): number {
  return (random() + random() - 1) * amount;
}

export type InkLook = 'ink' | 'halftone' | 'pencil' | 'engraving' | 'charcoal';
export const INK_LOOKS: readonly InkLook[] = ['ink', 'halftone', 'pencil', 'engraving', 'charcoal'];

/**
 * Black-and-white looks on the grey channel: one grey channel out. `blurred` is the grey
 * channel blurred (for the pencil look's colour dodge). `p` is a 0-1 variation within the look.
 */
export function inkLook(
  look: InkLook,
  grey: Uint8Array,
  blurred: Uint8Array,
  width: number,
  height: number,
  light: Lighting,
  p: number,
  random: () => number,
): Uint8Array {
  const [lo, hi] = levels(grey, 0.02, 0.98);
  const out = new Uint8Array(grey.length);
  const paper = 236 + Math.round(p * 14);
  const ink = 18 + Math.round((1 - p) * 22);
  const period = 6 + Math.round(p * 4);
  const angle = ((p < 0.5 ? 45 : 15) * Math.PI) / 180;
  const threshold = 0.38 + p * 0.22;
  const band = 0.05 + p * 0.06;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      const tone = Math.min(1, Math.max(0, ((grey[i] - lo) / (hi - lo)) * gainAt(light, x, y, width, height)));
      let value: number;
      switch (look) {
        case 'ink': {
          // Threshold with a soft band: black strokes, white paper, grey only at the edges.
          const t = Math.min(1, Math.max(0, (tone - threshold + band) / (2 * band)));
          value = lerp(ink, paper, t);
          break;
        }
        case 'halftone': {
          // Round dots on a rotated grid; a dot's area follows the darkness.
          const u = (x * cos + y * sin) / period;
          const v = (-x * sin + y * cos) / period;
          const du = u - Math.floor(u) - 0.5;
          const dv = v - Math.floor(v) - 0.5;
          const radius = 0.62 * Math.sqrt(1 - tone);
          const edge = Math.min(1, Math.max(0, (Math.sqrt(du * du + dv * dv) - radius) * period + 0.5));
          value = lerp(ink, paper, edge);
          break;
        }
        case 'engraving': {
          // Parallel lines whose width follows the darkness.
          const u = (x * sin + y * cos) / period;
          const distance = Math.abs(u - Math.floor(u) - 0.5);
          const half = 0.5 * (1 - tone);
          const edge = Math.min(1, Math.max(0, (distance - half) * period + 0.5));
          value = lerp(ink, paper, edge);
          break;
        }
        case 'pencil': {
          // Colour dodge of the grey by its blurred negative (lines), then shaded by the tone.
          const dodge = Math.min(255, (grey[i] * 255) / Math.max(1, blurred[i]));
          const lines = Math.pow(dodge / 255, 3 + p * 3);
          value = paper * lines * (0.45 + 0.55 * tone);
          break;
        }
        default: {
          // Charcoal: a steep S-curve on the tone, deep blacks and smudged greys.
          const steep = 5 + p * 5;
          value = lerp(ink, paper, 1 / (1 + Math.exp(-steep * (tone - 0.45))));
        }
      }
      out[i] = clamp8(Math.round(value + grain(random, 7)));
    }
  }
  return out;
}

export type ColourLook = 'poster' | 'comic' | 'duotone';
export const COLOUR_LOOKS: readonly ColourLook[] = ['poster', 'comic', 'duotone'];

/** Palettes, dark to light; each has a fully saturated colour (the category check looks for one). */
export const PALETTES: readonly { name: string; colours: readonly Rgb[] }[] = [
  {
    name: 'navy-magenta-yellow',
    colours: [
      [20, 24, 92],
      [226, 0, 132],
      [255, 214, 0],
      [255, 250, 226],
    ],
  },
  {
    name: 'teal-orange-cream',
    colours: [
      [8, 62, 74],
      [0, 156, 160],
      [255, 120, 0],
      [255, 236, 200],
    ],
  },
  {
    name: 'purple-red-gold',
    colours: [
      [48, 0, 82],
      [214, 0, 40],
      [255, 190, 0],
      [255, 244, 210],
    ],
  },
  {
    name: 'green-pink',
    colours: [
      [10, 56, 30],
      [0, 170, 90],
      [255, 0, 160],
      [250, 236, 240],
    ],
  },
  {
    name: 'blue-cyan-lime',
    colours: [
      [0, 30, 120],
      [0, 150, 255],
      [160, 255, 0],
      [240, 255, 230],
    ],
  },
  {
    name: 'red-black-cream',
    colours: [
      [22, 14, 14],
      [236, 0, 24],
      [255, 150, 0],
      [250, 236, 214],
    ],
  },
];

/**
 * Colour stylizations: `poster` maps the tone onto a palette in flat bands, `comic` posterises
 * the boosted colours (or the palette, for a grey source) and draws dark outlines, `duotone`
 * maps the tone onto a ramp from the palette's darkest colour to its most saturated one (a gradient
 * map, so the face keeps its shading: the hard two-colour threshold it replaced erased faces turned
 * away from the light, and the face checks could not find them).
 */
export function colourLook(
  look: ColourLook,
  frame: Frame,
  grey: Uint8Array,
  palette: readonly Rgb[],
  light: Lighting,
  p: number,
  greySource: boolean,
  random: () => number,
): Frame {
  const { data, width, height } = frame;
  const [lo, hi] = levels(grey, 0.02, 0.98);
  const out = new Uint8Array(data.length);
  const bands = palette.length;
  const posterLevels = 3 + Math.round(p);
  // Where the ramp reaches the saturated colour; lighter tones go on towards the palette's lightest.
  const knee = 0.6 + p * 0.2;
  const chromaOf = (c: Rgb): number => Math.max(...c) - Math.min(...c);
  const vivid = palette.reduce((best, colour) => (chromaOf(colour) > chromaOf(best) ? colour : best));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const p1 = y * width + x;
      const i = p1 * 3;
      const tone = Math.min(0.999, Math.max(0, ((grey[p1] - lo) / (hi - lo)) * gainAt(light, x, y, width, height)));
      let rgb: Rgb;
      if (look === 'poster' || (look === 'comic' && greySource)) {
        rgb = palette[Math.floor(tone * bands)];
      } else if (look === 'comic') {
        const l = grey[p1];
        const post = (c: number): number => {
          const saturated = clamp8(l + (c - l) * 2.2) / 255;
          return Math.round(Math.round(saturated * (posterLevels - 1)) * (255 / (posterLevels - 1)));
        };
        rgb = [post(data[i]), post(data[i + 1]), post(data[i + 2])];
      } else {
        rgb = tone < knee ? mix(palette[0], vivid, tone / knee) : mix(vivid, palette[bands - 1], ((tone - knee) / (1 - knee)) * 0.5);
      }
      let [r, g, b] = rgb;
      if (look === 'comic' && x > 0 && y > 0 && x < width - 1 && y < height - 1) {
        // Outlines: a strong grey gradient is drawn in near-black ink.
        const gx = grey[p1 + 1] - grey[p1 - 1];
        const gy = grey[p1 + width] - grey[p1 - width];
        if (gx * gx + gy * gy > 2200) {
          r = 16;
          g = 12;
          b = 20;
        }
      }
      // Paper grain, so flat colour still carries some texture.
      const noise = grain(random, 5);
      out[i] = clamp8(Math.round(r + noise));
      out[i + 1] = clamp8(Math.round(g + noise));
      out[i + 2] = clamp8(Math.round(b + noise));
    }
  }
  return { data: out, width, height };
}

/** The colour a share `t` (0-1) of the way from `a` to `b`. */
function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
