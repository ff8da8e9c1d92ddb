import { decideCategory, type Category, type Tone } from '../manifest/categories';
import { findDuplicates, type DuplicateCandidate } from './duplicates';
import { computeImageStats, type ImageStats } from './imageStats';
import type { FaceIdentity } from './faceIdentity';
import { fingerprint, resolveLocalCheckThresholds, type LocalCheckThresholds } from './thresholds';
import { sha256File } from '../fs/files';
import type { EvaluationRequest, Evaluator, FaceComparison, ImageEvaluation, ImageIssue } from './types';

/** Points taken off the quality score (0-10) per issue; a blurred or badly exposed image is of little use for training. */
const PENALTIES: Partial<Record<ImageIssue, number>> = {
  blurry: 5,
  too_dark: 4,
  too_light: 4,
  low_information: 4,
  low_resolution: 3,
  odd_aspect_ratio: 2,
  identity_drift: 6,
  // A near clone is a fine image that teaches copying: it ranks low, so it goes first when over quota.
  near_clone: 3,
  // Not what the prompt asked for: first to go when its category is over quota, never deleted for it alone.
  category_mismatch: 2,
};

/**
 * Pixel style of colour images, measured on the sample (see the tests): photographs have a full,
 * smooth grey histogram (entropy 7.0-7.7 bits); the posterised / comic / pop-art stylizations have
 * fewer levels (3.6-6.3 bits) and flat, fully saturated colours (some pixel with chroma of 233 or
 * more measured; 220 leaves a margin). Not a category (as one it was right 4 times in 9 on images
 * without a prompt): only near duplicates are looked for within one style, so a stylized rendering
 * of a photo is not taken for a copy of it.
 */
const PHOTO_MIN_ENTROPY = 6.8;
const STYLIZED_MAX_ENTROPY = 6.5;
const STYLIZED_MIN_MAX_CHROMA = 220;

export interface ImageAssessment {
  /** From the pixels alone: `bw_stylized` for grey pixels, else `unknown` (see decideCategory). */
  category: Category;
  tone: Tone;
  quality: number;
  issues: ImageIssue[];
  reasons: string[];
}

/** True when the pixels are grey, whatever the file's colour mode. */
export function isGrey(stats: ImageStats, thresholds: LocalCheckThresholds): boolean {
  return stats.meanChroma <= thresholds.greyChromaTolerance && stats.p99Chroma <= thresholds.greyChromaTolerance * 4;
}

/**
 * What the pixels alone say about the category: grey pixels are black-and-white; a colour image
 * could be photorealistic or colour stylized, which pixels do not tell reliably, so it is
 * `unknown` (its prompt, the vision model or the user decide).
 */
export function guessCategory(stats: ImageStats, thresholds: LocalCheckThresholds): { category: Category; tone: Tone; reason: string } {
  if (isGrey(stats, thresholds)) {
    return { category: 'bw_stylized', tone: 'grey', reason: `grey pixels (mean chroma ${stats.meanChroma.toFixed(1)})` };
  }
  return { category: 'unknown', tone: 'colour', reason: `colour pixels (mean chroma ${stats.meanChroma.toFixed(1)})` };
}

/** The look of a colour image (photo-like, posterised, or unclear), for grouping near duplicates only. */
export function pixelStyle(stats: ImageStats, thresholds: LocalCheckThresholds): Category {
  if (isGrey(stats, thresholds)) {
    return 'bw_stylized';
  }
  const badlyExposed = stats.meanLuminance < thresholds.darkMeanLuminance || stats.meanLuminance > thresholds.lightMeanLuminance;
  if (!badlyExposed && stats.entropy >= PHOTO_MIN_ENTROPY) {
    return 'photorealistic';
  }
  if (!badlyExposed && stats.entropy <= STYLIZED_MAX_ENTROPY && stats.maxChroma >= STYLIZED_MIN_MAX_CHROMA) {
    return 'color_stylized';
  }
  return 'unknown';
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
    flag(
      'odd_aspect_ratio',
      `odd aspect ratio ${ratio.toFixed(2)} (${stats.width}x${stats.height}), outside ${thresholds.aspectRatioMin}-${thresholds.aspectRatioMax}`,
    );
  }
  if (Math.min(stats.width, stats.height) < thresholds.minShortSide) {
    flag('low_resolution', `low resolution ${stats.width}x${stats.height}: shorter side below ${thresholds.minShortSide} px`);
  }
  const penalty = issues.reduce((sum, issue) => sum + (PENALTIES[issue] ?? 0), 0);
  const { category, tone } = guessCategory(stats, thresholds);
  return { category, tone, quality: Math.max(0, 10 - penalty), issues, reasons };
}

