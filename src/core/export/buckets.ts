/**
 * The aspect-ratio buckets the trainers form, computed as their code does so a preview can say
 * which bucket each image lands in, how it is resized and what is cut off. Pure arithmetic.
 */

export interface Size {
  width: number;
  height: number;
}

/** Where an image lands: its bucket, the size it is resized to, and the pixels cut from each side of that. */
export interface BucketFit {
  bucket: Size;
  resized: Size;
  crop: { left: number; top: number; right: number; bottom: number };
  /** resized / original; above 1 the trainer upscales the image. */
  scale: number;
}

/** The bucket settings our dataset.toml writes, so kohya's command-line defaults cannot change them. */
export interface KohyaBucketSettings {
  resolution: number;
  minBucketReso: number;
  maxBucketReso: number;
  bucketResoSteps: number;
}

export const DEFAULT_RESOLUTION = 1024;
export const MIN_RESOLUTION = 256;
export const MAX_RESOLUTION = 4096;
const KOHYA_STEPS = 64;

/**
 * kohya's settings at a resolution: min 256 and steps 64 are kohya's defaults; max is twice the
 * resolution (kohya's default 1024 was made for 512; SDXL-class models at 1024 use 2048), and
 * kohya asserts max_bucket_reso >= resolution, so it must follow the resolution anyway.
 */
export function kohyaBucketSettings(resolution: number): KohyaBucketSettings {
  return { resolution, minBucketReso: 256, maxBucketReso: 2 * resolution, bucketResoSteps: KOHYA_STEPS };
}

/** Why a resolution cannot be used, or undefined: both trainers need a multiple of 64 here. */
export function resolutionProblem(resolution: number): string | undefined {
  return Number.isInteger(resolution) && resolution >= MIN_RESOLUTION && resolution <= MAX_RESOLUTION && resolution % KOHYA_STEPS === 0
    ? undefined
    : `must be a multiple of ${KOHYA_STEPS} from ${MIN_RESOLUTION} to ${MAX_RESOLUTION}, not ${resolution}`;
}

/** kohya sd-scripts library/model_util.py make_bucket_resolutions: the predefined buckets, sorted. */
export function kohyaBuckets(settings: KohyaBucketSettings): Size[] {
  const { resolution, minBucketReso: minSize, maxBucketReso: maxSize, bucketResoSteps: divisible } = settings;
  const maxArea = resolution * resolution;
  const resos = new Map<string, Size>();
  const add = (width: number, height: number) => resos.set(`${width}x${height}`, { width, height });
  const square = Math.floor(Math.sqrt(maxArea) / divisible) * divisible;
  add(square, square);
  for (let width = minSize; width <= maxSize; width += divisible) {
    const height = Math.min(maxSize, Math.floor(Math.floor(maxArea / width) / divisible) * divisible);
    if (height >= minSize) {
      add(width, height);
      add(height, width);
    }
  }
  // Python sorts the (width, height) tuples: by width, then height.
  return [...resos.values()].sort((a, b) => a.width - b.width || a.height - b.height);
}

/**
 * kohya sd-scripts library/train_util.py BucketManager.select_bucket (bucket_no_upscale off): the
 * predefined bucket of the nearest aspect ratio (the image's own size when it is one), the image
 * scaled to cover it; then trim_and_resize_if_required centre-crops the overflow (random_crop off).
 */
export function kohyaFit(image: Size, buckets: readonly Size[]): BucketFit {
  const aspect = image.width / image.height;
  let bucket = buckets.find((candidate) => candidate.width === image.width && candidate.height === image.height);
  if (!bucket) {
    // numpy's argmin: the first of the smallest errors.
    let best = Infinity;
    for (const candidate of buckets) {
      const error = Math.abs(candidate.width / candidate.height - aspect);
      if (error < best) {
        best = error;
        bucket = candidate;
      }
    }
  }
  if (!bucket) {
    throw new Error('no kohya buckets');
  }
  const scale = aspect > bucket.width / bucket.height ? bucket.height / image.height : bucket.width / image.width;
  const resized = { width: Math.floor(image.width * scale + 0.5), height: Math.floor(image.height * scale + 0.5) };
  return { bucket, resized, crop: centreCrop(resized, bucket, (trim) => Math.floor(trim / 2)), scale };
}

/** ai-toolkit's defaults for a dataset: bucket_tolerance 64 (toolkit/config_modules.py DatasetConfig). */
export const AI_TOOLKIT_BUCKET_TOLERANCE = 64;

/**
 * ai-toolkit toolkit/buckets.py get_bucket_for_image_size: the image's own pixel count (at most
 * resolution squared) as a multiple of the tolerance per side; then toolkit/dataloader_mixins.py
 * BucketsMixin.setup_buckets scales it to cover the bucket (rounding up) and centre-crops.
 */
export function aiToolkitFit(image: Size, resolution: number, divisibility = AI_TOOLKIT_BUCKET_TOLERANCE): BucketFit {
  const totalPixels = image.width * image.height;
  const maxPixels = resolution * resolution;
  const targetPixels = Math.min(totalPixels, maxPixels);
  const scaler = Math.sqrt(targetPixels / totalPixels);
  const wRaw = (image.width * scaler) / divisibility;
  const hRaw = (image.height * scaler) / divisibility;
  const candidates: [number, number][] = [
    [Math.floor(wRaw) * divisibility, Math.floor(hRaw) * divisibility],
    [Math.floor(wRaw) * divisibility, Math.ceil(hRaw) * divisibility],
    [Math.ceil(wRaw) * divisibility, Math.floor(hRaw) * divisibility],
    [Math.ceil(wRaw) * divisibility, Math.ceil(hRaw) * divisibility],
  ];
  let capped = candidates.filter(([w, h]) => w > 0 && h > 0 && w * h <= maxPixels);
  if (capped.length === 0) {
    capped = [[Math.max(divisibility, Math.floor(wRaw) * divisibility), Math.max(divisibility, Math.floor(hRaw) * divisibility)]];
  }
  // Python's min(): the first of the smallest differences.
  let [width, height] = capped[0]!;
  for (const [w, h] of capped.slice(1)) {
    if (Math.abs(w * h - targetPixels) < Math.abs(width * height - targetPixels)) {
      [width, height] = [w, h];
    }
  }
  const bucket = { width, height };
  const scale = Math.max(width / image.width, height / image.height);
  const resized = { width: Math.ceil(image.width * scale), height: Math.ceil(image.height * scale) };
  return { bucket, resized, crop: centreCrop(resized, bucket, (trim) => Math.trunc(trim / 2)), scale };
}

function centreCrop(resized: Size, bucket: Size, leading: (trim: number) => number): BucketFit['crop'] {
  const trimX = Math.max(0, resized.width - bucket.width);
  const trimY = Math.max(0, resized.height - bucket.height);
  const left = leading(trimX);
  const top = leading(trimY);
  return { left, top, right: trimX - left, bottom: trimY - top };
}

export function sizeLabel(size: Size): string {
  return `${size.width}x${size.height}`;
}

/** Pixels cut from each side, zeros left out: "L10 R11", "T16 B16", "none". */
export function cropLabel(crop: BucketFit['crop']): string {
  const sides: [string, number][] = [
    ['L', crop.left],
    ['R', crop.right],
    ['T', crop.top],
    ['B', crop.bottom],
  ];
  const cut = sides.filter(([, pixels]) => pixels > 0);
  return cut.length > 0 ? cut.map(([side, pixels]) => `${side}${pixels}`).join(' ') : 'none';
}
