// Starts code-server (VS Code 1.100 served to a browser) on 127.0.0.1 with a
// throw-away profile, for the integration and e2e runners.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { codeServerExecutable, ensureResultsDir, interrupted, onCleanup, sleep } from './util';

export interface CodeServerOptions {
  /** Folder opened in the workbench. */
  workspace: string;
  /** true: workspace trust is switched off (folder trusted); false: Restricted Mode. */
  trusted: boolean;
  /** Extensions folder to use (kept on stop); default a temp folder (removed on stop). */
  extensionsDir?: string;
  /** A .vsix installed into the extensions folder before the server starts. */
  installVsix?: string;
  /** Extra environment for the server and so for its extension host. */
  env?: Record<string, string>;
  /** Base name of the log file under test-results/. */
  logName?: string;
  /** User settings besides the quiet defaults (the e2e accessibility scenarios set the theme). */
  settings?: Record<string, unknown>;
}

export interface CodeServer {
  url: string;
  port: number;
  logFile: string;
  /** Resolves when the server process exits (with its exit code, or the signal name). */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 120_000;

/** User settings that keep startup quiet: no welcome page, walkthroughs, release notes, telemetry, updates. */
function userSettings(trusted: boolean): Record<string, unknown> {
  return {
    'security.workspace.trust.enabled': !trusted,
    'security.workspace.trust.startupPrompt': 'never',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.settings.enableNaturalLanguageSearch': false,
    'window.restoreWindows': 'none',
    'git.openRepositoryInParentFolders': 'never',
    'git.autoRepositoryDetection': false,
    'npm.fetchOnlinePackageInfo': false,
    'chat.commandCenter.enabled': false,
  };
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const exe = await codeServerExecutable();
  if (interrupted()) throw new Error('interrupted');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-cs-'));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...userSettings(opts.trusted), ...opts.settings }, null, 2));

  const port = await freePort();
  const logFile = path.join(ensureResultsDir(), `${opts.logName ?? `code-server-${port}`}.log`);
  // Append mode: the browser's console lines are appended to the same file meanwhile.
  fs.writeFileSync(logFile, '');
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Keep code-server's own config.yaml and state out of the user's home.
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    XDG_DATA_HOME: path.join(tmp, 'data'),
    // No extension gallery: nothing should go to the internet.
    EXTENSIONS_GALLERY: '{}',
    ...opts.env,
  };
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', path.join(tmp, 'config.yaml')];

  if (opts.installVsix) {
    const res = spawnSync(exe, [...common, '--install-extension', path.resolve(opts.installVsix)], {
      env,
      encoding: 'utf8',
      timeout: INSTALL_TIMEOUT_MS,
    });
    log.write(`$ code-server --install-extension ${opts.installVsix}\n${res.stdout}${res.stderr}\n`);
    if (res.status !== 0 || !/was successfully installed/.test(res.stdout + res.stderr)) {
      log.end();
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`installing ${opts.installVsix} failed (exit ${res.status ?? res.signal}):\n${res.stdout}${res.stderr}`);
    }
  }

  const args = [
    ...common,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    opts.workspace,
  ];
  log.write(`$ ${exe} ${args.join(' ')}\n`);
  // Own process group, so stop() can kill code-server together with its extension hosts.
  const child = spawn(exe, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => {
      log.write(`spawn error: ${err.message}\n`);
      resolve('spawn-error');
    });
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    unregister();
    await killGroup(child, exited);
    await new Promise<void>((resolve) => log.end(resolve));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const unregister = onCleanup(stop, () => {
    killGroupNow(child, 'SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, exited, START_TIMEOUT_MS);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; see ${logFile}`);
  }
  return { url, port, logFile, exited, stop };
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, exited: Promise<number | string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | string | undefined;
  void exited.then((c) => {
    exitCode = c;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`code-server exited (${exitCode}) before answering`);
    if (await httpOk(url)) return;
    await sleep(100);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000} s`);
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function killGroupNow(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* group already gone */
  }
}

/** SIGTERM to the whole group, SIGKILL after 5 s. */
async function killGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined) return;
  killGroupNow(child, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  // Extension hosts may outlive the server by a moment: always sweep the group.
  killGroupNow(child, 'SIGKILL');
  if (!done) await Promise.race([exited, sleep(2_000)]);
}