/** Raised when the category rule changes what an evaluation says (2: categories from prompts, decideCategory). */
const CATEGORY_RULE_VERSION = 2;

export interface LocalChecksOptions {
  thresholds?: Partial<LocalCheckThresholds>;
  /**
   * Face identity against the base image. A factory, so face-api loads only when images are
   * really evaluated (never for cached results). Absent: no identity checks (id `local`).
   */
  faces?: () => Promise<FaceIdentity>;
  /** Injectable pixel statistics (tests). */
  statsOf?: (file: string) => Promise<ImageStats>;
}

/** The default offline evaluator: pixel statistics and, when enabled, face identity; no network. */
export class LocalChecksEvaluator implements Evaluator {
  readonly id: string;
  readonly thresholds: LocalCheckThresholds;
  readonly configKey: string;
  private readonly statsOf: (file: string) => Promise<ImageStats>;
  private readonly faces?: () => Promise<FaceIdentity>;

  constructor(options: LocalChecksOptions = {}) {
    this.thresholds = resolveLocalCheckThresholds(options.thresholds);
    this.statsOf = options.statsOf ?? computeImageStats;
    this.faces = options.faces;
    this.id = this.faces ? 'local+face' : 'local';
    // The rule's version too: results made under an earlier category rule are evaluated again.
    this.configKey = fingerprint({ ...this.thresholds, categoryRule: CATEGORY_RULE_VERSION });
  }

