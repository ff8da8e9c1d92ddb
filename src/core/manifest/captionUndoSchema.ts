import { z } from 'zod';
import { CAPTION_SOURCES } from './categories';
import { fileName, isoTimestamp, plainId } from './common';

/**
 * `<dataRoot>/action_plans/caption_undo.json`: the latest caption edits, newest last, each with
 * every image's stored caption before and after, so an undo puts back exactly what was there
 * (including "no stored caption": both fields absent). Ids are checked when read: they become paths.
 */

const storedCaption = z.looseObject({
  caption: z.string().optional(),
  caption_source: z.enum(CAPTION_SOURCES).optional(),
});

const captionEditRecord = z.looseObject({
  id: plainId,
  created_at: isoTimestamp,
  description: z.string().describe('What the edit did, e.g. prepend "ohwx,"'),
  changes: z
    .array(
      z.looseObject({
        actor_id: plainId,
        filename: fileName,
        before: storedCaption.describe('The stored caption fields before the edit; {} when the caption was seeded'),
        after: storedCaption.describe('The stored caption fields the edit wrote'),
      }),
    )
    .min(1),
});
export type CaptionEditRecord = z.infer<typeof captionEditRecord>;

export const captionUndoSchema = z
  .looseObject({
    schema_version: z.literal(1).default(1),
    edits: z.array(captionEditRecord).default([]).describe('Caption edits that can be undone, oldest first'),
  })
  .describe('Caption edits that can be undone (actor-studio captions --undo)');
export type CaptionUndoFile = z.infer<typeof captionUndoSchema>;
