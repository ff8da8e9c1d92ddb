// Shared by the e2e scenarios: runs steps in order against one workbench page, stops at the
// first failure (later steps depend on it) with a screenshot and what the sidebar showed.
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { ensureResultsDir, interrupted, repoRoot } from '../runners/util';

export const STEP_TIMEOUT_MS = 30_000;

export interface Step {
  name: string;
  run: (page: Page) => Promise<void>;
}

export const shot = (name: string) => path.join(ensureResultsDir(), name);

/** The sidebar part, where the Actors view renders. */
export const sidebar = (page: Page) => page.locator('.part.sidebar');

/**
 * Runs a command from the palette by its full title. Right after startup the palette can open
 * before the workspace-trust context key is set, hiding commands enabled `when isWorkspaceTrusted`:
 * then it closes the palette and asks again.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (;;) {
    await openPalette(page, input, deadline);
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/**
 * Presses F1 until the palette shows. A panel's page that is still loading can keep (or take
 * back) the keys, so each miss gives the focus back to the workbench (an empty spot of the
 * activity bar) before pressing again, until the deadline.
 */
async function openPalette(page: Page, input: Locator, deadline: number): Promise<void> {
  for (;;) {
    await page.keyboard.press('F1');
    const opened = await input.waitFor({ state: 'visible', timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    if (opened) return;
    if (Date.now() > deadline) throw new Error('the command palette did not open: a page kept the keyboard');
    await page.locator('.part.activitybar').click({ position: { x: 20, y: 600 } });
  }
}

/** Clicks the "Actor Studio" activity-bar item and waits for its container to open. */
export async function openActorStudio(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  const item = page.locator('.part.activitybar').getByRole('tab', { name: /^Actor Studio/ });
  await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await item.click();
  // The sidebar title shows the container's name once it is open.
  await sidebar(page)
    .locator('.composite.title')
    .getByText(/Actor Studio/i)
    .first()
    .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
}

/** Expands a tree row in the sidebar (single click expands by default; the keyboard when a setting differs). */
export async function expand(page: Page, name: RegExp): Promise<void> {
  const row = sidebar(page).getByRole('treeitem', { name }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  if ((await row.getAttribute('aria-expanded')) !== 'true') {
    await row.click();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.press('ArrowRight');
  }
}

/** Waits until `check` holds, polling (the page and the tree update asynchronously). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const held = await check().catch((error: unknown) => {
      last = error;
      return false;
    });
    if (held) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const reason = last instanceof Error ? `: the last check said ${last.message.split('\n')[0]}` : '';
  throw new Error(`timed out waiting for ${what}${reason}`);
}

export async function expectAttribute(loc: Locator, attr: string, value: string, message: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await loc.getAttribute(attr)) === value) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(message);
}

/** What the sidebar shows, to explain a failure without opening the screenshot. */
async function describeSidebar(page: Page): Promise<string> {
  const rows = await sidebar(page)
    .getByRole('treeitem')
    .evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('aria-label')} [level ${e.getAttribute('aria-level')}, expanded=${e.getAttribute('aria-expanded')}]`),
    );
  const text = (
    await sidebar(page)
      .innerText()
      .catch(() => '')
  )
    .replace(/\s+/g, ' ')
    .slice(0, 400);
  const quickInput = page.locator('.quick-input-widget');
  const quick = (await quickInput.isVisible().catch(() => false))
    ? `\n    quick input: ${((await quickInput.innerText().catch(() => '')) || '').replace(/\s+/g, ' ').slice(0, 300)}`
    : '';
  const tabs = await page
    .locator('.part.editor .tab')
    .evaluateAll((els) => els.map((e) => `${e.classList.contains('active') ? '*' : ''}${(e.getAttribute('aria-label') ?? '').slice(0, 60)}`))
    .catch(() => []);
  const webviews: string[] = [];
  for (const element of await page.locator('iframe.webview').elementHandles()) {
    const shape = await element.evaluate((e: Element) => {
      const box = e.getBoundingClientRect();
      return `${e.classList.contains('ready') ? 'ready' : 'loading'}, ${getComputedStyle(e).visibility}, ${Math.round(box.width)}x${Math.round(box.height)}`;
    });
    const inner = (await element.contentFrame())?.childFrames()[0];
    const title = inner ? await inner.title().catch(() => '?') : '(no page)';
    webviews.push(`${title || '(untitled)'} (${shape})`);
  }
  return (
    `sidebar tree items: ${rows.join(' | ') || '(none)'}\n    sidebar text: ${text || '(none)'}${quick}` +
    `\n    editor tabs (* active): ${tabs.join(' | ') || '(none)'}\n    webview frames: ${webviews.join(' | ') || '(none)'}`
  );
}

/** Runs the steps; returns the counts. */
export async function runSteps(scenario: string, page: Page, steps: Step[], logFile: string): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const step of steps) {
    if (interrupted()) break;
    if (failed > 0) {
      console.log(`- [${scenario}] ${step.name} (skipped after a failure)`);
      continue;
    }
    const started = Date.now();
    try {
      await step.run(page);
      console.log(`✓ [${scenario}] ${step.name} (${Date.now() - started} ms)`);
      passed++;
    } catch (err) {
      failed++;
      const file = shot(`e2e-${scenario}-failure.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      console.log(`✗ [${scenario}] ${step.name}\n    ${(err as Error).message.split('\n').join('\n    ')}`);
      console.log(`    ${await describeSidebar(page).catch((e) => `(could not read the page: ${e.message})`)}`);
      console.log(`    screenshot: ${path.relative(repoRoot, file)}; log: ${path.relative(repoRoot, logFile)}`);
    }
  }
  return { passed, failed };
}
