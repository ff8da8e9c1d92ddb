// Debian's Chromium driven by playwright-core (never `playwright install`: no downloads here).
import * as fs from 'fs';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { onCleanup } from './util';

export const CHROMIUM_PATH = process.env.ACTOR_STUDIO_CHROMIUM ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(opts: { headless?: boolean } = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's chromium (apt-get install -y chromium)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: opts.headless ?? process.env.HEADED !== '1',
    timeout: 60_000,
  });
  const unregister = onCleanup(async () => {
    await browser.close().catch(() => undefined);
  });
  browser.once('disconnected', unregister);
  return browser;
}

/**
 * A fresh context and page sized like a laptop screen, with the browser console
 * (which also carries the extension host's output in development mode), page
 * errors and failed requests appended to `logFile`.
 */
export async function newWorkbenchPage(browser: Browser, logFile: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const write = (line: string) => fs.appendFileSync(logFile, `[browser] ${line}\n`);
  page.on('console', (msg) => {
    if (msg.type() !== 'debug') write(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => write(`pageerror: ${err.stack ?? err.message}`));
  page.on('requestfailed', (req) => write(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  return { context, page };
}
