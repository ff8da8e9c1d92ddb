// End-to-end: the packaged extension (actor-studio.vsix) installed in code-server,
// clicked through in Chromium as a person would: activity bar -> Actors tree -> expand an actor.
//
//   node out/test/e2e/actorsTree.e2e.js [--vsix FILE] [--workspace DIR]
//
// Needs `npm run package` (actor-studio.vsix at the repo root) and `npm run compile-tests`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { launchChromium, newWorkbenchPage } from '../runners/browser';
import { startCodeServer } from '../runners/codeServer';
import { copyWorkspace, ensureResultsDir, interrupted, printTotals, removeOnExit, repoRoot, runCleanups } from '../runners/util';

const STEP_TIMEOUT_MS = 30_000;
const ACTOR_NAME = /^\d{4}_[a-z]+_\d+_[a-z]+/i; // e.g. 0000_european_45_female
const CHILD_NAMES = [/^Base image/i, /^Photorealistic\b.*\d+\s*\/\s*\d+/i];

interface Step { name: string; run: (page: Page) => Promise<void> }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

const shot = (name: string) => path.join(ensureResultsDir(), name);

/** The sidebar part, where the Actors view renders. */
const sidebar = (page: Page) => page.locator('.part.sidebar');
const actorItems = (page: Page) => sidebar(page).getByRole('treeitem', { name: ACTOR_NAME });

const steps: Step[] = [
  {
    name: 'workbench loads',
    run: async (page) => {
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'activity bar has "Actor Studio" and opens its container',
    run: async (page) => {
      const item = page.locator('.part.activitybar').getByRole('tab', { name: /^Actor Studio/ });
      await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await item.click();
      // The sidebar title shows the container's name once it is open.
      await sidebar(page).locator('.composite.title').getByText(/Actor Studio/i).first()
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'Actors view lists the sample actors',
    run: async (page) => {
      // A tree view's list carries the view name as its accessible name.
      await sidebar(page).getByRole('tree', { name: /Actors/ }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await actorItems(page).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.mouse.move(900, 450); // away from the activity bar, so no hover tooltip in the picture
      await page.screenshot({ path: shot('e2e-actors-tree-collapsed.png') });
      const names = await actorItems(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      console.log(`  actors shown: ${names.join(' | ')}`);
    },
  },
  {
    name: 'expanding the first actor shows its images',
    run: async (page) => {
      const first = actorItems(page).first();
      const label = await first.getAttribute('aria-label');
      if ((await first.getAttribute('aria-expanded')) !== 'true') {
        await first.click();
        // Single-click expands by default; fall back to the keyboard if the setting differs.
        if ((await first.getAttribute('aria-expanded')) !== 'true') await first.press('ArrowRight');
      }
      await expectAttribute(first, 'aria-expanded', 'true', `actor "${label}" did not expand`);
      const childLevel = String(Number(await first.getAttribute('aria-level')) + 1);
      for (const name of CHILD_NAMES) {
        const child = sidebar(page).getByRole('treeitem', { name }).first();
        await child.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
        await expectAttribute(child, 'aria-level', childLevel, `"${await child.getAttribute('aria-label')}" is not a child of "${label}"`);
      }
      await page.mouse.move(900, 450);
      await page.screenshot({ path: shot('e2e-actors-tree.png') });
    },
  },
];

async function expectAttribute(loc: ReturnType<Page['locator']>, attr: string, value: string, message: string) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await loc.getAttribute(attr)) === value) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(message);
}

/** What the sidebar shows, to explain a failure without opening the screenshot. */
async function describeSidebar(page: Page): Promise<string> {
  const rows = await sidebar(page).getByRole('treeitem').evaluateAll((els) =>
    els.map((e) => `${e.getAttribute('aria-label')} [level ${e.getAttribute('aria-level')}, expanded=${e.getAttribute('aria-expanded')}]`));
  const tabs = await page.locator('.part.activitybar').getByRole('tab').evaluateAll((els) =>
    els.map((e) => e.getAttribute('aria-label') || e.querySelector('[aria-label]')?.getAttribute('aria-label') || '?'));
  return `activity bar: ${tabs.join(' | ') || '(none)'}\n    sidebar tree items: ${rows.join(' | ') || '(none)'}`;
}

async function main(): Promise<number> {
  const vsix = arg('--vsix', path.join(repoRoot, 'actor-studio.vsix'));
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} missing: run \`npm run package\` first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-e2e-'));
  removeOnExit(tmp);
  const workspace = copyWorkspace(arg('--workspace', path.join(repoRoot, 'sample')), tmp);

  const started = Date.now();
  const server = await startCodeServer({ workspace, trusted: true, installVsix: vsix, logName: 'code-server-e2e' });
  console.log(`code-server up on ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s with ${path.basename(vsix)} installed`);
  const browser = await launchChromium();
  const { page } = await newWorkbenchPage(browser, server.logFile);
  // No payload: this is the installed extension, as a user gets it.
  await page.goto(`${server.url}/?${new URLSearchParams({ folder: workspace })}`, { timeout: 60_000 });

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const step of steps) {
    if (interrupted()) break;
    if (failed > 0) {
      console.log(`- ${step.name} (skipped after a failure)`);
      skipped++;
      continue;
    }
    const t0 = Date.now();
    try {
      await step.run(page);
      console.log(`✓ ${step.name} (${Date.now() - t0} ms)`);
      passed++;
    } catch (err) {
      failed++;
      const file = shot('e2e-actors-tree-failure.png');
      await page.screenshot({ path: file }).catch(() => undefined);
      console.log(`✗ ${step.name}\n    ${(err as Error).message.split('\n').join('\n    ')}`);
      console.log(`    ${await describeSidebar(page).catch((e) => `(could not read the page: ${e.message})`)}`);
      console.log(`    screenshot: ${path.relative(repoRoot, file)}; log: ${path.relative(repoRoot, server.logFile)}`);
    }
  }
  await browser.close();
  await server.stop();
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed > 0 ? 1 : 0;
}

main()
  .catch((err) => {
    console.error(`e2e run failed: ${(err as Error).stack ?? err}`);
    printTotals({ passed: 0, failed: 1 });
    return 1;
  })
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  });
