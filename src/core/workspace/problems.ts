import * as path from 'node:path';

export type Severity = 'error' | 'warning' | 'info';

/** Something wrong with a file of the data folder, located where possible. */
export interface DataProblem {
  file: string;
  message: string;
  severity: Severity;
  /** Zero-based position in `file`, when the problem is inside a text file. */
  line?: number;
  column?: number;
  length?: number;
}

/** `file:line:column: severity: message`, the shape editors and CI logs link; paths relative to `cwd`. */
export function formatProblem(cwd: string, problem: DataProblem): string {
  const where = problem.line !== undefined ? `:${problem.line + 1}:${(problem.column ?? 0) + 1}` : '';
  return `${path.relative(cwd, problem.file) || '.'}${where}: ${problem.severity}: ${problem.message}`;
}
