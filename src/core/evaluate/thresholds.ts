import { createHash } from 'node:crypto';

/**
 * Thresholds of the local (offline) checks. Every value is measured on the statistics of
 * imageStats.ts (fixed-size analysis images, so they do not depend on the file's resolution).
 * The defaults were chosen between the values of clean and defective images of the sample and
 * the test fixtures; see the report table in the local checks' tests for the measurements.
 */
// A type alias (not an interface) so it is assignable to Record<string, unknown> (recorded in plans).
export type LocalCheckThresholds = {
  /** Variance of the Laplacian (contrast-stretched 8-bit grey, 256 px long side) below which an image is blurry. */
  blurLaplacianVariance: number;
  /** Mean luminance (0-255) below which an image is too dark. */
  darkMeanLuminance: number;
  /** Mean luminance (0-255) above which an image is too light. */
  lightMeanLuminance: number;
  /** Shannon entropy of the grey histogram (bits, 0-8) below which an image carries too little. */
  minEntropy: number;
  /** Width / height outside [min, max] is an odd aspect ratio (16:9 is 1.78, 9:16 is 0.56). */
  aspectRatioMin: number;
  aspectRatioMax: number;
  /** Shorter side in pixels below which an image is low resolution. */
  minShortSide: number;
  /** Hamming distance of the 64-bit dHash at or below which two images are near duplicates. */
  nearDuplicateHamming: number;
  /**
   * Grey detection: an image is black-and-white when its mean chroma (max-min of R, G, B,
   * 0-255) is at most this and its 99th-percentile chroma at most four times this. JPEG
   * compression leaves a few units of chroma on grey pixels, hence not zero.
   */
  greyChromaTolerance: number;
  /**
   * Face identity: Euclidean distance of the 128-number face descriptors above which an image's
   * face is not the base image's person (face-api's customary same-person limit is 0.6).
   */
  identityDriftDistance: number;
  /**
   * A face closer than this to the base image's is a near clone (same pose, framing and
   * expression): it teaches the LoRA to copy the base image, so it goes first when its category
   * is over quota (it is never deleted for this alone).
   */
  nearCloneDistance: number;
  /** A face smaller than this (box height in pixels) cannot be scored reliably: the image needs review. */
  minFacePixels: number;
  /** A face turned further than this (estimated yaw, degrees) cannot be scored reliably: the image needs review. */
  maxFaceYaw: number;
  /** A face found with less confidence than this (0-1) cannot be scored reliably: the image needs review. */
  minFaceScore: number;
};

export const DEFAULT_LOCAL_CHECK_THRESHOLDS: Readonly<LocalCheckThresholds> = Object.freeze({
  // blurred (sigma 6-9) measured 10-18, sharp images 606-8066
  blurLaplacianVariance: 100,
  // 20 % exposure measured 23-25, normal images 115-170
  darkMeanLuminance: 50,
  // brightened measured 233; pen-and-ink on white paper 209 must pass
  lightMeanLuminance: 225,
  // line art measured 2.0-2.4 bits and is wanted; a flat image is near 0
  minEntropy: 1.5,
  // covers every ratio the image model offers (21:9 is 2.33, 9:21 is 0.43)
  aspectRatioMin: 0.4,
  aspectRatioMax: 2.5,
  // 160x90 must fail; the sample's 768x432 and small clean crops (300 px) pass
  minShortSide: 256,
  // resized/recompressed copies measured 0-1; distinct crops of one photo 9 or more, two unrelated dark images 6
  nearDuplicateHamming: 5,
  greyChromaTolerance: 4,
  // labelled face corpus (fixtures/faceCorpus, cascade pipeline): same person 0.05-0.69 (p90 0.61),
  // another person 0.60-0.89; 0.65 rejects 2/44 same and keeps 2/100 other (0.60: 5/44 and 0/100)
  identityDriftDistance: 0.65,
  // re-encoded and cropped copies of the base measured 0.05-0.13; mirrored 0.14-0.30, other edits above
  nearCloneDistance: 0.14,
  // faces of 42-54 px scored 0.36-0.61 against the base (unreliable); 69-90 px faces 0.20-0.32
  minFacePixels: 64,
  // frontal faces read -3..+9 degrees, a turned face 33-66 (estimate noisy, about ±15)
  maxFaceYaw: 45,
  // the detector's own threshold; real faces were found down to 0.52
  minFaceScore: 0.5,
});

/**
 * Merges user settings over the defaults. Unknown keys and values that are not finite numbers
 * are ignored (a bad setting must not switch a check off); min/max pairs that cross are
 * replaced by the defaults.
 */
export function resolveLocalCheckThresholds(partial?: Partial<Record<keyof LocalCheckThresholds, unknown>> | null): LocalCheckThresholds {
  const result: LocalCheckThresholds = { ...DEFAULT_LOCAL_CHECK_THRESHOLDS };
  if (partial) {
    for (const key of Object.keys(DEFAULT_LOCAL_CHECK_THRESHOLDS) as (keyof LocalCheckThresholds)[]) {
      const value = partial[key];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        result[key] = value;
      }
    }
  }
  if (result.aspectRatioMin > result.aspectRatioMax) {
    result.aspectRatioMin = DEFAULT_LOCAL_CHECK_THRESHOLDS.aspectRatioMin;
    result.aspectRatioMax = DEFAULT_LOCAL_CHECK_THRESHOLDS.aspectRatioMax;
  }
  if (result.darkMeanLuminance >= result.lightMeanLuminance) {
    result.darkMeanLuminance = DEFAULT_LOCAL_CHECK_THRESHOLDS.darkMeanLuminance;
    result.lightMeanLuminance = DEFAULT_LOCAL_CHECK_THRESHOLDS.lightMeanLuminance;
  }
  return result;
}

/** A short, stable hash of settings (key order does not matter): results made with other settings are not reused. */
export function fingerprint(settings: Readonly<Record<string, unknown>>): string {
  const sorted = Object.keys(settings)
    .sort()
    .map((key) => [key, settings[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 12);
}
