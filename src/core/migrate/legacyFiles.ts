import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { validateJsonText } from '../manifest/jsonFile';
import { isInside } from '../workspace/guards';

/** Where migration reads: the data folder and its real path (links out of it are not followed). */
export interface DataFolder {
  dataRoot: string;
  realRoot: string;
}

/** Paths in the report are relative to the data folder, with forward slashes. */
export function rel(context: { dataRoot: string }, file: string): string {
  return path.relative(context.dataRoot, file).split(path.sep).join('/');
}

export type ReadJson<T> = { state: 'missing' } | { state: 'ok'; value: T; text: string; bytes: Buffer } | { state: 'invalid'; where: string; reason: string };

/** Reads a JSON file inside the data folder only, with problems located (`file:line:column`). */
export async function readJson<T>(context: DataFolder, file: string, schema: z.ZodType<T>): Promise<ReadJson<T>> {
  let bytes: Buffer;
  try {
    const real = await fs.realpath(file);
    if (!isInside(context.realRoot, real)) {
      return { state: 'invalid', where: rel(context, file), reason: 'links outside the data folder and was not read' };
    }
    bytes = await fs.readFile(real);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return missing ? { state: 'missing' } : { state: 'invalid', where: rel(context, file), reason: `cannot be read: ${(error as Error).message}` };
  }
  const text = bytes.toString('utf8');
  const result = validateJsonText(text, schema);
  if (!result.ok) {
    const [problem] = result.problems;
    return { state: 'invalid', where: `${rel(context, file)}:${problem.line + 1}:${problem.column + 1}`, reason: problem.message };
  }
  return { state: 'ok', value: result.value, text, bytes };
}
