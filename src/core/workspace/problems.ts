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
