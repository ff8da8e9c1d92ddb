// Runs the integration suites (out/test/integration/<suite>/**/*.test.js) inside
// the real extension host of code-server, driven by headless Chromium.
//
//   node out/test/runners/integration.js [--suite trusted|restricted]... [--extension DIR] [--workspace DIR]
//
// Needs `npm run build` (dist/extension.js) and `npm run compile-tests` (out/) first.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { launchChromium, newWorkbenchPage } from './browser';
import { startCodeServer } from './codeServer';
import { printReport } from './report';
import {
  copyWorkspace, ensureResultsDir, interrupted, printTotals, removeOnExit, repoRoot, runCleanups, Totals, withTimeout,
} from './util';

const SUITES = ['trusted', 'restricted'] as const;
type Suite = (typeof SUITES)[number];
const RUN_TIMEOUT_MS = 5 * 60_000;

interface Options { suites: Suite[]; extensionPath: string; workspace: string }

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    suites: [],
    extensionPath: process.env.ACTOR_STUDIO_EXTENSION_PATH ?? repoRoot,
    workspace: path.join(repoRoot, 'sample'),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--suite': {
        const s = value();
        if (!SUITES.includes(s as Suite)) throw new Error(`unknown suite '${s}' (expected ${SUITES.join(' or ')})`);
        opts.suites.push(s as Suite);
        break;
      }
      case '--extension': opts.extensionPath = path.resolve(value()); break;
      case '--workspace': opts.workspace = path.resolve(value()); break;
      default: throw new Error(`unknown argument '${argv[i]}'`);
    }
  }
  if (opts.suites.length === 0) opts.suites = [...SUITES];
  return opts;
}

/** Fails early with the command to run, instead of a 5-minute wait on a broken extension host. */
function checkPrerequisites(opts: Options, testsEntry: string): void {
  if (!fs.existsSync(testsEntry)) throw new Error(`${testsEntry} missing: run \`npm run compile-tests\` first`);
  const manifest = JSON.parse(fs.readFileSync(path.join(opts.extensionPath, 'package.json'), 'utf8'));
  const main = manifest.main && path.join(opts.extensionPath, manifest.main);
  if (main && !fs.existsSync(main) && !fs.existsSync(`${main}.js`)) {
    throw new Error(`${main} missing: run \`npm run build\` first`);
  }
}

async function runSuite(browser: Browser, suite: Suite, opts: Options, testsEntry: string): Promise<Totals> {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `actor-studio-it-${suite}-`));
  const unregisterTmp = removeOnExit(tmp);
  const workspace = copyWorkspace(opts.workspace, tmp);
  const reportFile = path.join(ensureResultsDir(), `integration-${suite}.json`);
  fs.rmSync(reportFile, { force: true });

  const server = await startCodeServer({
    workspace,
    trusted: suite === 'trusted',
    logName: `code-server-integration-${suite}`,
    env: {
      ACTOR_STUDIO_TEST_SUITE: suite,
      ACTOR_STUDIO_TEST_REPORT: reportFile,
      ACTOR_STUDIO_TEST_WORKSPACE: workspace,
    },
  });
  console.log(`[${suite}] code-server up on ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${path.relative(repoRoot, server.logFile)})`);
  const { context, page } = await newWorkbenchPage(browser, server.logFile);
  let exitCode: number | undefined;
  try {
    // The workbench calls window.codeAutomationExit(code) when the extension host exits after run();
    // it must be defined before the page loads.
    let resolveExit: (code: number) => void = () => undefined;
    const automationExit = new Promise<number>((resolve) => { resolveExit = resolve; });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(opts.extensionPath)],
      ['extensionTestsPath', remote(testsEntry)],
    ];
    const query = new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) });
    await page.goto(`${server.url}/?${query}`, { timeout: 60_000 });
    const serverDied = server.exited.then((c) => { throw new Error(`code-server exited (${c}) during the run`); });
    exitCode = await withTimeout(Promise.race([automationExit, serverDied]), RUN_TIMEOUT_MS,
      `suite '${suite}': extension host did not finish`);
    console.log(`[${suite}] extension host exited with ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const shot = path.join(ensureResultsDir(), `integration-${suite}-failure.png`);
    await page.screenshot({ path: shot }).catch(() => undefined);
    console.error(`[${suite}] ${(err as Error).message} (screenshot: ${path.relative(repoRoot, shot)})`);
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    unregisterTmp();
  }
  return printReport(suite, reportFile, exitCode, `see ${path.relative(repoRoot, server.logFile)}`);
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const testsEntry = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
  checkPrerequisites(opts, testsEntry);
  const browser = await launchChromium();
  const totals: Totals = { passed: 0, failed: 0 };
  try {
    for (const suite of opts.suites) {
      if (interrupted()) break;
      const t = await runSuite(browser, suite, opts, testsEntry);
      totals.passed += t.passed;
      totals.failed += t.failed;
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
  printTotals(totals);
  return totals.failed > 0 || totals.passed === 0 ? 1 : 0;
}

main()
  .catch((err) => {
    console.error(`integration runner failed: ${(err as Error).stack ?? err}`);
    printTotals({ passed: 0, failed: 1 });
    return 1;
  })
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  });
