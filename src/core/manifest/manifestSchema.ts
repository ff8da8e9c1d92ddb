import { z } from 'zod';
import { CAPTION_SOURCES, CATEGORY_SOURCES, TRAINING_CATEGORIES } from './categories';
import { category, fileName, isoTimestamp, parameters, sha256Hex, urlString } from './common';

export const MANIFEST_SCHEMA_VERSION = 1;

export const actorMetadataSchema = z.looseObject({
  id: z.string().optional().describe('Actor id, e.g. 0000_european_16_male'),
  display_name: z.string().optional(),
  ethnicity: z.string().optional(),
  age: z.number().int().min(0).max(150).optional(),
  sex: z.string().optional().describe('male, female, or anything else (descriptor "person")'),
  descriptor: z.string().optional().describe('Overrides the word prompts use for the subject'),
  type: z.string().optional().describe('Actor type, "human" by default'),
});

export const baseImageSchema = z.looseObject({
  filename: fileName.optional().describe("File name in base_image/; the old tool's entries name the file by moved_to or relative_path instead"),
  moved_to: z.string().optional().describe("The old tool's path of the base image: used inside the data folder only, else its file name in base_image/"),
  relative_path: z.string().optional().describe("The old tool's path of the base image, from the actor folder"),
  sha256: sha256Hex.optional(),
  size: z.number().int().min(0).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  added_at: isoTimestamp.optional(),
});

export const ratingSchema = z.looseObject({
  stars: z.number().int().min(1).max(5).describe('1 to 5 stars'),
  feedback: z.string().optional(),
  rated_at: isoTimestamp.optional(),
});

export const visionJudgementSchema = z.looseObject({
  model: z.string(),
  category,
  quality: z.number(),
  issues: z.array(z.string()),
  keep: z.boolean(),
  reason: z.string(),
  caption: z.string().optional(),
});

export const evaluationSchema = z.looseObject({
  evaluator: z.string().optional(),
  config: z.string().optional().describe('Fingerprint of the thresholds the evaluation was made with'),
  sha256: sha256Hex.optional().describe('Content hash the evaluation was made for'),
  category: category.optional().describe('The category decided by the category rule from the declared category, the pixels and the vision model'),
  category_source: z.enum(CATEGORY_SOURCES).optional().describe('Who decided that category'),
  tone: z.enum(['grey', 'colour']).optional().describe('Grey or colour pixels (absent when the file could not be decoded)'),
  declared: z
    .looseObject({ category: z.enum(TRAINING_CATEGORIES), source: z.enum(['prompt', 'user']) })
    .optional()
    .describe("The prompt's or the user's category the image was judged against; another one evaluates the image again"),
  quality: z.number().optional(),
  issues: z.array(z.string()).optional(),
  reasons: z.array(z.string()).optional(),
  duplicate_of: z.string().optional().describe('The image this one duplicates (kept instead)'),
  identity_distance: z.number().nullable().optional(),
  centroid_distance: z.number().nullable().optional().describe('Face distance to the centroid of the other accepted faces of the set'),
  face: z
    .looseObject({
      distance: z.number().nullable(),
      no_face: z.boolean(),
      base_sha256: sha256Hex,
      score: z.number().nullable().optional(),
      face_pixels: z.number().nullable().optional(),
      yaw: z.number().nullable().optional(),
      base_yaw: z.number().nullable().optional(),
      descriptor: z.array(z.number()).nullable().optional(),
    })
    .optional()
    .describe('The face comparison with the base image of that hash, kept so it runs once per pair'),
  vision: visionJudgementSchema.optional().describe("The vision model's answer, kept so it is paid for once"),
  evaluated_at: isoTimestamp.optional(),
});

/** A person's decision on an image that needed review (a face the checks could not score). */
export const reviewSchema = z.looseObject({
  decision: z.enum(['keep']).describe('keep: stays in the set; deleting goes through Delete Image (the trash)'),
  at: isoTimestamp,
});

export const imageEntrySchema = z.looseObject({
  filename: fileName,
  review: reviewSchema.optional().describe("A person's decision on an image that needed review"),
  index: z.number().int().min(0).optional().describe('The number in <actorId>_<n>; never reused'),
  category: category.default('unknown'),
  category_source: z
    .enum(CATEGORY_SOURCES)
    .optional()
    .describe('Who decided the category: prompt (generation), vision (vision model), local (grey pixels), user (Set Category; never overwritten)'),
  prompt_category: z
    .enum(TRAINING_CATEGORIES)
    .optional()
    .describe('The category of the prompt the image was generated from, kept when the image counts in another category'),
  source: z.enum(['generated', 'imported', 'manual']).optional(),
  prompt_id: z.string().nullable().optional().describe("The library prompt it was generated from; null for a prompt of the user's own (its text is `prompt`)"),
  prompt: z.string().nullable().optional(),
  base_image: fileName.optional().describe("The file of base_image/ it was generated from, when not the actor's base image"),
  model: z.string().nullable().optional(),
  parameters: parameters.optional(),
  prediction_id: z.string().optional().describe('Provider-side id of the prediction that made the image'),
  duration_ms: z.number().min(0).optional().describe('How long the generation took'),
  seed: z.number().int().nullable().optional(),
  created_at: isoTimestamp.optional(),
  updated_at: isoTimestamp.optional(),
  s3_key: z.string().nullable().optional(),
  s3_url: urlString.nullable().optional(),
  sha256: sha256Hex.optional(),
  size: z.number().int().min(0).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  rating: ratingSchema.nullable().optional(),
  caption: z
    .string()
    .optional()
    .describe('The training caption; [trigger] stands for the trigger word chosen at export. Absent: seeded from the vision caption or the prompt'),
  caption_source: z.enum(CAPTION_SOURCES).optional().describe('Where the stored caption came from: user (edited), vision, prompt or category (seeded)'),
  evaluation: evaluationSchema.nullable().optional(),
});

/** The evaluation made for the entry's current bytes, or undefined (none, or made for other bytes). */
export function currentEvaluation(entry: ImageEntryShape): z.infer<typeof evaluationSchema> | undefined {
  const evaluation = entry.evaluation ?? undefined;
  return evaluation && !(evaluation.sha256 && entry.sha256 && evaluation.sha256 !== entry.sha256) ? evaluation : undefined;
}
type ImageEntryShape = Pick<z.infer<typeof imageEntrySchema>, 'evaluation' | 'sha256'>;

export const generationSchema = z.looseObject({
  id: z.string(),
  created_at: isoTimestamp.optional(),
  model: z.string().optional(),
  run_id: z.string().optional(),
  images: z.array(fileName).default([]),
});

export const manifestSchema = z
  .looseObject({
    schema_version: z.literal(MANIFEST_SCHEMA_VERSION).default(MANIFEST_SCHEMA_VERSION),
    actor: actorMetadataSchema.default({}),
    base_images: z.array(baseImageSchema).default([]),
    images: z.array(imageEntrySchema).default([]),
    generations: z.array(generationSchema).default([]),
    highest_index: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Highest image number ever given out for this actor; numbers are never reused, even after deletion'),
  })
  .describe('Actor Studio manifest: the per-actor source of truth for its training images');

export type Manifest = z.infer<typeof manifestSchema>;
export type ImageEntry = z.infer<typeof imageEntrySchema>;
export type BaseImageEntry = z.infer<typeof baseImageSchema>;
export type ActorMetadata = z.infer<typeof actorMetadataSchema>;
