import type { LocalCheckThresholds } from './thresholds';
import type { Category, CategorySource, DeclaredCategory, Tone } from '../manifest/categories';

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
  'unscorable',
  'near_clone',
  // the pixels contradict the prompt's category (grey from a colour prompt, colour from a
  // black-and-white one): lowers the quality, never deletes by itself (see decideCategory)
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

/** The OpenAI model the vision evaluator uses unless a setting names another. */
export const DEFAULT_VISION_MODEL = 'gpt-4o';

export type EvaluatorChoice = 'auto' | 'local' | 'openai';

/** What evaluation the settings ask for (core/config reads them). */
export interface EvaluationSettings {
  /** `auto`: the vision model too when an OpenAI key is set; `local`: offline checks only. */
  provider: EvaluatorChoice;
  /** Face identity against the base image (offline). */
  faceIdentity: boolean;
  thresholds: Partial<LocalCheckThresholds>;
  visionModel: string;
}

/** What an evaluator says about one image. */
export interface ImageEvaluation {
  filename: string;
  /** sha256 of the file bytes the evaluation was made for (results are cached by it). */
  sha256: string;
  /**
   * The category the image counts in, decided by the category rule (manifest/categories.ts
   * decideCategory) from `declared`, the pixels and the vision model; `unknown` when nobody can tell.
   */
  category: Category;
  /** Who decided `category`; absent when it is `unknown`. */
  categorySource?: CategorySource;
  /** Grey or colour pixels; absent when the file could not be decoded. */
  tone?: Tone;
  /** The prompt's or the user's category the image was judged against (part of what a cached result depends on). */
  declared?: DeclaredCategory;
  /** 0 (unusable) to 10 (excellent). */
  quality: number;
  issues: ImageIssue[];
  /** Human-readable reasons, one per issue where there is more to say. */
  reasons: string[];
  /** Euclidean distance of face descriptors to the base image; null when not measured or no face. */
  identityDistance?: number | null;
  /**
   * Distance of the face to the centroid of the other accepted faces of the set (leave-one-out),
   * null when there is no face or too few others.
   */
  centroidDistance?: number | null;
  /** The face comparison itself, kept so an unchanged image against an unchanged base image is not compared again. */
  face?: FaceComparison;
  /** For duplicates: the image this one duplicates (the better one, which is kept). */
  duplicateOf?: string;
  /** What the vision model said about this image, when one looked at it (kept so it is paid for once). */
  vision?: VisionJudgement;
  evaluator: string;
}

/** One image's face against the base image's, as measured for the base image of that hash. */
export interface FaceComparison {
  /** null: no face in the image, or none in the base image. */
  distance: number | null;
  noFace: boolean;
  baseSha256: string;
  /** Detector confidence, face height in pixels and estimated yaw (degrees), when a face was found. */
  score?: number | null;
  facePixels?: number | null;
  yaw?: number | null;
  /** The base image's face yaw, which a turn is judged against. */
  baseYaw?: number | null;
  /** The face descriptor (rounded), for the distance to the set's centroid. */
  descriptor?: number[] | null;
}

/** A vision model's answer for one image. */
export interface VisionJudgement {
  model: string;
  category: Category;
  /** 1-10. */
  quality: number;
  issues: ImageIssue[];
  keep: boolean;
  reason: string;
  /** A training caption of what the image shows, the subject called "the person" (older answers have none). */
  caption?: string;
}

export interface EvaluationRequest {
  actorId: string;
  baseImagePath?: string;
  /** `declared`: the category of the image's prompt, or the user's (from its manifest entry). */
  images: { filename: string; path: string; sha256: string; declared?: DeclaredCategory }[];
  /**
   * Earlier evaluations of these same bytes by this evaluator (by file name), for evaluators that
   * can reuse part of their work per image (the vision model's answers).
   */
  previous?: ReadonlyMap<string, ImageEvaluation>;
  signal?: AbortSignal;
  /** Called as images are done (`done` of `total`). */
  onProgress?: (done: number, total: number) => void;
  /** Called with what each paid request used (vision model tokens and their estimated cost). */
  onUsage?: (usage: EvaluationUsage) => void;
}

/** Tokens one or more vision requests used, and their estimated cost (null when the model has no known price). */
export interface EvaluationUsage {
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  estimatedCostUsd: number | null;
}

export interface Evaluator {
  /** Recorded with each result: `local`, `local+face`, `local+face+openai:gpt-4o`. */
  readonly id: string;
  /**
   * A fingerprint of the settings the results depend on (thresholds); a cached result made with
   * other settings is evaluated again.
   */
  readonly configKey: string;
  /** The settings recorded in a plan made from this evaluator's results. */
  readonly thresholds: Readonly<Record<string, unknown>>;
  evaluate(request: EvaluationRequest): Promise<ImageEvaluation[]>;
}