  async evaluate(request: EvaluationRequest): Promise<ImageEvaluation[]> {
    const evaluations: ImageEvaluation[] = [];
    const candidates: DuplicateCandidate[] = [];
    const total = request.images.length * (this.faces ? 2 : 1);
    let done = 0;
    for (const image of request.images) {
      request.signal?.throwIfAborted();
      let stats: ImageStats;
      try {
        stats = await this.statsOf(image.path);
      } catch (error) {
        // An unreadable file is reported, never fatal for the other images.
        // A declared category stands (the pixels cannot contradict it).
        const decision = decideCategory(image.declared, undefined);
        evaluations.push({
          filename: image.filename,
          sha256: image.sha256,
          category: decision.category,
          ...(decision.source ? { categorySource: decision.source } : {}),
          ...(image.declared ? { declared: image.declared } : {}),
          quality: 0,
          issues: ['other'],
          reasons: [`cannot be decoded: ${error instanceof Error ? error.message : String(error)}`],
          evaluator: this.id,
        });
        continue;
      } finally {
        request.onProgress?.(++done, total);
      }
      const evaluation = categorized(
        { filename: image.filename, sha256: image.sha256, ...assessImage(stats, this.thresholds), evaluator: this.id },
        image.declared,
        stats,
      );
      evaluations.push(evaluation);
      const style = pixelStyle(stats, this.thresholds);
      candidates.push({
        filename: image.filename,
        pixelHash: stats.pixelHash,
        dHash: stats.dHash,
        width: stats.width,
        height: stats.height,
        quality: evaluation.quality,
        // The prompt's category where it holds; else the look of the pixels.
        category: evaluation.category !== 'unknown' && !evaluation.issues.includes('category_mismatch') ? evaluation.category : style,
      });
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
    if (this.faces) {
      const decoded = request.images.filter((image) => candidates.some((candidate) => candidate.filename === image.filename));
      await this.checkIdentity(this.faces, request, decoded, byName, () => request.onProgress?.(++done, total));
      request.onProgress?.(total, total);
    }
    return evaluations;
  }

  /**
   * Distance of each image's face to the base image's: identity drift over the threshold, or no
   * face. A comparison made earlier for the same image bytes and the same base image is reused,
   * so adding one image compares one face (and face-api is not even loaded when nothing is new).
   */
  private async checkIdentity(
    loadFaces: () => Promise<FaceIdentity>,
    request: EvaluationRequest,
    images: EvaluationRequest['images'],
    byName: Map<string, ImageEvaluation>,
    step: () => void,
  ): Promise<void> {
    if (!request.baseImagePath) {
      for (const image of images) {
        step();
        byName.get(image.filename)!.reasons.push('identity not checked: the actor has no base image');
        byName.get(image.filename)!.identityDistance = null;
      }
      return;
    }
    const baseSha256 = await sha256File(request.baseImagePath);
    const measure: EvaluationRequest['images'] = [];
    for (const image of images) {
      const earlier = request.previous?.get(image.filename)?.face;
      if (earlier && earlier.baseSha256 === baseSha256) {
        step();
        this.judgeIdentity(byName.get(image.filename)!, earlier);
      } else {
        measure.push(image);
      }
    }
    const faces = measure.length > 0 ? await loadFaces() : undefined;
    // A few images per call (as many as the engine describes at once), so Cancel stops between them.
    for (let start = 0; faces && start < measure.length; start += faces.parallelism) {
      request.signal?.throwIfAborted();
      const batch = measure.slice(start, start + faces.parallelism);
      const distances = await faces.identityDistances(
        request.baseImagePath,
        batch.map((image) => image.path),
      );
      batch.forEach((image, position) => {
        step();
        // baseYaw: a turn is judged against the base face's own pose (a base in three-quarter view
        // compares well with images in the same view).
        const { distance, noFace, score, facePixels, yaw, baseYaw = null, descriptor } = distances[position];
        const rounded = descriptor ? Array.from(descriptor, (value) => Math.round(value * 10_000) / 10_000) : null;
        this.judgeIdentity(byName.get(image.filename)!, { distance, noFace, baseSha256, score, facePixels, yaw, baseYaw, descriptor: rounded });
      });
    }
    measureAgainstCentroid([...byName.values()]);
  }

  /**
   * The face policy: a face that cannot be scored reliably (none found, too small, turned too
   * far, found with low confidence) makes the image `unscorable` (it needs a person's review and
   * is never deleted for it); only a scored face beyond the drift distance is `identity_drift`;
   * a scored face closer than the near-clone distance is `near_clone`.
   */
  private judgeIdentity(evaluation: ImageEvaluation, face: FaceComparison): void {
    const { identityDriftDistance: limit, nearCloneDistance, minFacePixels, maxFaceYaw, minFaceScore } = this.thresholds;
    const { distance } = face;
    evaluation.face = face;
    evaluation.identityDistance = distance === null ? null : Math.round(distance * 1000) / 1000;
    const unscorable = unscorableReason(face, { minFacePixels, maxFaceYaw, minFaceScore });
    if (unscorable) {
      evaluation.issues.push('unscorable');
      evaluation.reasons.push(`needs review: ${unscorable}; identity not scored`);
    } else if (distance === null) {
      evaluation.reasons.push('identity not checked: no face found in the base image');
    } else if (distance > limit && (evaluation.category === 'bw_stylized' || evaluation.category === 'color_stylized')) {
      // Descriptors of drawn and painted faces spread far more than photos' (same person up to
      // 0.78 measured): beyond the limit a stylized face is a question for a person, not a deletion.
      evaluation.issues.push('unscorable');
      evaluation.reasons.push(`needs review: stylized face at distance ${distance.toFixed(2)} to the base image, above ${limit} (unreliable for drawings)`);
    } else if (distance > limit) {
      evaluation.issues.push('identity_drift');
      evaluation.reasons.push(`identity drift: face distance ${distance.toFixed(2)} to the base image, above ${limit}`);
      evaluation.quality = Math.max(0, evaluation.quality - (PENALTIES.identity_drift ?? 0));
    } else if (distance < nearCloneDistance) {
      evaluation.issues.push('near_clone');
      evaluation.reasons.push(
        `near clone of the base image: face distance ${distance.toFixed(2)}, below ${nearCloneDistance} (same pose and framing teach copying)`,
      );
      evaluation.quality = Math.max(0, evaluation.quality - (PENALTIES.near_clone ?? 0));
    }
  }
}

/** Why a face cannot be scored reliably, or undefined when it can. */
export function unscorableReason(
  face: FaceComparison,
  limits: Pick<LocalCheckThresholds, 'minFacePixels' | 'maxFaceYaw' | 'minFaceScore'>,
): string | undefined {
  if (face.noFace) {
    return 'no face found';
  }
  if (typeof face.facePixels === 'number' && face.facePixels < limits.minFacePixels) {
    return `face too small to score (${Math.round(face.facePixels)} px high, under ${limits.minFacePixels})`;
  }
  const turn = poseDifference(face.yaw, face.baseYaw);
  if (turn !== undefined && turn > limits.maxFaceYaw) {
    return `face turned too far from the base image's to score (about ${Math.round(turn)}°, over ${limits.maxFaceYaw}°)`;
  }
  if (typeof face.score === 'number' && face.score < limits.minFaceScore) {
    return `face found with low confidence (${face.score.toFixed(2)}, under ${limits.minFaceScore})`;
  }
  return undefined;
}

/** Faces needed besides the image itself for a centroid worth comparing with. */
const MIN_CENTROID_PEERS = 2;

/**
 * Distance of each scored face to the centroid of the other accepted faces (leave-one-out, so an
 * image is never compared with itself): identity against the set, not only the base image.
 */
export function measureAgainstCentroid(evaluations: ImageEvaluation[]): void {
  const accepted = evaluations.filter(
    (evaluation) => evaluation.face?.descriptor && !evaluation.issues.includes('unscorable') && !evaluation.issues.includes('identity_drift'),
  );
  const length = accepted[0]?.face?.descriptor?.length ?? 0;
  const sum = new Array<number>(length).fill(0);
  for (const evaluation of accepted) {
    evaluation.face!.descriptor!.forEach((value, index) => (sum[index] += value));
  }
  for (const evaluation of evaluations) {
    const descriptor = evaluation.face?.descriptor;
    if (!descriptor || evaluation.issues.includes('unscorable') || descriptor.length !== length) {
      evaluation.centroidDistance = null;
      continue;
    }
    const self = accepted.includes(evaluation);
    const peers = accepted.length - (self ? 1 : 0);
    if (peers < MIN_CENTROID_PEERS) {
      evaluation.centroidDistance = null;
      continue;
    }
    let squares = 0;
    descriptor.forEach((value, index) => {
      const centroid = (sum[index] - (self ? value : 0)) / peers;
      squares += (value - centroid) ** 2;
    });
    evaluation.centroidDistance = Math.round(Math.sqrt(squares) * 1000) / 1000;
  }
}

/**
 * The category rule (decideCategory) applied to the pixels' verdict: the category the image counts
 * in, who decided it, and a `category_mismatch` (with its penalty) when the pixels contradict the
 * prompt. The vision model, when there is one, is applied later (localAndVision.withJudgement).
 */
function categorized(evaluation: ImageEvaluation & { tone: Tone }, declared: ImageEvaluation['declared'], stats: ImageStats): ImageEvaluation {
  const decision = decideCategory(declared, evaluation.tone);
  const result: ImageEvaluation = {
    ...evaluation,
    category: decision.category,
    ...(decision.source ? { categorySource: decision.source } : {}),
    ...(declared ? { declared } : {}),
  };
  if (decision.mismatch && declared) {
    result.issues = [...result.issues, 'category_mismatch'];
    result.reasons = [
      ...result.reasons,
      `category mismatch: generated from a ${declared.category} prompt, but the pixels are ${evaluation.tone} (mean chroma ${stats.meanChroma.toFixed(1)})` +
        (evaluation.tone === 'grey' ? '; counted as bw_stylized' : ''),
    ];
    result.quality = Math.max(0, result.quality - (PENALTIES.category_mismatch ?? 0));
  }
  return result;
}

/**
 * How far a face is turned from the base image's face, in degrees; a mirrored turn counts as the
 * same pose (mirroring flips the sign of yaw, not the view). Without the base's pose, the face's own.
 */
export function poseDifference(yaw: number | null | undefined, baseYaw: number | null | undefined): number | undefined {
  if (typeof yaw !== 'number') {
    return undefined;
  }
  if (typeof baseYaw !== 'number') {
    return Math.abs(yaw);
  }
  return Math.min(Math.abs(yaw - baseYaw), Math.abs(yaw + baseYaw));
}
