// The numbers of the Analytics panel and `actor-studio stats`. Types only, no Node APIs: the
// panel's page imports them too.
import type { FailureReason } from '../manifest/failureReasons';
import type { Category, TrainingCategory } from '../manifest/categories';
import type { CategoryCounts, CategoryTargets } from '../actors/targets';
import type { ManifestState } from '../actors/types';

export interface PromptUsageRow {
  id: string;
  label: string;
  category: TrainingCategory;
  /** Uses in scope: the chosen actor's, or everyone's without one. */
  used: number;
  /** Uses across all actors. */
  total: number;
  /** Uses per actor, only actors that used it. */
  by_actor: Record<string, number>;
}

export interface UsageStats {
  prompts: PromptUsageRow[];
  /** Library prompts with no use in scope, in library order. */
  unused: string[];
  /** What to use next, per category (least used in scope first). */
  least_used: Record<TrainingCategory, string[]>;
  /** Prompt ids found in manifests that the library does not have, with their use in scope. */
  unlisted: Record<string, number>;
}

/** One rated image: its current rating and the prompt that made it. */
export interface RatedImage {
  actor_id: string;
  filename: string;
  stars: number;
  feedback: string | null;
  prompt_id: string | null;
  /** Null when neither the manifest nor the log knows the prompt. */
  prompt: string | null;
  category: Category;
  /** manifest: the image is in its manifest; log: only the log remembers it (deleted since). */
  source: 'manifest' | 'log';
}

/** High-rated or low-rated images, and what their prompts look like on average. */
export interface RatingGroup {
  images: number;
  mean_length: number | null;
  mean_word_count: number | null;
  mean_special_characters: number | null;
  categories: Record<Category, number>;
  prompts: RatedImage[];
}

export interface QualityStats {
  rated: number;
  /** Images per star count, 1 to 5. */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
  mean_stars: number | null;
  /** Rated 4 or 5. */
  high: RatingGroup;
  /** Rated 1 to 3. */
  low: RatingGroup;
  /** high minus low, for each mean both groups have. */
  difference: { length: number | null; word_count: number | null; special_characters: number | null };
}

export interface ModelFailureRate {
  model: string;
  successes: number;
  /** Failed attempts, cancellations excluded (the user's choice, not the model's fault). */
  failures: number;
  cancelled: number;
  /** failures / (successes + failures), in percent to hundredths; null without attempts. */
  failure_rate: number | null;
}

export interface DayCount {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  successes: number;
  failures: number;
}

export interface FailureStats {
  attempts: number;
  successes: number;
  failures: number;
  /** Every documented reason, zero when it never happened. */
  by_reason: Record<FailureReason, number>;
  /** Models by name. */
  by_model: ModelFailureRate[];
  /** One row per UTC day from the first attempt to the last, days without attempts included. */
  by_day: DayCount[];
}

export interface ActorBalance {
  actor_id: string;
  manifest: ManifestState;
  /** Images on disk per category (unknown: not classified yet). */
  counts: CategoryCounts;
  total: number;
  /** Images still to make per category to reach its target. */
  missing: Record<TrainingCategory, number>;
  /** Images above the category's target. */
  over: Record<TrainingCategory, number>;
  /** missing + over + unclassified: how far the actor is from a finished set. */
  work: number;
}

export interface BalanceStats {
  target: { total: number; shares: Record<TrainingCategory, number>; per_category: CategoryTargets };
  /** Every actor in scope, most work first (ties by id). */
  actors: ActorBalance[];
  /** Ids of the actors with work left, in the same order. */
  need_work: string[];
}

export interface GenerationSpend {
  model: string;
  /** Successful generations (failed attempts are not billed per output image). */
  images: number;
  per_image: number | null;
  /** null when the model has no known price. */
  estimated_cost: number | null;
}

export interface EvaluationSpend {
  model: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Sum of the plans' estimates; null when none of them had a price. */
  estimated_cost: number | null;
  /** Plans whose usage had no price (their cost is left out). */
  unpriced_plans: number;
}

export interface SpendStats {
  currency: string;
  generations: GenerationSpend[];
  evaluations: EvaluationSpend[];
  totals: {
    images: number;
    generation_cost: number;
    evaluation_requests: number;
    evaluation_tokens: number;
    evaluation_cost: number;
    /** Generation and evaluation costs that are known, added up. */
    estimated_cost: number;
    /** Models whose cost could not be estimated. */
    unpriced_models: string[];
  };
  note: string;
}

/** Attempts that share one value (a save method, a parameter's value, a prompt); cancellations left out. */
export interface OutcomeRow {
  value: string;
  attempts: number;
  successes: number;
  failures: number;
  /** successes / attempts, in percent to hundredths; null without attempts. */
  success_rate: number | null;
  /** Successes whose image has a rating. */
  rated: number;
  mean_rating: number | null;
}

export interface ParameterStats {
  aspect_ratio: OutcomeRow[];
  model: OutcomeRow[];
  safety_tolerance: OutcomeRow[];
  /** 'seed given' or 'no seed'. */
  seed: OutcomeRow[];
}

/** One prompt (its library id, else its text) with enough data for the correlation. */
export interface PromptPoint {
  prompt: string;
  attempts: number;
  success_rate: number;
  rated: number;
  mean_rating: number;
}

export interface CorrelationStats {
  /** What a prompt needs to be a point: this many attempts and rated images. */
  min_attempts: number;
  min_rated: number;
  /** Prompts attempted in scope. */
  prompts: number;
  /** Prompts with enough data: the points. */
  n: number;
  /** Pearson's r of success rate and mean rating over the points; null under 3 points or when either does not vary. */
  pearson_r: number | null;
  points: PromptPoint[];
}

export interface Analytics {
  /** The actor the numbers are for; null for all actors. */
  actor_id: string | null;
  usage: UsageStats;
  quality: QualityStats;
  failures: FailureStats;
  balance: BalanceStats;
  spend: SpendStats;
  /** Manual against auto saves (and any other method the log records). */
  save_methods: OutcomeRow[];
  parameters: ParameterStats;
  correlation: CorrelationStats;
}
