import { createHash } from 'node:crypto';
import type { TrainingCategory } from '../manifest/categories';
import { sha256File } from '../fs/files';
import { inspectImage } from '../image/imageFiles';
import { loadSharp } from '../image/sharp';
import { mulberry32 } from '../util/seededRandom';
import {
  COLOUR_LOOKS,
  GRADES,
  INK_LOOKS,
  PALETTES,
  colourLook,
  gradePhoto,
  greyOf,
  inkLook,
  keepExposed,
  meanChroma,
  type Frame,
  type Lighting,
} from './localLooks';
import { GenerationError, GenerationRequest, GenerationResult, Generator } from './types';

export const LOCAL_MODEL = 'local/augment';
const WIDTH = 1024;
const HEIGHT = 576; // 16:9
/** Where a portrait's face usually is, as fractions of the source: centred, in the upper third. */
const SOURCE_FACE_X = 0.5;
const SOURCE_FACE_Y = 0.32;
/** A source whose mean chroma is below this is a grey photograph. */
const GREY_SOURCE_CHROMA = 6;

/** Where the subject goes in the frame; fractions of the frame, degrees. */
export interface Framing {
  mirror: boolean;
  tilt: number;
  /** Height of the subject (the whole base image) over the frame's height. */
  scale: number;
  faceX: number;
  faceY: number;
  /** Direction the light comes from, radians. */
  lightAngle: number;
}

/** What every local output is: 16:9 like the default model's, a JPEG. */
const LOCAL_OUTPUT = { aspect_ratio: '16:9', output_format: 'jpg' };

/**
 * The offline generator: deterministic images derived from the base image for the prompt's
 * category, recorded honestly as `local/augment` (it is not an image model and does not follow
 * the prompt's scene). Each output places the subject off-centre at its own scale, mirrored or
 * not and slightly tilted, on a blurred backdrop, with its own light and look: a colour grade for
 * photorealistic prompts (a grey source gets a colour grade too), an ink, halftone, pencil,
 * engraving or charcoal look for black-and-white, a palette poster, comic or duotone for colour
 * stylized. The framing follows the image number (a low-discrepancy sequence, so the images of
 * one actor are spread apart rather than near-duplicates), the look the base image, prompt and
 * number: the same request gives the same bytes.
 */
export class LocalGenerator implements Generator {
  readonly provider = 'local' as const;
  readonly model = LOCAL_MODEL;

  requestParameters(request: Pick<GenerationRequest, 'seed'>): Record<string, unknown> {
    return { ...LOCAL_OUTPUT, ...(request.seed !== undefined ? { seed: request.seed } : {}) };
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const started = Date.now();
    throwIfAborted(request.signal);
    await inspectImage(request.baseImagePath).catch((error: Error) => {
      throw new GenerationError(error.message, 'invalid_input', { cause: error });
    });
    const baseSha256 = await sha256File(request.baseImagePath);
    const seed = request.seed ?? seedFor(baseSha256, request.promptId, request.number);
    // The framing index: the image number when known (distinct per actor), else the seed or the prompt.
    const index = request.number ?? request.seed ?? seedFor(baseSha256, request.promptId, undefined);
    const framing = framingFor(index, baseSha256);
    request.onProgress?.('rendering locally');
    const variant = await render(request.baseImagePath, request.category, framing, mulberry32(seed));
    throwIfAborted(request.signal);
    return {
      bytes: variant.bytes,
      extension: 'jpg',
      model: LOCAL_MODEL,
      parameters: {
        ...this.requestParameters(request),
        category: request.category,
        look: variant.look,
        framing: describeFraming(framing),
      },
      seed,
      durationMs: Date.now() - started,
    };
  }
}

/** Additive recurrence constants of the R6 sequence (1 / phi6^k, phi6^7 = phi6 + 1): well spread in 6 dimensions for any run of indices. */
const R6 = [0.8986537126286992, 0.8075784952213447, 0.7257334129697598, 0.6521830259439716, 0.5860866975779693, 0.5266889867007358];

