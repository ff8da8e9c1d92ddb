import { createHash } from 'node:crypto';
import { loadSharp } from '../image/sharp';

/** Long side of the analysis image: statistics are measured at one size so thresholds hold for any resolution. */
export const ANALYSIS_SIZE = 256;

/** What the local checks know about one image, from one decode of the file. */
export interface ImageStats {
  width: number;
  height: number;
  /** Mean Rec. 601 luma, 0-255. */
  meanLuminance: number;
  /** Chroma per pixel is max(R,G,B) - min(R,G,B), 0-255; grey pixels have (almost) none whatever the file's colour mode. */
  meanChroma: number;
  /** 99th percentile of the chroma (robust maximum: a few JPEG fringe pixels do not count). */
  p99Chroma: number;
  maxChroma: number;
  /** Mean saturation (chroma / max channel), 0-1. */
  meanSaturation: number;
  /**
   * Share of the pixels covered by the 12 most common colours (4 bits a channel): high for
   * posterised or flat-shaded images, low for photographs with smooth gradients and noise.
   */
  topColourShare: number;
  /**
   * Variance of the Laplacian of the grey analysis image (higher is sharper), after stretching
   * the grey range (1st to 99th percentile) to 0-255 with a gain of at most 16, so a dark or
   * washed-out image is not taken for a blurred one.
   */
  laplacianVariance: number;
  /** Variance of the Laplacian without the contrast stretch (for reports). */
  rawLaplacianVariance: number;
  /** Shannon entropy of the 256-bin grey histogram, bits (0-8). */
  entropy: number;
  /** sha256 of the decoded RGB pixels and their size: equal for the same pixels in any file format or metadata. */
  pixelHash: string;
  /** 64-bit difference hash (dHash) of a 9x8 grey thumbnail, as 16 hex digits. */
  dHash: string;
}

/** Expands 1-4 channel pixels to packed RGB (alpha dropped, grey repeated) so every source hashes alike. */
function toRgb(data: Buffer, channels: number, pixels: number): Buffer {
  if (channels === 3) {
    return data;
  }
  const rgb = Buffer.alloc(pixels * 3);
  for (let i = 0; i < pixels; i += 1) {
    const source = i * channels;
    if (channels <= 2) {
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = data[source];
    } else {
      rgb[i * 3] = data[source];
      rgb[i * 3 + 1] = data[source + 1];
      rgb[i * 3 + 2] = data[source + 2];
    }
  }
  return rgb;
}

function laplacianVariance(grey: Float64Array, width: number, height: number): number {
  // 4-neighbour Laplacian over the interior; variance of its response is the classic focus measure.
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const i = y * width + x;
      const value = grey[i - 1] + grey[i + 1] + grey[i - width] + grey[i + width] - 4 * grey[i];
      sum += value;
      sumSquares += value * value;
      count += 1;
    }
  }
  if (count === 0) {
    return 0;
  }
  const mean = sum / count;
  return sumSquares / count - mean * mean;
}

/** Smallest histogram bin at which the cumulative share reaches `share`. */
function percentile(histogram: Uint32Array, total: number, share: number): number {
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin += 1) {
    seen += histogram[bin];
    if (seen >= total * share) {
      return bin;
    }
  }
  return histogram.length - 1;
}

function entropyOf(histogram: Uint32Array, total: number): number {
  let entropy = 0;
  for (const count of histogram) {
    if (count > 0) {
      const p = count / total;
      entropy -= p * Math.log2(p);
    }
  }
  return entropy;
}

function dHashOf(thumbnail: Buffer): string {
  // 9x8 grey pixels: each bit says whether a pixel is brighter than its right neighbour.
  let hash = 0n;
  for (let y = 0; y < 8; y += 1) {
    for (let x = 0; x < 8; x += 1) {
      hash = (hash << 1n) | (thumbnail[y * 9 + x] > thumbnail[y * 9 + x + 1] ? 1n : 0n);
    }
  }
  return hash.toString(16).padStart(16, '0');
}

/** Number of differing bits of two 64-bit hashes in hex. */
export function hammingDistance(a: string, b: string): number {
  let diff = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (diff > 0n) {
    count += Number(diff & 1n);
    diff >>= 1n;
  }
  return count;
}

/** Decodes the image once and measures everything the local checks need. */
export async function computeImageStats(file: string | Buffer): Promise<ImageStats> {
  const sharp = await loadSharp();
  const decoded = await sharp(file).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = decoded.info;
  const rgb = toRgb(decoded.data, channels, width * height);
  const pixelHash = createHash('sha256').update(`${width}x${height}\n`).update(rgb).digest('hex');

  // Further sizes come from the raw pixels (no second decode of the file).
  const raw = { raw: { width, height, channels: 3 as const } };
  const scale = ANALYSIS_SIZE / Math.max(width, height);
  const analysisWidth = Math.max(3, Math.round(width * scale));
  const analysisHeight = Math.max(3, Math.round(height * scale));
  const analysis = await sharp(rgb, raw).resize(analysisWidth, analysisHeight, { fit: 'fill' }).raw().toBuffer();
  const thumbnail = await sharp(rgb, raw).resize(9, 8, { fit: 'fill' }).greyscale().raw().toBuffer();

  const pixels = analysisWidth * analysisHeight;
  const grey = new Float64Array(pixels);
  const greyHistogram = new Uint32Array(256);
  const chromaHistogram = new Uint32Array(256);
  const colourCounts = new Map<number, number>();
  let luminanceSum = 0;
  let chromaSum = 0;
  let saturationSum = 0;
  for (let i = 0; i < pixels; i += 1) {
    const r = analysis[i * 3];
    const g = analysis[i * 3 + 1];
    const b = analysis[i * 3 + 2];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    grey[i] = luma;
    luminanceSum += luma;
    greyHistogram[Math.min(255, Math.round(luma))] += 1;
    const max = Math.max(r, g, b);
    const chroma = max - Math.min(r, g, b);
    chromaSum += chroma;
    chromaHistogram[chroma] += 1;
    saturationSum += max === 0 ? 0 : chroma / max;
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    colourCounts.set(key, (colourCounts.get(key) ?? 0) + 1);
  }
  const p99Chroma = percentile(chromaHistogram, pixels, 0.99);
  let maxChroma = 255;
  while (maxChroma > 0 && chromaHistogram[maxChroma] === 0) {
    maxChroma -= 1;
  }
  const p1 = percentile(greyHistogram, pixels, 0.01);
  const p99 = percentile(greyHistogram, pixels, 0.99);
  const gain = 255 / Math.max(255 / 16, p99 - p1);
  const rawLaplacian = laplacianVariance(grey, analysisWidth, analysisHeight);
  const topCounts = [...colourCounts.values()].sort((a, b) => b - a).slice(0, 12);
  const topColourShare = topCounts.reduce((sum, count) => sum + count, 0) / pixels;

  return {
    width,
    height,
    meanLuminance: luminanceSum / pixels,
    meanChroma: chromaSum / pixels,
    p99Chroma,
    maxChroma,
    meanSaturation: saturationSum / pixels,
    topColourShare,
    laplacianVariance: rawLaplacian * gain * gain,
    rawLaplacianVariance: rawLaplacian,
    entropy: entropyOf(greyHistogram, pixels),
    pixelHash,
    dHash: dHashOf(thumbnail),
  };
}
