// Second runner: the same integration suites in desktop VS Code, through
// @vscode/test-electron, for machines that can download VS Code (not this one).
//
//   node out/test/runners/electron.js [--suite trusted|restricted]...
//   (headless Linux: xvfb-run -a node out/test/runners/electron.js)
//
// trusted: runTests(), which always passes --disable-workspace-trust.
// restricted: runTests() cannot drop that flag, so VS Code (downloaded by the same
// cache) is spawned with the same arguments minus it, and a fresh profile whose
// settings keep Workspace Trust on. In a test run the trust dialog is refused,
// so the folder stays in Restricted Mode, as with code-server.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { downloadAndUnzipVSCode, runTests, TestRunFailedError } from '@vscode/test-electron';
import { printReport } from './report';
import { copyWorkspace, ensureResultsDir, interrupted, onCleanup, removeOnExit, repoRoot, runMain, Totals, withTimeout } from './util';

const VSCODE_VERSION = process.env.ACTOR_STUDIO_VSCODE_VERSION ?? '1.100.3'; // matches engines.vscode and code-server
const SUITES = ['trusted', 'restricted'] as const;
type Suite = (typeof SUITES)[number];
const RUN_TIMEOUT_MS = 10 * 60_000;
const cachePath = path.join(repoRoot, '.vscode-test'); // gitignored, as test-electron's default
/** A local VS Code instead of a download (e.g. /usr/share/code/code). */
const localExecutable = process.env.ACTOR_STUDIO_VSCODE_EXECUTABLE;

const vscodeExecutable = async () => localExecutable ?? downloadAndUnzipVSCode({ version: VSCODE_VERSION, cachePath });

const extensionDevelopmentPath = repoRoot;
const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');

async function runSuite(suite: Suite): Promise<Totals> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `actor-studio-electron-${suite}-`));
  const unregisterTmp = removeOnExit(tmp);
  const workspace = copyWorkspace(path.join(repoRoot, 'sample'), tmp);
  const reportFile = path.join(ensureResultsDir(), `integration-electron-${suite}.json`);
  fs.rmSync(reportFile, { force: true });
  const extensionTestsEnv = {
    ACTOR_STUDIO_TEST_SUITE: suite,
    ACTOR_STUDIO_TEST_REPORT: reportFile,
    ACTOR_STUDIO_TEST_WORKSPACE: workspace,
  };
  const profileArgs = writeProfile(tmp, suite === 'trusted');
  // runTests() gives no handle on VS Code: find it by its unique profile path to kill it.
  const killVsCode = () => killProcessesMentioning(tmp);
  const unregisterKill = onCleanup(killVsCode, killVsCode);
  let exitCode: number | undefined;
  try {
    const run =
      suite === 'trusted'
        ? runTests({
            vscodeExecutablePath: await vscodeExecutable(),
            extensionDevelopmentPath,
            extensionTestsPath,
            launchArgs: [workspace, '--disable-extensions', ...profileArgs],
            extensionTestsEnv,
          }).catch((err) => {
            if (err instanceof TestRunFailedError) return err.code ?? 1; // VS Code ran; the report tells why
            throw err;
          })
        : runRestricted(workspace, profileArgs, extensionTestsEnv);
    exitCode = await withTimeout(run, RUN_TIMEOUT_MS, `suite '${suite}': VS Code did not exit`);
  } catch (err) {
    console.error(`[${suite}] ${(err as Error).message}`);
  } finally {
    killVsCode();
    unregisterKill();
    fs.rmSync(tmp, { recursive: true, force: true });
    unregisterTmp();
  }
  return printReport(suite, reportFile, exitCode, 'see the VS Code output above');
}

/** A throw-away profile with quiet settings; returns the VS Code arguments that select it. */
function writeProfile(tmp: string, trusted: boolean): string[] {
  const userDataDir = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': !trusted,
        'security.workspace.trust.startupPrompt': 'never',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'workbench.startupEditor': 'none',
        'extensions.autoUpdate': false,
      },
      null,
      2,
    ),
  );
  return [`--user-data-dir=${userDataDir}`, `--extensions-dir=${path.join(tmp, 'extensions')}`];
}

/** Desktop VS Code with Workspace Trust on: what runTests() does, minus --disable-workspace-trust. */
async function runRestricted(workspace: string, profileArgs: string[], env: Record<string, string>): Promise<number> {
  const executable = await vscodeExecutable();
  const args = [
    workspace,
    '--disable-extensions',
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--disable-updates',
    '--skip-welcome',
    '--skip-release-notes',
    `--extensionDevelopmentPath=${extensionDevelopmentPath}`,
    `--extensionTestsPath=${extensionTestsPath}`,
    ...profileArgs,
  ];
  const child = spawn(executable, args, { env: { ...process.env, ...env }, stdio: 'inherit' });
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Linux: SIGKILL, by pid, the processes whose command line contains `marker` (a unique temp path). */
function killProcessesMentioning(marker: string): void {
  if (process.platform !== 'linux') return;
  for (const pid of fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)) {
    if (pid === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) process.kill(pid, 'SIGKILL');
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
}

async function main(): Promise<Totals> {
  const argv = process.argv.slice(2);
  const requested = argv.flatMap((a, i) => (a === '--suite' ? [argv[i + 1] ?? ''] : []));
  const bad = requested.filter((s) => !SUITES.includes(s as Suite));
  if (bad.length) throw new Error(`unknown suite(s): ${bad.join(', ')}`);
  const suites = requested.length ? (requested as Suite[]) : [...SUITES];
  if (!fs.existsSync(extensionTestsPath)) throw new Error(`${extensionTestsPath} missing: run \`npm run compile-tests\` first`);
  const totals: Totals = { passed: 0, failed: 0 };
  for (const suite of suites) {
    if (interrupted()) break;
    const t = await runSuite(suite);
    totals.passed += t.passed;
    totals.failed += t.failed;
  }
  return totals;
}

runMain('electron runner', main);
