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

/**
 * Output pixel `index` of `to` averages source pixels [blockStart, blockEnd) of `from` along one
 * axis: whole pixels in blocks that differ by at most one when shrinking, the nearest one when enlarging.
 */
function blockStart(index: number, from: number, to: number): number {
  return Math.floor((index * from) / to);
}

function blockEnd(index: number, from: number, to: number): number {
  return Math.max(blockStart(index, from, to) + 1, blockStart(index + 1, from, to));
}

/** The rows as 32-bit words; rows are copied to a 4-byte stride only when they are not aligned already. */
function rowWords(source: Uint8Array, rowBytes: number, height: number): { words: Uint32Array; stride: number } {
  const stride = Math.ceil(rowBytes / 4) * 4;
  if (stride === rowBytes && source.byteOffset % 4 === 0) {
    return { words: new Uint32Array(source.buffer, source.byteOffset, (stride / 4) * height), stride };
  }
  const padded = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    padded.set(source.subarray(y * rowBytes, (y + 1) * rowBytes), y * stride);
  }
  return { words: new Uint32Array(padded.buffer), stride };
}

/** Rows summed before the 16-bit lanes are emptied: 128 x 255 < 2^15, so two lanes stay a positive int32. */
const LANE_ROWS = 128;

/**
 * Box downscale of packed RGB: each output pixel is the mean of its block of source pixels.
 * In JS from the one decode (no second sharp pipeline). The rows of a block are summed four bytes
 * at a time in 16-bit lanes of 32-bit words (little-endian byte order, as on every platform Node
 * runs VS Code on), which makes the pass over all the pixels several times faster than bytewise.
 */
function resampleBox(source: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  const { words, stride } = rowWords(source, width * 3, height);
  const wordsPerRow = stride / 4;
  const rowSum = new Float64Array(stride);
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y += 1) {
    const top = blockStart(y, height, outHeight);
    const bottom = blockEnd(y, height, outHeight);
    rowSum.fill(0);
    for (let chunk = top; chunk < bottom; chunk += LANE_ROWS) {
      const first = chunk * wordsPerRow;
      const last = Math.min(bottom, chunk + LANE_ROWS) * wordsPerRow;
      for (let w = 0; w < wordsPerRow; w += 1) {
        // Column by column, so the sums stay in registers: bytes 0 and 2 in even, 1 and 3 in odd.
        let even = 0;
        let odd = 0;
        for (let i = first + w; i < last; i += wordsPerRow) {
          const word = words[i];
          even += word & 0xff00ff;
          odd += (word >>> 8) & 0xff00ff;
        }
        rowSum[w * 4] += even & 0xffff;
        rowSum[w * 4 + 1] += odd & 0xffff;
        rowSum[w * 4 + 2] += even >>> 16;
        rowSum[w * 4 + 3] += odd >>> 16;
      }
    }
    for (let x = 0; x < outWidth; x += 1) {
      const left = blockStart(x, width, outWidth);
      const right = blockEnd(x, width, outWidth);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let i = left * 3; i < right * 3; i += 3) {
        r += rowSum[i];
        g += rowSum[i + 1];
        b += rowSum[i + 2];
      }
      const count = (bottom - top) * (right - left);
      const at = (y * outWidth + x) * 3;
      // Rounds like Math.round for these non-negative means, without its call cost in this loop.
      out[at] = (r / count + 0.5) | 0;
      out[at + 1] = (g / count + 0.5) | 0;
      out[at + 2] = (b / count + 0.5) | 0;
    }
  }
  return out;
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

/** The 9x8 grey thumbnail of the dHash, from the analysis image (no second resize of the file). */
function greyThumbnail(analysis: Uint8Array, width: number, height: number): Uint8Array {
  const colour = resampleBox(analysis, width, height, 9, 8);
  const grey = new Uint8Array(72);
  for (let i = 0; i < 72; i += 1) {
    grey[i] = Math.round(0.299 * colour[i * 3] + 0.587 * colour[i * 3 + 1] + 0.114 * colour[i * 3 + 2]);
  }
  return grey;
}

function dHashOf(thumbnail: Uint8Array): string {
  // 9x8 grey pixels: each bit says whether a pixel is brighter than its right neighbour.
  let hash = 0n;
  for (let y = 0; y < 8; y += 1) {
    for (let x = 0; x < 8; x += 1) {
      hash = (hash << 1n) | (thumbnail[y * 9 + x] > thumbnail[y * 9 + x + 1] ? 1n : 0n);
    }
  }
  return hash.toString(16).padStart(16, '0');
}

function bitCount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Number of differing bits of two 64-bit hashes in hex (as two 32-bit halves: it runs for every pair of images). */
export function hammingDistance(a: string, b: string): number {
  const half = (hex: string, start: number) => parseInt(hex.slice(start, start + 8), 16);
  return bitCount(half(a, 0) ^ half(b, 0)) + bitCount(half(a, 8) ^ half(b, 8));
}

/** Everything but the size and the pixel hash, measured on the analysis image. */
function measure(rgb: Uint8Array, width: number, height: number): Omit<ImageStats, 'width' | 'height' | 'pixelHash'> {
  const scale = ANALYSIS_SIZE / Math.max(width, height);
  const analysisWidth = Math.max(3, Math.round(width * scale));
  const analysisHeight = Math.max(3, Math.round(height * scale));
  const analysis = resampleBox(rgb, width, height, analysisWidth, analysisHeight);

  const pixels = analysisWidth * analysisHeight;
  const grey = new Float64Array(pixels);
  const greyHistogram = new Uint32Array(256);
  const chromaHistogram = new Uint32Array(256);
  const colourCounts = new Uint32Array(4096);
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
    greyHistogram[Math.min(255, (luma + 0.5) | 0)] += 1;
    const max = Math.max(r, g, b);
    const chroma = max - Math.min(r, g, b);
    chromaSum += chroma;
    chromaHistogram[chroma] += 1;
    saturationSum += max === 0 ? 0 : chroma / max;
    colourCounts[((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4)] += 1;
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
  const topCounts = colourCounts.sort().subarray(-12);
  const topColourShare = topCounts.reduce((sum, count) => sum + count, 0) / pixels;

  return {
    meanLuminance: luminanceSum / pixels,
    meanChroma: chromaSum / pixels,
    p99Chroma,
    maxChroma,
    meanSaturation: saturationSum / pixels,
    topColourShare,
    laplacianVariance: rawLaplacian * gain * gain,
    rawLaplacianVariance: rawLaplacian,
    entropy: entropyOf(greyHistogram, pixels),
    dHash: dHashOf(greyThumbnail(analysis, analysisWidth, analysisHeight)),
  };
}

/**
 * Decodes the image once (one sharp pipeline, to raw pixels) and measures everything the local
 * checks need from those pixels. The pixel work is in the synchronous measure(), which V8 optimises
 * as a whole (a loop inside this async function would be recompiled on every call).
 */
export async function computeImageStats(file: string | Buffer): Promise<ImageStats> {
  const sharp = await loadSharp();
  const decoded = await sharp(file).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = decoded.info;
  const rgb = toRgb(decoded.data, channels, width * height);
  const pixelHash = createHash('sha256').update(`${width}x${height}\n`).update(rgb).digest('hex');
  return { width, height, ...measure(rgb, width, height), pixelHash };
}
