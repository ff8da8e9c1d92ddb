// Entry point VS Code's extension host calls as extensionTestsPath (code-server
// payload or @vscode/test-electron). Runs one suite folder with mocha and writes
// a JSON report the runner reads, rather than trusting the exit code alone.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

interface ReportTest {
  title: string;
  fullTitle: string;
  duration?: number;
  file?: string;
}
interface ReportFailure extends ReportTest {
  err: { message: string; stack?: string };
}
export interface IntegrationReport {
  suite: string;
  passes: ReportTest[];
  failures: ReportFailure[];
  pending: ReportTest[];
  stats: { suites: number; tests: number; passes: number; failures: number; pending: number; start?: Date | string; end?: Date | string; duration?: number };
}

function findTestFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return findTestFiles(full);
      return e.isFile() && e.name.endsWith('.test.js') ? [full] : [];
    })
    .sort();
}

function writeReport(file: string | undefined, report: IntegrationReport): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
}

export async function run(): Promise<void> {
  const suite = process.env.ACTOR_STUDIO_TEST_SUITE || 'trusted';
  const reportFile = process.env.ACTOR_STUDIO_TEST_REPORT;
  const files = findTestFiles(path.join(__dirname, suite));
  const report: IntegrationReport = {
    suite,
    passes: [],
    failures: [],
    pending: [],
    stats: { suites: 0, tests: 0, passes: 0, failures: 0, pending: 0 },
  };
  if (files.length === 0) {
    const message = `no compiled tests in ${path.join(__dirname, suite)} (run: npm run compile-tests)`;
    report.failures.push({ title: 'load tests', fullTitle: 'load tests', err: { message } });
    report.stats.failures = 1;
    writeReport(reportFile, report);
    throw new Error(message);
  }

  // ACTOR_STUDIO_TEST_GREP runs only the tests whose full title matches (while working on one suite).
  const grep = process.env.ACTOR_STUDIO_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  files.forEach((f) => mocha.addFile(f));

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((count) => resolve(count));
      const entry = (t: Mocha.Runnable): ReportTest => ({
        title: t.title,
        fullTitle: t.fullTitle(),
        duration: t.duration,
        file: t.file,
      });
      runner.on('pass', (t) => report.passes.push(entry(t)));
      runner.on('pending', (t) => report.pending.push(entry(t)));
      // Also fires for failing hooks, whose title says which hook.
      runner.on('fail', (t, err: Error) => {
        report.failures.push({ ...entry(t), err: { message: String(err?.message ?? err), stack: err?.stack } });
      });
      runner.on('end', () => {
        report.stats = { ...report.stats, ...runner.stats };
        // runner.stats counts hook failures too; keep the record self-consistent.
        report.stats.passes = report.passes.length;
        report.stats.failures = report.failures.length;
        writeReport(reportFile, report);
      });
    } catch (err) {
      // A test file that throws while loading lands here.
      const e = err as Error;
      report.failures.push({ title: 'load tests', fullTitle: 'load tests', err: { message: e.message, stack: e.stack } });
      report.stats.failures = report.failures.length;
      writeReport(reportFile, report);
      reject(err);
    }
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed in suite '${suite}'`);
}
