import { InputError } from '../errors';
import {
  CATEGORY_LABELS,
  isTrainingCategory,
  promptCategoryOf,
  TRAINING_CATEGORIES,
  type Category,
  type CategorySource,
  type TrainingCategory,
} from '../manifest/categories';
import type { ImageEntry } from '../manifest/manifestSchema';
import { changeImageEntry, type EntryChangeOptions } from './imageEntries';

/*
 * Set Category: a user's choice of an image's category. It goes into the manifest entry as
 * `category` with `category_source: "user"`, and from then on wins over everything else: the
 * evaluator, the planner, migrate and reconcile never overwrite it (see decideCategory in
 * manifest/categories.ts). The editor command and `actor-studio set-category` both call this.
 */

export interface SetCategoryRequest {
  actorId: string;
  filename: string;
  /** photorealistic, bw_stylized or color_stylized. */
  category: string;
}

export interface SetCategoryOutcome {
  category: TrainingCategory;
  /** What the entry said before. */
  previous: { category: Category; source?: CategorySource };
  /** The image's manifest entry as written. */
  entry: ImageEntry;
}

/** Throws an InputError unless `value` is one of the three training categories. */
export function parseTrainingCategory(value: unknown): TrainingCategory {
  if (!isTrainingCategory(value)) {
    throw new InputError(`category must be one of ${TRAINING_CATEGORIES.join(', ')}, not ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Sets an image's category as the user's choice, under the actor's lock (other fields, known or
 * not, are kept). The prompt's category stays in `prompt_category`. A `category_mismatch` in the
 * stored evaluation is settled by the user's choice, so it is taken out of the issues shown; the
 * evaluation was made against the prompt's category, so the next evaluation runs again for this
 * image (its cache key includes the declared category) and recomputes its quality.
 */
export async function setImageCategory(dataRoot: string, request: SetCategoryRequest, options: EntryChangeOptions = {}): Promise<SetCategoryOutcome> {
  const category = parseTrainingCategory(request.category);
  let previous: SetCategoryOutcome['previous'] = { category: 'unknown' };
  const entry = await changeImageEntry(
    dataRoot,
    request.actorId,
    request.filename,
    (image) => {
      previous = { category: image.category, ...(image.category_source ? { source: image.category_source as CategorySource } : {}) };
      const prompt = promptCategoryOf(image);
      if (prompt) {
        image.prompt_category = prompt;
      }
      image.category = category;
      image.category_source = 'user';
      const evaluation = image.evaluation;
      if (evaluation?.issues?.includes('category_mismatch')) {
        evaluation.issues = evaluation.issues.filter((issue) => issue !== 'category_mismatch');
        evaluation.reasons = (evaluation.reasons ?? []).filter((reason) => !reason.startsWith('category mismatch'));
      }
    },
    options,
  );
  return { category, previous, entry };
}

/** `Photorealistic (user)`, for messages. */
export function describeCategory(category: Category, source?: string): string {
  return `${CATEGORY_LABELS[category] ?? category}${source ? ` (${source})` : ''}`;
}
