import { promises as fs } from 'node:fs';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { z } from 'zod';
import { isInside } from '../workspace/guards';
import { JsonProblem, lineAndColumn, validateJsonText } from './jsonFile';
import type { DataProblem, Severity } from '../workspace/problems';

/** An optional data file: absent (fine), read and valid, or unusable with located problems. */
export type OptionalJson<T> = { state: 'missing' } | { state: 'ok'; value: T; text: string } | { state: 'invalid'; problems: DataProblem[] };

/**
 * Reads and validates a JSON file that may not exist. A link leading out of the data folder is
 * reported and never followed, like every other read of the data folder.
 */
export async function readOptionalJson<T>(dataRoot: string, file: string, schema: z.ZodType<T>): Promise<OptionalJson<T>> {
  let text: string;
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(dataRoot), fs.realpath(file)]);
    if (!isInside(realRoot, realFile)) {
      return invalid(file, 'links outside the data folder and is ignored.');
    }
    text = await fs.readFile(realFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { state: 'missing' };
    }
    return invalid(file, `cannot read the file: ${(error as Error).message}`);
  }
  const result = validateJsonText(text, schema);
  if (!result.ok) {
    return { state: 'invalid', problems: result.problems.map((problem) => toDataProblem(file, problem, 'error')) };
  }
  return { state: 'ok', value: result.value, text: result.text };
}

export function toDataProblem(file: string, problem: JsonProblem, severity: Severity): DataProblem {
  return { file, severity, message: problem.message, line: problem.line, column: problem.column, length: problem.length };
}

/**
 * A problem found after validation (a rule the schema cannot express), underlined at the value
 * at `location` in `text`, or at the whole document when that value does not exist.
 */
export function problemAt(file: string, text: string, location: ReadonlyArray<string | number>, message: string, severity: Severity): DataProblem {
  const root = parseTree(text);
  const node = root && findNodeAtLocation(root, [...location]);
  const offset = node?.offset ?? 0;
  const { line, column } = lineAndColumn(text, offset);
  return { file, severity, message, line, column, length: node?.length ?? 0 };
}

function invalid(file: string, message: string): OptionalJson<never> {
  return { state: 'invalid', problems: [{ file, severity: 'error', message }] };
}
