// An empty folder: the Actors view explains what is missing and offers the sample; one click
// creates it and the actors appear.
import { openActorStudio, shot, sidebar, Step, STEP_TIMEOUT_MS } from './stepRunner';

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
];