/**
 * The framing and light direction of image `index`: each parameter follows one dimension of the
 * R6 sequence, offset per base image, so any run of image numbers is spread over the space of
 * framings (consecutive numbers never land on near-identical framings, as random draws can).
 */
export function framingFor(index: number, baseSha256: string): Framing {
  const u = R6.map((step, dimension) => {
    const offset = parseInt(baseSha256.slice(dimension * 8, dimension * 8 + 8), 16) / 2 ** 32;
    const value = offset + index * step;
    return value - Math.floor(value);
  });
  // Off-centre: the face on the left or the right third, never in the middle.
  const side = u[0] < 0.5 ? u[0] * 2 : (u[0] - 0.5) * 2;
  const faceX = u[0] < 0.5 ? 0.27 + side * 0.15 : 0.58 + side * 0.15;
  return {
    faceX,
    scale: 0.95 + u[1] * 0.55,
    faceY: 0.36 + u[2] * 0.14,
    tilt: (u[3] - 0.5) * 14,
    mirror: u[4] < 0.5,
    lightAngle: u[5] * 2 * Math.PI,
  };
}

function describeFraming(framing: Framing): string {
  const side = framing.faceX < 0.5 ? 'left' : 'right';
  return `face on the ${side} (${framing.faceX.toFixed(2)}, ${framing.faceY.toFixed(2)}), scale ${framing.scale.toFixed(2)}, tilt ${framing.tilt.toFixed(1)} deg${framing.mirror ? ', mirrored' : ''}`;
}

