// Runs after the Image Viewer steps (Carl evaluated, his Photorealistic group open in the Actors
// view): Set Category from an image's context menu. Carl's _2.jpg is a plain grey photo made from
// a photorealistic prompt: the evaluation counts it as B&W stylized (its pixels contradict the
// prompt). The user settles it: a photo after all. The tree's groups follow.
import type { Locator, Page } from 'playwright-core';
import { expand, shot, sidebar, Step, STEP_TIMEOUT_MS, until } from './stepRunner';

const CARL = '0001_european_35_male';
const IMAGE = `${CARL}_2.jpg`;

const treeItem = (page: Page, name: RegExp): Locator => sidebar(page).getByRole('treeitem', { name }).first();
const imageRow = (page: Page) => treeItem(page, new RegExp(`^${IMAGE}`));
const groupRow = (page: Page, label: string) => treeItem(page, new RegExp(`^${label} \\d+/\\d+`));

/** The number of images a group row shows (`B&W stylized 2/4` -> 2). */
async function countOf(row: Locator): Promise<number> {
  const match = /(\d+)\/\d+/.exec((await row.getAttribute('aria-label')) ?? '');
  if (!match) throw new Error(`no count in "${await row.getAttribute('aria-label')}"`);
  return Number(match[1]);
}

let photosBefore = 0;
let drawingsBefore = 0;

export const setCategorySteps: Step[] = [
  {
    name: "Set Category on an image's context menu offers the three categories, the current one marked",
    run: async (page) => {
      await expand(page, new RegExp(`^${CARL}`));
      await expand(page, /^B&W stylized \d+\/\d+/);
      photosBefore = await countOf(groupRow(page, 'Photorealistic'));
      drawingsBefore = await countOf(groupRow(page, 'B&W stylized'));
      const item = page.getByRole('menuitem', { name: /Set Category/ });
      const current = page.locator('.quick-input-list .monaco-list-row', { hasText: 'bw_stylized (current)' });
      // A click that lands while the menu is still being laid out is lost: open it again then.
      await until('the category quick pick from the context menu', async () => {
        if (!(await page.locator('.quick-input-widget').isVisible())) {
          if (!(await item.isVisible())) {
            await imageRow(page).click({ button: 'right' });
            await item.waitFor({ state: 'visible', timeout: 5_000 });
          }
          await item.hover();
          await item.click();
        }
        return current.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true);
      });
      await page.locator('.quick-input-widget', { hasText: `Set the category of ${IMAGE}` }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Photorealistic' }).first().click();
    },
  },
  {
    name: 'the image moves from B&W stylized to Photorealistic, and both group counts follow',
    run: async (page) => {
      await until('the group counts to follow', async () => {
        const photos = await countOf(groupRow(page, 'Photorealistic'));
        const drawings = await countOf(groupRow(page, 'B&W stylized'));
        return photos === photosBefore + 1 && drawings === drawingsBefore - 1;
      });
      // B&W stylized closed and Photorealistic open: the only row of the image is its new one.
      const drawingsGroup = groupRow(page, 'B&W stylized');
      if ((await drawingsGroup.getAttribute('aria-expanded')) === 'true') await drawingsGroup.click();
      await expand(page, /^Photorealistic \d+\/\d+/);
      const row = imageRow(page);
      await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const groupLevel = Number(await groupRow(page, 'Photorealistic').getAttribute('aria-level'));
      if (Number(await row.getAttribute('aria-level')) !== groupLevel + 1) throw new Error(`${IMAGE} is not inside a group`);
      await row.click();
      await page.mouse.move(900, 450);
      await page.screenshot({ path: shot('e2e-set-category.png') });
    },
  },
];
