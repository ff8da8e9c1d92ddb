/** The three kinds of training image an identity set is balanced across. */
export const TRAINING_CATEGORIES = ['photorealistic', 'bw_stylized', 'color_stylized'] as const;
export type TrainingCategory = (typeof TRAINING_CATEGORIES)[number];

/** `unknown` holds images nobody has classified yet (shown as "Unclassified"). */
export const CATEGORIES = [...TRAINING_CATEGORIES, 'unknown'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  photorealistic: 'Photorealistic',
  bw_stylized: 'B&W stylized',
  color_stylized: 'Colour stylized',
  unknown: 'Unclassified',
};

/**
 * Who decided the category an image counts in (the manifest entry's `category_source`):
 * - `prompt`: the library prompt the image was generated from (also an entry written before
 *   `category_source` existed: its category came from its generation or the old tool's records);
 * - `vision`: the vision model, for an image without a prompt or whose pixels contradict it;
 * - `local`: the offline pixel check, which only ever says black-and-white (grey pixels);
 * - `user`: Set Category. Nothing else ever overwrites a user's choice.
 */
export const CATEGORY_SOURCES = ['prompt', 'vision', 'local', 'user'] as const;
export type CategorySource = (typeof CATEGORY_SOURCES)[number];

/** Where a caption came from: a person's edit, or seeded from the vision model, the prompt or the category. */
export const CAPTION_SOURCES = ['user', 'vision', 'prompt', 'category'] as const;
export type CaptionSource = (typeof CAPTION_SOURCES)[number];

/** A caption's source in words, for whoever shows it. */
export const CAPTION_SOURCE_LABELS: Record<CaptionSource, string> = {
  user: 'your edit',
  vision: "seeded from the vision model's caption",
  prompt: 'seeded from the prompt',
  category: 'seeded from the category',
};

/** Grey or colour pixels: the one thing about a category the offline checks can tell for sure. */
export type Tone = 'grey' | 'colour';

/** The category an image was declared as, before anyone looked at it: its prompt's, or the user's. */
export interface DeclaredCategory {
  category: TrainingCategory;
  source: 'prompt' | 'user';
}

/** The part of a manifest entry the category rule reads. */
export interface CategoryFields {
  category?: string;
  category_source?: string;
  prompt_category?: string;
}

export function isTrainingCategory(value: unknown): value is TrainingCategory {
  return (TRAINING_CATEGORIES as readonly unknown[]).includes(value);
}

/** The category of the prompt an entry was generated from, if it has one (kept in `prompt_category` once the entry counts elsewhere). */
export function promptCategoryOf(entry: CategoryFields): TrainingCategory | undefined {
  if (isTrainingCategory(entry.prompt_category)) {
    return entry.prompt_category;
  }
  const fromPrompt = entry.category_source === undefined || entry.category_source === 'prompt';
  return fromPrompt && isTrainingCategory(entry.category) ? entry.category : undefined;
}

/** The user's category, else the prompt's; undefined for an image nobody declared (imported, untracked). */
export function declaredCategoryOf(entry: CategoryFields | undefined): DeclaredCategory | undefined {
  if (!entry) {
    return undefined;
  }
  if (entry.category_source === 'user' && isTrainingCategory(entry.category)) {
    return { category: entry.category, source: 'user' };
  }
  const prompt = promptCategoryOf(entry);
  return prompt ? { category: prompt, source: 'prompt' } : undefined;
}

export function sameDeclaredCategory(a: DeclaredCategory | undefined, b: DeclaredCategory | undefined): boolean {
  return a?.category === b?.category && a?.source === b?.source;
}

export interface CategoryDecision {
  /** `unknown`: counted in no category (shown as Unclassified). */
  category: Category;
  /** Absent when nobody could tell. */
  source?: CategorySource;
  /** The pixels contradict the prompt's category: grey from a colour prompt, or colour from a black-and-white one. */
  mismatch: boolean;
}

/**
 * The category rule, one place for the evaluator, the planner and the tree:
 *
 * 1. The user's choice (Set Category) wins, always; it is never questioned (no mismatch).
 * 2. An image generated from a library prompt takes the prompt's category, unless the pixels
 *    contradict it (`mismatch`, reported as the issue `category_mismatch`):
 *    - grey pixels from a photorealistic or colour stylized prompt count as black-and-white
 *      (`local`): grey is certain, and counting a grey image as colour would unbalance the set
 *      the quotas describe; a vision model is not asked to overrule it (a model may call a
 *      black-and-white photograph photorealistic);
 *    - colour pixels from a black-and-white prompt take the vision model's category when there
 *      is one (`vision`); without one the prompt's category still counts: colour pixels do not say
 *      which colour category the image is, and a tinted (sepia, duotone, paper-toned) rendering
 *      of a black-and-white prompt is colour by the numbers yet what the prompt asked for.
 *    A mismatch never deletes the image by itself (the planner does not count it among the
 *    deleting issues): it lowers the image's quality, so it is the first to go when its category
 *    is over quota, and it is shown in the tree, Plan Review and the viewer, where Set Category
 *    settles it.
 * 3. Without a prompt: grey pixels are black-and-white (`local`); a colour image takes the vision
 *    model's category (`vision`) or stays unclassified. Pixels alone never choose between
 *    photorealistic and colour stylized (that guess was right 4 times in 9).
 *
 * `tone` undefined means the pixels are unknown (not evaluated, or the file cannot be decoded):
 * a declared category then stands.
 */
export function decideCategory(declared: DeclaredCategory | undefined, tone: Tone | undefined, vision?: Category): CategoryDecision {
  const seen = vision && vision !== 'unknown' ? vision : undefined;
  if (declared?.source === 'user') {
    return { category: declared.category, source: 'user', mismatch: false };
  }
  if (declared) {
    const wantsGrey = declared.category === 'bw_stylized';
    if (tone === undefined || (tone === 'grey') === wantsGrey) {
      return { category: declared.category, source: 'prompt', mismatch: false };
    }
    if (tone === 'grey') {
      return { category: 'bw_stylized', source: 'local', mismatch: true };
    }
    return seen ? { category: seen, source: 'vision', mismatch: true } : { category: declared.category, source: 'prompt', mismatch: true };
  }
  if (tone === 'grey') {
    return { category: 'bw_stylized', source: seen === 'bw_stylized' ? 'vision' : 'local', mismatch: false };
  }
  return seen ? { category: seen, source: 'vision', mismatch: false } : { category: 'unknown', mismatch: false };
}

/**
 * The category an image counts in, given its manifest entry and its current evaluation's decided
 * category (absent when there is none for these bytes): the user's choice, else the evaluation's
 * (made by decideCategory), else what the manifest says. The planner and the tree both use this,
 * so their counts agree.
 */
export function countedCategory(entry: CategoryFields | undefined, evaluated: Category | undefined): Category {
  if (entry?.category_source === 'user' && isTrainingCategory(entry.category)) {
    return entry.category;
  }
  if (evaluated && evaluated !== 'unknown') {
    return evaluated;
  }
  return (CATEGORIES as readonly unknown[]).includes(entry?.category) ? (entry!.category as Category) : 'unknown';
}