async function render(file: string, category: TrainingCategory, framing: Framing, random: () => number): Promise<{ bytes: Buffer; look: string }> {
  const sharp = await loadSharp();
  const source = await sharp(file).rotate().flatten({ background: '#808080' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sw = source.info.width;
  const sh = source.info.height;
  const rgbSource = toRgb(source.data, source.info.channels, sw * sh);
  const greySource = meanChroma({ data: rgbSource, width: sw, height: sh }) < GREY_SOURCE_CHROMA;
  const raw = (width: number, height: number, channels: 1 | 3) => ({ raw: { width, height, channels } });

  // A canvas large enough that the tilted frame's centre crop holds picture everywhere.
  const angle = (Math.abs(framing.tilt) * Math.PI) / 180;
  const cw = Math.ceil(WIDTH * Math.cos(angle) + HEIGHT * Math.sin(angle)) + 4;
  const ch = Math.ceil(WIDTH * Math.sin(angle) + HEIGHT * Math.cos(angle)) + 4;

  const mirrored = framing.mirror
    ? await sharp(rgbSource, raw(sw, sh, 3))
        .flop()
        .raw()
        .toBuffer()
    : rgbSource;
  // The backdrop: the picture itself, enlarged, blurred and dimmed (or lifted).
  const backdrop = await sharp(mirrored, raw(sw, sh, 3))
    .resize(cw, ch, { fit: 'cover' })
    .blur(14 + random() * 14)
    .modulate({ brightness: 0.6 + random() * 0.35 })
    .raw()
    .toBuffer();
  // The subject: the whole picture at its scale, the face at (faceX, faceY) of the canvas.
  const subjectHeight = Math.round(framing.scale * ch);
  const subjectWidth = Math.round((subjectHeight * sw) / sh);
  const left = Math.round(framing.faceX * cw - SOURCE_FACE_X * subjectWidth);
  const top = Math.round(framing.faceY * ch - SOURCE_FACE_Y * subjectHeight);
  const visible = {
    left: Math.max(0, -left),
    top: Math.max(0, -top),
    width: Math.min(subjectWidth, cw - left) - Math.max(0, -left),
    height: Math.min(subjectHeight, ch - top) - Math.max(0, -top),
  };
  const subject = await sharp(mirrored, raw(sw, sh, 3))
    .resize(subjectWidth, subjectHeight)
    .extract(visible)
    .raw()
    .toBuffer();
  const composed = await sharp(backdrop, raw(cw, ch, 3))
    .composite([{ input: subject, ...raw(visible.width, visible.height, 3), left: Math.max(0, left), top: Math.max(0, top) }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Compositing adds an alpha channel: drop it.
  const frame: Frame = { data: toRgb(composed.data, composed.info.channels, cw * ch), width: cw, height: ch };
  const light: Lighting = {
    angle: framing.lightAngle,
    strength: 0.15 + random() * 0.35,
    vignette: 0.1 + random() * 0.25,
    cx: framing.faceX,
    cy: framing.faceY,
  };

  let pixels: Uint8Array;
  let channels: 1 | 3;
  let look: string;
  if (category === 'photorealistic') {
    const grade = GRADES[Math.floor(random() * GRADES.length)];
    pixels = gradePhoto(frame, grade, light, 0.95 + random() * 0.15, greySource, random).data;
    channels = 3;
    look = `${grade.name} grade${greySource ? ' (colour grade on a grey photo)' : ''}`;
  } else if (category === 'bw_stylized') {
    const kind = INK_LOOKS[Math.floor(random() * INK_LOOKS.length)];
    const variation = random();
    const grey = greyOf(frame);
    const blurred =
      kind === 'pencil'
        ? await sharp(grey, raw(cw, ch, 1))
            .blur(4 + variation * 6)
            .raw()
            .toBuffer()
        : grey;
    pixels = inkLook(kind, grey, blurred, cw, ch, light, variation, random);
    channels = 1;
    look = `${kind} (black and white, variation ${variation.toFixed(2)})`;
  } else {
    const kind = COLOUR_LOOKS[Math.floor(random() * COLOUR_LOOKS.length)];
    const palette = PALETTES[Math.floor(random() * PALETTES.length)];
    pixels = colourLook(kind, frame, greyOf(frame), palette.colours, light, random(), greySource, random).data;
    channels = 3;
    look = `${kind}, ${palette.name}${kind === 'comic' && !greySource ? ' outlines' : ''}`;
  }
  keepExposed(pixels, channels, 70, 190);

  // Tilt, then the 16:9 centre crop (sharp grows the canvas to the turned bounding box).
  const turned = await sharp(pixels, raw(cw, ch, channels))
    .rotate(framing.tilt, { background: channels === 1 ? '#ffffff' : '#000000' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Turning may add an alpha channel: read what it wrote, and drop alpha before encoding.
  const turnedChannels = turned.info.channels as 1 | 2 | 3 | 4;
  const output = sharp(turned.data, { raw: { width: turned.info.width, height: turned.info.height, channels: turnedChannels } })
    .removeAlpha()
    .extract({
      left: Math.floor((turned.info.width - WIDTH) / 2),
      top: Math.floor((turned.info.height - HEIGHT) / 2),
      width: WIDTH,
      height: HEIGHT,
    });
  const bytes = await (channels === 1 ? output.toColourspace('b-w') : output).jpeg({ quality: 90 }).toBuffer();
  return { bytes, look };
}

/** Expands 1, 2 or 4 channel pixels to packed RGB. */
function toRgb(data: Buffer, channels: number, pixels: number): Uint8Array {
  if (channels === 3) return data;
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i += 1) {
    const at = i * channels;
    rgb[i * 3] = data[at];
    rgb[i * 3 + 1] = channels <= 2 ? data[at] : data[at + 1];
    rgb[i * 3 + 2] = channels <= 2 ? data[at] : data[at + 2];
  }
  return rgb;
}

/** The same base image, prompt and number give the same image unless a seed is given. */
function seedFor(baseSha256: string, promptId: string, number: number | undefined): number {
  return createHash('sha256')
    .update(`${baseSha256}\n${promptId}\n${number ?? ''}`)
    .digest()
    .readUInt32BE(0);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new GenerationError('generation cancelled', 'cancelled');
  }
}
