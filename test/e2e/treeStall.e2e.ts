// The first minute: opening a panel while the Actors view's first read is in flight must not
// leave the actors at "loading…" (issue: the tree stalled until Refresh).
import type { Page } from 'playwright-core';
import { openActorStudio, runCommand, sidebar, Step, until } from './stepRunner';

const actorRows = (page: Page) => sidebar(page).getByRole('treeitem', { name: /^\d{4}_/ });

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
      await openActorStudio(page);
      await runCommand(page, `Actor Studio: ${panel}`);
      await until('every actor row to leave "loading…"', () => rowsFilled(page), 20_000);
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
      await until('every actor row to leave "loading…"', () => rowsFilled(page), 20_000);
    },
  };
}

export const treeStallSteps: Step[] = [
  panelDuringFirstRead('Open Generator'),
  panelAtStartup('Open Generator'),
  panelDuringFirstRead('Open Analytics'),
  panelAtStartup('Open Analytics'),
];
