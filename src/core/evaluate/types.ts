import type { Category } from '../manifest/categories';

/** Every problem an evaluator can report about an image, from one list (local and vision model). */
export const IMAGE_ISSUES = [
  // local checks
  'blurry',
  'too_dark',
  'too_light',
  'low_information',
  'odd_aspect_ratio',
  'low_resolution',
  'exact_duplicate',
  'near_duplicate',
  'identity_drift',
  'no_face',
  'category_mismatch',
  // vision model
  'looking_at_camera',
  'symmetric_framing',
  'distortion',
  'identity_mismatch',
  'artifacts',
  'text_or_watermark',
  'other',
] as const;
export type ImageIssue = (typeof IMAGE_ISSUES)[number];

/** What an evaluator says about one image. */
export interface ImageEvaluation {
  filename: string;
  /** sha256 of the file bytes the evaluation was made for (results are cached by it). */
  sha256: string;
  /** The category the image looks like (may differ from the manifest's). */
  category: Category;
  /** 0 (unusable) to 10 (excellent). */
  quality: number;
  issues: ImageIssue[];
  /** Human-readable reasons, one per issue where there is more to say. */
  reasons: string[];
  /** Euclidean distance of face descriptors to the base image; null when not measured or no face. */
  identityDistance?: number | null;
  /** For duplicates: the image this one duplicates (the better one, which is kept). */
  duplicateOf?: string;
  evaluator: string;
}

export interface Evaluator {
  readonly id: string;
  evaluate(request: { actorId: string; baseImagePath?: string; images: { filename: string; path: string; sha256: string }[]; signal?: AbortSignal }): Promise<ImageEvaluation[]>;
}
