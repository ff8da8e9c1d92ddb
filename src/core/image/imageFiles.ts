import { StudioError } from '../errors';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSharp } from './sharp';

export class UnreadableImageError extends StudioError {
  constructor(
    override readonly file: string,
    detail: string,
  ) {
    super(`${file} is not a readable image: ${detail}`, 'input');
  }
}

export interface ImageInfo {
  format: string;
  width: number;
  height: number;
}

/** sharp's own limit (`limitInputPixels`): a larger image is refused when its pixels are decoded. */
const MAX_PIXELS = 0x3fff * 0x3fff;

/** Checks that a file is an image sharp can decode, and says what is wrong otherwise. */
export async function inspectImage(file: string): Promise<ImageInfo> {
  const sharp = await loadSharp();
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new UnreadableImageError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message);
  }
  try {
    const metadata = await sharp(bytes).metadata();
    if (!metadata.width || !metadata.height || !metadata.format) {
      throw new Error('no size or format');
    }
    if (metadata.width * metadata.height > MAX_PIXELS) {
      throw new Error(`${metadata.width}x${metadata.height} is more than ${MAX_PIXELS} pixels`);
    }
    return { format: metadata.format, width: metadata.width, height: metadata.height };
  } catch (error) {
    throw new UnreadableImageError(file, `${path.extname(file) || 'the file'} could not be decoded (${(error as Error).message})`);
  }
}

/** Size of encoded image bytes (for the manifest), without a second decode of the pixels. */
export async function imageSize(bytes: Buffer): Promise<{ width?: number; height?: number }> {
  const sharp = await loadSharp();
  const { width, height } = await sharp(bytes).metadata();
  return { width, height };
}

/**
 * The base image as the model wants it: re-encoded as JPEG (quality 95, sRGB, EXIF orientation
 * applied, alpha flattened on white) and passed as a data URI string.
 */
export async function toJpegDataUri(file: string, quality = 95): Promise<string> {
  await inspectImage(file);
  const sharp = await loadSharp();
  const jpeg = await sharp(file).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').jpeg({ quality }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

/** A small JPEG of an image as a data URI, for places that may not load files (webviews). */
export async function thumbnailDataUri(file: string, width = 640): Promise<string> {
  const sharp = await loadSharp();
  const jpeg = await sharp(file).rotate().resize({ width, withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

/** Pixel size as stored and EXIF orientation (1 to 8), from the file's header only (no decode). */
export async function imageHeader(file: string): Promise<{ width: number; height: number; orientation: number }> {
  const sharp = await loadSharp();
  const { width, height, orientation } = await sharp(file).metadata();
  if (!width || !height) {
    throw new Error('no size in its header');
  }
  return { width, height, orientation: orientation ?? 1 };
}
