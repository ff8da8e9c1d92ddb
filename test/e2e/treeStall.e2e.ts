// The first minute: opening a panel while the Actors view's first read is in flight must not
// leave the actors at "loading…" (issue: the tree stalled until Refresh).
import type { Page } from 'playwright-core';
import { openActorStudio, runCommand, sidebar, Step, until } from './stepRunner';

const actorRows = (page: Page) => sidebar(page).getByRole('treeitem', { name: /^\d{4}_/ });

/** Shows the Actor Studio container: the activity-bar item toggles, and a reload may have restored it open. */
async function showActorStudio(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  // A restored sidebar shows a moment after the workbench; clicking before that would toggle it closed.
  const open = await sidebar(page)
    .locator('.composite.title')
    .getByText(/Actor Studio/i)
    .first()
    .waitFor({ state: 'visible', timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
  if (!open) {
    await openActorStudio(page);
  }
}

/**
 * Closes the panels, so the next reload restores none (a restored webview would hold the keyboard).
 * By each tab's close button, not the palette: a panel page still loading can keep the keys.
 */
async function closePanels(page: Page): Promise<void> {
  const tabs = page.locator('.part.editor .tab');
  await until('every editor to close', async () => {
    if ((await tabs.count()) === 0) return true;
    const tab = tabs.first();
    await tab.hover();
    await tab.getByRole('button', { name: /^Close/ }).click({ timeout: 3_000 });
    return false;
  });
}

/**
 * A stalled row never fills (it waited for Refresh), so a long deadline still catches a stall; the
 * first read of 1,000 actors took over 20 s in a window just reloaded on the 2-core machine at load 12.
 */
const FILL_DEADLINE_MS = 60_000;

async function rowsFilled(page: Page): Promise<boolean> {
  const labels = await actorRows(page).evaluateAll((rows) => rows.map((row) => row.textContent ?? ''));
  return labels.length > 0 && labels.every((label) => !label.includes('loading'));
}

/** Opens the panel from the palette right after the view opened (the view's first read is then in flight). */
function panelDuringFirstRead(panel: string): Step {
  return {
    name: `opening ${panel} while the tree's first read is in flight: every actor row fills in`,
    run: async (page) => {
      await page.reload();
      await showActorStudio(page);
      await runCommand(page, `Actor Studio: ${panel}`);
      await until('every actor row to leave "loading…"', () => rowsFilled(page), FILL_DEADLINE_MS);
      await closePanels(page);
    },
  };
}

/** The window reopens with the view visible (restored), so activation, the first read and the panel all start together. */
function panelAtStartup(panel: string): Step {
  return {
    name: `the window reopens with the Actors view shown and ${panel} is run at once: every actor row fills in`,
    run: async (page) => {
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await runCommand(page, `Actor Studio: ${panel}`);
      await until('every actor row to leave "loading…"', () => rowsFilled(page), FILL_DEADLINE_MS);
      await closePanels(page);
    },
  };
}

/** The panel first, then the view at once: the view's first read starts while the panel is being built. */
function viewWhilePanelOpens(panel: string): Step {
  return {
    name: `${panel}, then the Actors view at once: every actor row fills in`,
    run: async (page) => {
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await runCommand(page, `Actor Studio: ${panel}`);
      await showActorStudio(page);
      await until('every actor row to leave "loading…"', () => rowsFilled(page), FILL_DEADLINE_MS);
      await closePanels(page);
    },
  };
}

/** A panel left open is restored by the reload before the view: activation starts from the panel's serializer. */
function restoredPanel(panel: string): Step {
  return {
    name: `the window reopens with ${panel}'s panel restored and the Actors view shown: every actor row fills in`,
    run: async (page) => {
      await runCommand(page, `Actor Studio: ${panel}`);
      await page.locator('.part.editor .tab').first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.reload();
      await showActorStudio(page);
      await until('every actor row to leave "loading…"', () => rowsFilled(page), FILL_DEADLINE_MS);
      await closePanels(page);
    },
  };
}

/** The sample: both panels, both orders, the restored view and the restored panel. */
export const treeStallSteps: Step[] = [
  viewWhilePanelOpens('Open Generator'),
  panelDuringFirstRead('Open Generator'),
  panelAtStartup('Open Generator'),
  viewWhilePanelOpens('Open Analytics'),
  panelDuringFirstRead('Open Analytics'),
  panelAtStartup('Open Analytics'),
  restoredPanel('Open Generator'),
];

/** 1,000 actors: the first read takes seconds, so each panel surely opens while it is in flight. */
export const treeStallLargeSteps: Step[] = [panelDuringFirstRead('Open Generator'), panelDuringFirstRead('Open Analytics')];
