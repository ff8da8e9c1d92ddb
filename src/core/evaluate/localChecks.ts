import type { Category } from '../manifest/categories';
import { findDuplicates, type DuplicateCandidate } from './duplicates';
import { computeImageStats, type ImageStats } from './imageStats';
import { resolveLocalCheckThresholds, type LocalCheckThresholds } from './thresholds';
import type { Evaluator, ImageEvaluation, ImageIssue } from './types';

/** Points taken off the quality score (0-10) per issue; a blurred or badly exposed image is of little use for training. */
const PENALTIES: Partial<Record<ImageIssue, number>> = {
  blurry: 5,
  too_dark: 4,
  too_light: 4,
  low_information: 4,
  low_resolution: 3,
  odd_aspect_ratio: 2,
};

/**
 * Category heuristic for colour images, measured on the sample (see the tests): photographs
 * have a full, smooth grey histogram (entropy 7.0-7.7 bits); the posterised / comic / pop-art
 * stylizations have fewer levels (3.6-6.3 bits) and flat, fully saturated colours (some pixel
 * with chroma >= 230). Images between the two, or badly exposed ones, stay 'unknown'.
 */
const PHOTO_MIN_ENTROPY = 6.8;
const STYLIZED_MAX_ENTROPY = 6.5;
const STYLIZED_MIN_MAX_CHROMA = 230;

export interface ImageAssessment {
  category: Category;
  quality: number;
  issues: ImageIssue[];
  reasons: string[];
}

/** True when the pixels are grey, whatever the file's colour mode. */
export function isGrey(stats: ImageStats, thresholds: LocalCheckThresholds): boolean {
  return stats.meanChroma <= thresholds.greyChromaTolerance && stats.p99Chroma <= thresholds.greyChromaTolerance * 4;
}

export function guessCategory(stats: ImageStats, thresholds: LocalCheckThresholds): { category: Category; reason: string } {
  if (isGrey(stats, thresholds)) {
    return { category: 'bw_stylized', reason: `grey pixels (mean chroma ${stats.meanChroma.toFixed(1)})` };
  }
  const badlyExposed = stats.meanLuminance < thresholds.darkMeanLuminance || stats.meanLuminance > thresholds.lightMeanLuminance;
  if (!badlyExposed && stats.entropy >= PHOTO_MIN_ENTROPY) {
    return { category: 'photorealistic', reason: `smooth tones (entropy ${stats.entropy.toFixed(2)} bits)` };
  }
  if (!badlyExposed && stats.entropy <= STYLIZED_MAX_ENTROPY && stats.maxChroma >= STYLIZED_MIN_MAX_CHROMA) {
    return { category: 'color_stylized', reason: `posterised, saturated colours (entropy ${stats.entropy.toFixed(2)} bits, max chroma ${stats.maxChroma})` };
  }
  return { category: 'unknown', reason: `colour image, category unclear (entropy ${stats.entropy.toFixed(2)} bits, max chroma ${stats.maxChroma})` };
}

/** The per-image checks (everything but duplicates, which need the whole set). */
export function assessImage(stats: ImageStats, thresholds: LocalCheckThresholds): ImageAssessment {
  const issues: ImageIssue[] = [];
  const reasons: string[] = [];
  const flag = (issue: ImageIssue, reason: string): void => {
    issues.push(issue);
    reasons.push(reason);
  };
  const light = stats.meanLuminance > thresholds.lightMeanLuminance;
  const dark = stats.meanLuminance < thresholds.darkMeanLuminance;
  if (stats.laplacianVariance < thresholds.blurLaplacianVariance) {
    flag('blurry', `blurry: sharpness ${stats.laplacianVariance.toFixed(0)} below ${thresholds.blurLaplacianVariance}`);
  }
  if (dark) {
    flag('too_dark', `too dark: mean brightness ${stats.meanLuminance.toFixed(0)}/255 below ${thresholds.darkMeanLuminance}`);
  }
  if (light) {
    flag('too_light', `too light: mean brightness ${stats.meanLuminance.toFixed(0)}/255 above ${thresholds.lightMeanLuminance}`);
  }
  if (stats.entropy < thresholds.minEntropy) {
    flag('low_information', `little information: entropy ${stats.entropy.toFixed(2)} bits below ${thresholds.minEntropy}`);
  }
  const ratio = stats.width / stats.height;
  if (ratio < thresholds.aspectRatioMin || ratio > thresholds.aspectRatioMax) {
    flag('odd_aspect_ratio', `odd aspect ratio ${ratio.toFixed(2)} (${stats.width}x${stats.height}), outside ${thresholds.aspectRatioMin}-${thresholds.aspectRatioMax}`);
  }
  if (Math.min(stats.width, stats.height) < thresholds.minShortSide) {
    flag('low_resolution', `low resolution ${stats.width}x${stats.height}: shorter side below ${thresholds.minShortSide} px`);
  }
  const penalty = issues.reduce((sum, issue) => sum + (PENALTIES[issue] ?? 0), 0);
  const { category } = guessCategory(stats, thresholds);
  return { category, quality: Math.max(0, 10 - penalty), issues, reasons };
}

/** The default offline evaluator: pixel statistics only, no network, no model. */
export class LocalChecksEvaluator implements Evaluator {
  readonly id = 'local';
  readonly thresholds: LocalCheckThresholds;

  constructor(thresholds?: Partial<LocalCheckThresholds>, private readonly statsOf: (file: string) => Promise<ImageStats> = computeImageStats) {
    this.thresholds = resolveLocalCheckThresholds(thresholds);
  }

  async evaluate(request: Parameters<Evaluator['evaluate']>[0]): Promise<ImageEvaluation[]> {
    const evaluations: ImageEvaluation[] = [];
    const candidates: DuplicateCandidate[] = [];
    for (const image of request.images) {
      request.signal?.throwIfAborted();
      let stats: ImageStats;
      try {
        stats = await this.statsOf(image.path);
      } catch (error) {
        // An unreadable file is reported, never fatal for the other images.
        evaluations.push({
          filename: image.filename,
          sha256: image.sha256,
          category: 'unknown',
          quality: 0,
          issues: ['other'],
          reasons: [`cannot be decoded: ${error instanceof Error ? error.message : String(error)}`],
          evaluator: this.id,
        });
        continue;
      }
      const assessment = assessImage(stats, this.thresholds);
      evaluations.push({ filename: image.filename, sha256: image.sha256, ...assessment, evaluator: this.id });
      candidates.push({ filename: image.filename, pixelHash: stats.pixelHash, dHash: stats.dHash, width: stats.width, height: stats.height, quality: assessment.quality, category: assessment.category });
    }
    const byName = new Map(evaluations.map((evaluation) => [evaluation.filename, evaluation]));
    for (const finding of findDuplicates(candidates, this.thresholds.nearDuplicateHamming)) {
      const evaluation = byName.get(finding.filename);
      if (evaluation) {
        // Quality stays that of the image itself; the duplicate issue says it should go.
        evaluation.issues.push(finding.kind);
        evaluation.duplicateOf = finding.duplicateOf;
        evaluation.reasons.push(
          finding.kind === 'exact_duplicate'
            ? `same pixels as ${finding.duplicateOf}, which is kept`
            : `near duplicate of ${finding.duplicateOf} (hash distance ${finding.distance}), which is kept`,
        );
      }
    }
    return evaluations;
  }
}
