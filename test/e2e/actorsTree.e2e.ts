// The sample workspace: activity bar -> Actors tree -> expand an actor -> its groups.
import type { Page } from 'playwright-core';
import { expectAttribute, openActorStudio, shot, sidebar, Step, STEP_TIMEOUT_MS } from './stepRunner';

const ACTOR_NAME = /^\d{4}_[a-z]+_\d+_[a-z]+/i; // e.g. 0000_european_45_female
const CHILD_NAMES = [/^Base image/i, /^Photorealistic\b.*\d+\s*\/\s*\d+/i];

const actorItems = (page: Page) => sidebar(page).getByRole('treeitem', { name: ACTOR_NAME });

export const actorsTreeSteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: 'Actors view lists the sample actors with their counts',
    run: async (page) => {
      // A tree view's list carries the view name as its accessible name.
      await sidebar(page)
        .getByRole('tree', { name: /Actors/ })
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await sidebar(page)
        .getByRole('treeitem', { name: /^0000_european_45_female 13\/20 · 8·2·1/ })
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.mouse.move(900, 450); // away from the activity bar, so no hover tooltip in the picture
      await page.screenshot({ path: shot('e2e-actors-tree-collapsed.png') });
      const names = await actorItems(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      if (names.length !== 3) throw new Error(`expected 3 actors, saw: ${names.join(' | ')}`);
    },
  },
  {
    name: 'expanding the first actor shows its base image and category groups',
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
