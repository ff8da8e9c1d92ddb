// An empty folder: the Actors view explains what is missing and offers the sample; one click
// creates it and the actors appear.
import { openActorStudio, runCommand, shot, sidebar, Step, STEP_TIMEOUT_MS, until } from './stepRunner';

export const welcomeSteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: 'the welcome view says there is no data folder and offers the sample',
    run: async (page) => {
      await sidebar(page)
        .getByText(/No data folder here yet/)
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await sidebar(page).getByRole('button', { name: 'Create Sample Workspace' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-welcome.png') });
    },
  },
  {
    name: 'Create Sample Workspace fills the Actors view',
    run: async (page) => {
      await sidebar(page).getByRole('button', { name: 'Create Sample Workspace' }).click();
      await sidebar(page)
        .getByRole('treeitem', { name: /^0002_mixed_30_nonbinary 3\/20/ })
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-welcome-sample-created.png') });
    },
  },
  {
    name: 'the walkthrough opens with its six steps; the data-folder step is done once the sample exists',
    run: async (page) => {
      await runCommand(page, 'Welcome: Open Walkthrough...');
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Build your first training set' }).first();
      await pick.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await pick.click();
      const editor = page.locator('.part.editor');
      for (const title of [
        'Open a data folder, or create the sample',
        'Set keys (optional)',
        'Evaluate and plan an actor',
        'Review and execute the plan',
        'Rate and curate',
        'Export for a trainer',
      ]) {
        await editor
          .getByRole('button', { name: new RegExp(title.replace(/[()]/g, '\\$&')) })
          .first()
          .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      }
      // The step's button runs the command; its completion event ticks the step.
      await editor.getByRole('button', { name: 'Create Sample Workspace' }).first().click();
      const step = editor.locator('.getting-started-step', { hasText: 'Open a data folder' }).first();
      await until('the data-folder step to be ticked (aria-checked)', async () => (await step.getAttribute('aria-checked')) === 'true', STEP_TIMEOUT_MS);
      await page.screenshot({ path: shot('e2e-walkthrough.png') });
    },
  },
];
