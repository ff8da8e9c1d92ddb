import * as path from 'node:path';
import type { DataProblem } from './problems';

/** `file:line:column: severity: message`, the shape editors and CI logs link; paths relative to `cwd`. */
export function formatProblem(cwd: string, problem: DataProblem): string {
  const where = problem.line !== undefined ? `:${problem.line + 1}:${(problem.column ?? 0) + 1}` : '';
  return `${path.relative(cwd, problem.file) || '.'}${where}: ${problem.severity}: ${problem.message}`;
}
