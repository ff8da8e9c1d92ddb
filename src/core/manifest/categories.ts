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
