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
import { launchChromium } from './browser';
import { runInExtensionHost } from './extensionHost';
import { printReport } from './report';
import { copyWorkspace, ensureResultsDir, interrupted, removeOnExit, repoRoot, runMain, Totals } from './util';

const SUITES = ['trusted', 'restricted'] as const;
type Suite = (typeof SUITES)[number];

interface Options {
  suites: Suite[];
  extensionPath: string;
  workspace: string;
}

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
      case '--extension':
        opts.extensionPath = path.resolve(value());
        break;
      case '--workspace':
        opts.workspace = path.resolve(value());
        break;
      default:
        throw new Error(`unknown argument '${argv[i]}'`);
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
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `actor-studio-it-${suite}-`));
  const unregisterTmp = removeOnExit(tmp);
  const workspace = copyWorkspace(opts.workspace, tmp);
  const reportFile = path.join(ensureResultsDir(), `integration-${suite}.json`);
  fs.rmSync(reportFile, { force: true });
  try {
    const { exitCode, logFile } = await runInExtensionHost(browser, {
      label: `integration-${suite}`,
      workspace,
      trusted: suite === 'trusted',
      testsEntry,
      extensionPath: opts.extensionPath,
      env: { ACTOR_STUDIO_TEST_SUITE: suite, ACTOR_STUDIO_TEST_REPORT: reportFile, ACTOR_STUDIO_TEST_WORKSPACE: workspace },
    });
    return printReport(suite, reportFile, exitCode, `see ${path.relative(repoRoot, logFile)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    unregisterTmp();
  }
}

async function main(): Promise<Totals> {
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
  return totals;
}

runMain('integration runner', main);
