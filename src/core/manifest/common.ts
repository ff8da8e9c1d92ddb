import { z } from 'zod';
import { CATEGORIES } from './categories';
import { PLAIN_NAME } from '../workspace/plainName';

/**
 * A bare file name inside the folder it belongs to: no separators, not `.` or `..`, so a
 * hand-edited manifest can never point outside the data folder.
 */
export const fileName = z
  .string()
  .min(1)
  .regex(PLAIN_NAME, 'must be a plain file name inside its folder, not a path')
  .describe('File name inside its folder (no directories)');

/**
 * An id that becomes one path segment (an actor id, a run id): checked when the file is read, so
 * a hand-edited journal, plan or queue never reaches a path with `..` or a separator in it.
 */
export const plainId = z.string().regex(PLAIN_NAME, 'must be a plain name (a folder or file name), not a path').describe('Id used as a folder or file name');

export const isoTimestamp = z.string().describe('ISO 8601 timestamp');

export const category = z.enum(CATEGORIES).describe('Image category; "unknown" until classified');

export const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (sha256)')
  .describe('sha256 of the file bytes, hex');

/** S3 URLs are stored as plain strings; the old tool stored whole response objects by mistake. */
export const urlString = z.string().describe('Plain URL string');

export const parameters = z.looseObject({}).describe('Model parameters as sent');
