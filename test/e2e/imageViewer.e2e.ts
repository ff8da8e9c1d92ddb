// The sample workspace, with the packaged extension: Carl is evaluated, one of his images is rated
// from the keyboard in the Actors view (the 3 key, then Ctrl+Alt+R's quick pick and feedback box),
// then opened in the Image Viewer from its context menu,
// rated with the star widget and given feedback holding markup, which shows as text.
import type { FrameLocator, Page } from 'playwright-core';
import { expand, openActorStudio, runCommand, shot, sidebar, Step, STEP_TIMEOUT_MS, until } from './stepRunner';

const CARL = '0001_european_35_male';
const IMAGE = `${CARL}_0.jpg`;
const HOSTILE = '<b>x</b><script>alert(1)</script>';
/** Face identity loads its models in a worker, then takes about half a second an image. */
const EVALUATE_TIMEOUT_MS = 120_000;

const viewer = (page: Page): FrameLocator =>
  page.frameLocator('iframe.webview.ready[src*="extensionId=actor-studio.actor-studio"]').frameLocator('#active-frame');
const imageRow = (page: Page) =>
  sidebar(page)
    .getByRole('treeitem', { name: new RegExp(`^${IMAGE}`) })
    .first();

export const imageViewerSteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: '"Actor Studio: Evaluate Actor" on Carl reports his images evaluated',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Evaluate Actor');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: CARL }).first();
      await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.locator('.quick-input-widget input').fill(CARL);
      await page.keyboard.press('Enter');
      await page.locator('.notification-toast', { hasText: 'image(s) evaluated' }).waitFor({ state: 'visible', timeout: EVALUATE_TIMEOUT_MS });
    },
  },
  {
    name: 'in the Actors view, selecting an image and pressing 3 rates it three stars',
    run: async (page) => {
      await expand(page, new RegExp(`^${CARL}`));
      await expand(page, /^Photorealistic/);
      const row = imageRow(page);
      await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      // The key acts once the selection reached the workbench's context keys (a moment after the
      // click). A tree refresh landing late (the evaluation rewrote the manifest) can leave the row
      // looking selected while the key is off, and clicking it again changes nothing: each try
      // selects the base image, then the image, so the selection really changes.
      const baseRow = sidebar(page)
        .getByRole('treeitem', { name: /^Base image/ })
        .first();
      await until('three stars on the image', async () => {
        await baseRow.click();
        await row.click(); // selects it and previews it; the tree keeps the focus
        await page.keyboard.press('3');
        return imageRow(page)
          .filter({ hasText: '★★★☆☆' })
          .waitFor({ state: 'visible', timeout: 2_000 })
          .then(() => true);
      });
    },
  },
  {
    name: 'the arrow keys move to the next image and 1 rates it one star, without touching the mouse',
    run: async (page) => {
      const next = sidebar(page)
        .getByRole('treeitem', { name: new RegExp(`^${CARL}_1\\.jpg`) })
        .first();
      await page.keyboard.press('ArrowDown'); // moves the focus (not the selection) to the next row
      await until('one star on the next image', async () => {
        await page.keyboard.press('1');
        return next
          .filter({ hasText: '★☆☆☆☆' })
          .waitFor({ state: 'visible', timeout: 2_000 })
          .then(() => true);
      });
      await imageRow(page).filter({ hasText: '★★★☆☆' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'Ctrl+Alt+R opens the Rate Image quick pick (current rating marked), then the feedback box',
    run: async (page) => {
      await imageRow(page).click();
      const widget = page.locator('.quick-input-widget');
      const current = page.locator('.quick-input-list .monaco-list-row', { hasText: '3 stars (current)' });
      // As with the digits, the key acts once the click reached the extension host's view of the
      // selection. A key that lands before that rates the image the arrow keys left selected: its
      // quick pick is titled with the other image, and is closed so the key can be pressed again.
      await until('the Rate Image quick pick for the clicked image', async () => {
        if (await widget.isVisible()) {
          const title = (await widget.locator('.quick-input-title').textContent()) ?? '';
          if (title.includes(IMAGE)) {
            return current.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true);
          }
          await page.keyboard.press('Escape');
          await widget.waitFor({ state: 'hidden', timeout: 3_000 });
        }
        // Pressed only while no quick pick is open: a second press would replace (and cancel) the first.
        // The row is clicked again first: the key acts only while the tree has the focus and the image is selected.
        await imageRow(page).click();
        await page.keyboard.press('Control+Alt+KeyR');
        return widget
          .locator('.quick-input-title', { hasText: IMAGE })
          .waitFor({ state: 'visible', timeout: 3_000 })
          .then(() => current.waitFor({ state: 'visible', timeout: 3_000 }))
          .then(() => true);
      });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: '4 stars' }).first().click();
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-widget', { hasText: 'Feedback on' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await input.fill('good light');
      await page.keyboard.press('Enter');
      await imageRow(page).filter({ hasText: '★★★★☆' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'its context menu opens the Image Viewer, which really shows the image with its prompt and evaluation',
    run: async (page) => {
      const frame = viewer(page);
      const title = frame.locator('#image-title', { hasText: IMAGE });
      const item = page.getByRole('menuitem', { name: /Open Image Viewer/ });
      // A click that lands while the menu is still being laid out is lost: open it again then.
      await until(
        'the viewer to open from the context menu',
        async () => {
          if (!(await item.isVisible())) {
            await imageRow(page).click({ button: 'right' });
            await item.waitFor({ state: 'visible', timeout: 5_000 });
          }
          await item.hover();
          await item.click();
          return title.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true);
        },
        60_000,
      );
      const image = frame.locator('img#image');
      await image.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await until(
        'the image to load from the training folder',
        async () =>
          (await image.evaluate((element) => {
            const img = element as unknown as { complete: boolean; naturalWidth: number };
            return img.complete ? img.naturalWidth : 0;
          })) > 0,
      );
      await frame.locator('#prompt-text', { hasText: 'rooftop at golden hour' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await frame.locator('#identity', { hasText: 'Identity distance' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await frame.locator('#rating-text', { hasText: '4/5' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await frame.locator('#saved-feedback', { hasText: 'Saved: good light' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'clicking the fifth star rates it five; the tree follows',
    run: async (page) => {
      await viewer(page).locator('button.star[data-stars="5"]').click();
      await viewer(page).locator('#rating-text', { hasText: '5/5' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await imageRow(page).filter({ hasText: '★★★★★' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'feedback with markup and a script is saved and shown as text, nothing runs',
    run: async (page) => {
      const frame = viewer(page);
      await frame.locator('#feedback textarea').fill(HOSTILE);
      await frame.locator('#save-feedback').click();
      const saved = frame.locator('#saved-feedback');
      await saved.filter({ hasText: `Saved: ${HOSTILE}` }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      if ((await saved.locator('b, script').count()) > 0) throw new Error('the feedback became elements');
      if ((await frame.locator('body script:not([nonce])').count()) > 0) throw new Error('a script without the nonce is in the page');
      if ((await saved.textContent()) !== `Saved: ${HOSTILE}`) throw new Error(`unexpected text: ${await saved.textContent()}`);
      await page.mouse.move(5, 700);
      await page.screenshot({ path: shot('e2e-image-viewer.png') });
    },
  },
];
