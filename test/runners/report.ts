// Reads the JSON report written by test/integration/index.ts and prints it.
import * as fs from 'fs';
import * as path from 'path';
import type { IntegrationReport } from '../integration/index';
import { repoRoot, Totals } from './util';

const rel = (p: string) => path.relative(repoRoot, p);
const indent = (s: string) =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/**
 * Prints each test of one suite. Anything off (no report, no tests, an unfinished
 * run, a non-zero exit without a failed test) counts as one more failure.
 * `exitCode` is undefined when the run did not finish.
 */
export function printReport(suite: string, reportFile: string, exitCode: number | undefined, logHint: string): Totals {
  if (!fs.existsSync(reportFile)) {
    console.log(`✗ [${suite}] no report written to ${rel(reportFile)}; ${logHint}`);
    return { passed: 0, failed: 1 };
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as IntegrationReport;
  for (const t of report.passes) console.log(`✓ [${suite}] ${t.fullTitle} (${t.duration ?? 0} ms)`);
  for (const t of report.pending) console.log(`- [${suite}] ${t.fullTitle} (pending)`);
  for (const t of report.failures) {
    console.log(`✗ [${suite}] ${t.fullTitle}`);
    const { message, stack } = t.err;
    console.log(indent(stack && stack.includes(message) ? stack : `${message}\n${stack ?? ''}`));
  }
  const totals = { passed: report.passes.length, failed: report.failures.length };
  if (totals.passed + totals.failed === 0) {
    console.log(`✗ [${suite}] no tests ran; ${logHint}`);
    totals.failed++;
  } else if (exitCode === undefined) {
    console.log(`✗ [${suite}] the run did not finish; ${logHint}`);
    totals.failed++;
  } else if (exitCode !== 0 && totals.failed === 0) {
    console.log(`✗ [${suite}] extension host exited with ${exitCode} although no test failed; ${logHint}`);
    totals.failed++;
  }
  return totals;
}
