import { createHash } from 'node:crypto';
import type { TrainingCategory } from '../manifest/categories';
import { inspectImage } from '../image/imageFiles';
import { loadSharp } from '../image/sharp';
import { mulberry32 } from '../util/seededRandom';
import { GenerationError, GenerationRequest, GenerationResult, Generator } from './types';

export const LOCAL_MODEL = 'local/augment';
const WIDTH = 1024;
const HEIGHT = 576; // 16:9

/** Colour grades for the photorealistic look: a 3x3 colour matrix and a brightness/saturation nudge. */
const GRADES = [
  { name: 'warm', matrix: [1.08, 0.04, 0, 0.02, 1.0, 0, 0, 0.02, 0.86], brightness: 1.03, saturation: 1.05 },
  { name: 'cool', matrix: [0.88, 0.02, 0.02, 0, 1.0, 0.04, 0.02, 0.06, 1.1], brightness: 1.0, saturation: 0.95 },
  { name: 'teal-orange', matrix: [1.1, 0, -0.04, 0, 0.98, 0.04, -0.06, 0.08, 1.04], brightness: 1.02, saturation: 1.12 },
  { name: 'faded', matrix: [0.92, 0.05, 0.03, 0.04, 0.92, 0.04, 0.04, 0.05, 0.9], brightness: 1.05, saturation: 0.8 },
] as const;

/**
 * The offline generator: deterministic images derived from the base image for the prompt's
 * category, recorded honestly as `local/augment` (it is not an image model and does not follow
 * the prompt's scene). Photorealistic: an off-centre 16:9 reframing with a colour grade;
 * black-and-white: a high-contrast greyscale ink look; colour stylized: a posterised, saturated look.
 */
export class LocalGenerator implements Generator {
  readonly provider = 'local' as const;
  readonly model = LOCAL_MODEL;

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const started = Date.now();
    throwIfAborted(request.signal);
    const info = await inspectImage(request.baseImagePath).catch((error: Error) => {
      throw new GenerationError(error.message, 'invalid_input', { cause: error });
    });
    const seed = request.seed ?? seedFor(request.actorId, request.promptId);
    const random = mulberry32(seed);
    request.onProgress?.('rendering locally');
    const variant = await render(request.baseImagePath, info, request.category, random);
    throwIfAborted(request.signal);
    return {
      bytes: variant.bytes,
      extension: 'jpg',
      model: LOCAL_MODEL,
      parameters: { aspect_ratio: '16:9', output_format: 'jpg', category: request.category, look: variant.look },
      seed,
      durationMs: Date.now() - started,
    };
  }
}

async function render(
  file: string,
  info: { width: number; height: number },
  category: TrainingCategory,
  random: () => number,
): Promise<{ bytes: Buffer; look: string }> {
  const sharp = await loadSharp();
  // Reframe: zoom in up to 15% and place the crop off-centre, as the prompts ask; keep it high,
  // where a portrait's face is.
  const zoom = 1 + random() * 0.15;
  const scale = Math.max(WIDTH / info.width, HEIGHT / info.height) * zoom;
  const scaledWidth = Math.round(info.width * scale);
  const scaledHeight = Math.round(info.height * scale);
  const left = Math.round((scaledWidth - WIDTH) * (random() < 0.5 ? 0.15 + random() * 0.2 : 0.65 + random() * 0.2));
  const top = Math.round((scaledHeight - HEIGHT) * (0.05 + random() * 0.2));
  const framed = sharp(file).rotate().flatten({ background: '#808080' }).resize(scaledWidth, scaledHeight).extract({ left, top, width: WIDTH, height: HEIGHT });

  if (category === 'photorealistic') {
    const grade = GRADES[Math.floor(random() * GRADES.length)];
    const bytes = await framed
      .recomb([grade.matrix.slice(0, 3), grade.matrix.slice(3, 6), grade.matrix.slice(6, 9)] as [
        [number, number, number],
        [number, number, number],
        [number, number, number],
      ])
      .modulate({ brightness: grade.brightness, saturation: grade.saturation })
      .jpeg({ quality: 90 })
      .toBuffer();
    return { bytes, look: `reframed, ${grade.name} grade` };
  }
  if (category === 'bw_stylized') {
    const contrast = 1.6 + random() * 0.6;
    const bytes = await framed
      .greyscale()
      .normalise()
      .linear(contrast, -128 * (contrast - 1))
      .sharpen({ sigma: 1.2 })
      .toColourspace('b-w')
      .jpeg({ quality: 90 })
      .toBuffer();
    return { bytes, look: `greyscale ink, contrast ${contrast.toFixed(2)}` };
  }
  const colours = 6 + Math.floor(random() * 6);
  const posterised = await framed.modulate({ saturation: 1.7, brightness: 1.04 }).png({ palette: true, colours, dither: 0 }).toBuffer();
  const bytes = await sharp(posterised).toColourspace('srgb').jpeg({ quality: 90 }).toBuffer();
  return { bytes, look: `posterised, ${colours} colours` };
}

/** The same actor and prompt give the same image unless a seed is given. */
function seedFor(actorId: string, promptId: string): number {
  return createHash('sha256').update(`${actorId}\n${promptId}`).digest().readUInt32BE(0);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new GenerationError('generation cancelled', 'cancelled');
  }
}
