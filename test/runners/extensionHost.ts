// Runs an extensionTestsPath entry inside code-server's real extension host, driven by
// Chromium, the way @vscode/test-electron runs it on the desktop (see TESTBED.md).
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { newWorkbenchPage } from './browser';
import { startCodeServer } from './codeServer';
import { ensureResultsDir, repoRoot, withTimeout } from './util';

const RUN_TIMEOUT_MS = 5 * 60_000;

export interface ExtensionHostRun {
  /** Names the log file and the messages. */
  label: string;
  workspace: string;
  trusted: boolean;
  /** Compiled file exporting `run(): Promise<void>`. */
  testsEntry: string;
  extensionPath: string;
  env: Record<string, string>;
}

/** Resolves with the extension host's exit code (0 when run() resolved), or undefined if it never finished. */
export async function runInExtensionHost(browser: Browser, run: ExtensionHostRun): Promise<{ exitCode?: number; logFile: string }> {
  const started = Date.now();
  const server = await startCodeServer({ workspace: run.workspace, trusted: run.trusted, logName: `code-server-${run.label}`, env: run.env });
  console.log(
    `[${run.label}] code-server up on ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${path.relative(repoRoot, server.logFile)})`,
  );
  const { context, page } = await newWorkbenchPage(browser, server.logFile);
  let exitCode: number | undefined;
  try {
    // The workbench calls window.codeAutomationExit(code) when the extension host exits after run();
    // it must be defined before the page loads.
    let resolveExit: (code: number) => void = () => undefined;
    const automationExit = new Promise<number>((resolve) => {
      resolveExit = resolve;
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(run.extensionPath)],
      ['extensionTestsPath', remote(run.testsEntry)],
    ];
    const query = new URLSearchParams({ folder: run.workspace, payload: JSON.stringify(payload) });
    await page.goto(`${server.url}/?${query}`, { timeout: 60_000 });
    const serverDied = server.exited.then((c) => {
      throw new Error(`code-server exited (${c}) during the run`);
    });
    exitCode = await withTimeout(Promise.race([automationExit, serverDied]), RUN_TIMEOUT_MS, `${run.label}: extension host did not finish`);
    console.log(`[${run.label}] extension host exited with ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const shot = path.join(ensureResultsDir(), `${run.label}-failure.png`);
    await page.screenshot({ path: shot }).catch(() => undefined);
    console.error(`[${run.label}] ${(err as Error).message} (screenshot: ${path.relative(repoRoot, shot)})`);
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
  }
  return { exitCode, logFile: server.logFile };
}
