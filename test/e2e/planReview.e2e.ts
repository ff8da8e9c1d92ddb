// The sample workspace, with the packaged extension: Plan Actor from the command palette runs the
// local checks and face identity (the worker and models shipped inside the .vsix), and the Plan
// Review panel lists the other person's photo for deletion with its identity reason.
import type { FrameLocator, Page } from 'playwright-core';
import { openActorStudio, runCommand, shot, Step, STEP_TIMEOUT_MS } from './stepRunner';

const EILEEN = '0000_european_45_female';
/** Face identity loads its models in a worker, then takes about half a second an image. */
const PLAN_TIMEOUT_MS = 120_000;

const panel = (page: Page): FrameLocator =>
  page.frameLocator('iframe.webview.ready[src*="extensionId=actor-studio.actor-studio"]').frameLocator('#active-frame');

/** Answers the "Choose an actor" quick pick. */
async function pickActor(page: Page, actorId: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: actorId }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.locator('.quick-input-widget input').fill(actorId);
  await page.keyboard.press('Enter');
}

export const planReviewSteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: '"Actor Studio: Plan Actor" from the palette asks for the actor, then reports the plan',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Plan Actor');
      await pickActor(page, EILEEN);
      const toast = page.locator('.notification-toast', { hasText: `plan for ${EILEEN}` });
      await toast.waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
    },
  },
  {
    name: 'the tree shows the plan on the actor',
    run: async (page) => {
      const row = page.locator('.part.sidebar .monaco-list-row', { hasText: EILEEN }).first();
      await row.filter({ hasText: /plan -\d+ \+\d+/ }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'Plan Review lists the blurred and the dark image to delete, and the wrong person (a turned face) under Needs review with Keep and Delete',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Open Plan Review');
      await pickActor(page, EILEEN);
      await panel(page).getByRole('heading', { name: 'Plan Review' }).waitFor({ state: 'visible', timeout: 60_000 });
      const deletion = (n: number) => panel(page).locator(`li.deletion[data-filename="${EILEEN}_${n}.jpg"]`);
      await deletion(8).locator('.reason', { hasText: 'blurry' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await deletion(9).locator('.reason', { hasText: 'too_dark' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await deletion(8).locator('img.thumb').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      // Another person whose face cannot be scored against the base is never deleted unscored: a person decides.
      const review = panel(page).locator(`li.review-item[data-filename="${EILEEN}_10.jpg"]`);
      await review.locator('.reason', { hasText: 'Needs review' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await review.getByRole('button', { name: `Keep ${EILEEN}_10.jpg` }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await review.getByRole('button', { name: `Delete ${EILEEN}_10.jpg` }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await review.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot('e2e-plan-review.png') });
    },
  },
];
