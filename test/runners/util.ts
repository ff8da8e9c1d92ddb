// Small helpers shared by the runners: repo paths, cleanup on any exit, timeouts.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** Repo root: this file compiles to out/test/runners/util.js. */
export const repoRoot = findRepoRoot(__dirname);
export const resultsDir = path.join(repoRoot, 'test-results');

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export function ensureResultsDir(): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  return resultsDir;
}

type Cleanup = () => void | Promise<void>;
const cleanups = new Set<Cleanup>();
const syncCleanups = new Set<() => void>();
let handlersInstalled = false;
let interruptedBy: string | undefined;

/** Set once SIGINT/SIGTERM arrived: loops stop starting new work. */
export const interrupted = () => interruptedBy !== undefined;

/**
 * Registers async cleanup (run on SIGINT/SIGTERM and by runCleanups) and a
 * synchronous last resort (kill -9, rmSync) run on process exit for anything
 * still registered then. Returns a function that unregisters both.
 */
export function onCleanup(cleanup: Cleanup, syncCleanup?: () => void): () => void {
  installHandlers();
  cleanups.add(cleanup);
  if (syncCleanup) syncCleanups.add(syncCleanup);
  return () => {
    cleanups.delete(cleanup);
    if (syncCleanup) syncCleanups.delete(syncCleanup);
  };
}

/** Registers a temp dir for removal on any exit; returns the unregister function. */
export function removeOnExit(dir: string): () => void {
  const rm = () => fs.rmSync(dir, { recursive: true, force: true });
  return onCleanup(rm, rm);
}

export async function runCleanups(): Promise<void> {
  const all = [...cleanups].reverse();
  cleanups.clear();
  for (const c of all) {
    try {
      await c();
    } catch (err) {
      console.error('cleanup failed:', err);
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const c of [...syncCleanups].reverse()) {
      try {
        c();
      } catch {
        /* already gone */
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      interruptedBy = signal;
      console.error(`\n${signal}: stopping child processes`);
      // Hard deadline so a stuck cleanup never keeps the terminal hostage.
      setTimeout(() => process.exit(130), 10_000).unref();
      void runCleanups().finally(() => process.exit(130));
    });
  }
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (timed out after ${Math.round(ms / 1000)} s)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Copies a workspace folder to a fresh temp dir so tests may mutate it. */
export function copyWorkspace(source: string, tmpRoot: string): string {
  const dest = path.join(tmpRoot, path.basename(source) || 'workspace');
  if (fs.existsSync(source)) {
    fs.cpSync(source, dest, { recursive: true });
  } else {
    console.warn(`warning: workspace ${source} does not exist; using an empty folder`);
    fs.mkdirSync(dest, { recursive: true });
  }
  return dest;
}

// A real dynamic import(): with module=commonjs tsc would turn import() into require(),
// which cannot load the ESM setup script on every Node 20.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** Path of the cached code-server, installing it on first use (scripts/lib/setup.mjs). */
export async function codeServerExecutable(): Promise<string> {
  if (process.env.ACTOR_STUDIO_CODE_SERVER) return process.env.ACTOR_STUDIO_CODE_SERVER;
  const setup = await importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'setup.mjs')).href);
  return setup.ensureCodeServer();
}

export interface Totals {
  passed: number;
  failed: number;
}

/** The closing line CI reads; exactly `N passed, N failed`. */
export function printTotals(t: Totals): void {
  console.log(`${t.passed} passed, ${t.failed} failed`);
}

/**
 * Runs a runner's main(): prints its totals, and on a crash a failure line CI can read; cleans
 * up (servers, temp folders) and exits with the code main() returned.
 */
export function runMain(name: string, main: () => Promise<Totals>): void {
  main()
    .then((totals) => {
      printTotals(totals);
      return totals.failed > 0 || totals.passed === 0 ? 1 : 0;
    })
    .catch((err) => {
      console.error(`${name} failed: ${(err as Error).stack ?? err}`);
      printTotals({ passed: 0, failed: 1 });
      return 1;
    })
    .then(async (code) => {
      await runCleanups();
      process.exit(code);
    });
}
