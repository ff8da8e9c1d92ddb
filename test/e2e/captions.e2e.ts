// The sample workspace, with the packaged extension: three of Carl's images selected in the Actors
// view, Edit Captions from their context menu, a word prepended, the preview of every change, Apply
// (the manifest holds the user's captions), then Undo Caption Edit (the seeds are back).
import { promises as fs } from 'fs';
import * as path from 'path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { expand, openActorStudio, runCommand, shot, sidebar, Step, STEP_TIMEOUT_MS, until } from './stepRunner';

const CARL = '0001_european_35_male';
const WORD = 'ohwx man,';

const quickInput = (page: Page) => page.locator('.quick-input-widget');
const quickRow = (page: Page, text: string | RegExp) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
const photoRows = (page: Page): Locator => sidebar(page).getByRole('treeitem', { name: new RegExp(`^${CARL}_\\d+\\.jpg`) });

/** Carl's manifest entries, read from the workspace the editor has open (its folder is in the page's URL). */
async function carlEntries(page: Page): Promise<Array<{ filename: string; caption?: string; caption_source?: string }>> {
  const folder = new URL(page.url()).searchParams.get('folder');
  if (!folder) throw new Error(`no workspace folder in ${page.url()}`);
  const file = path.join(folder, 'data', 'actors', CARL, 'training_data', 'manifest.json');
  return JSON.parse(await fs.readFile(file, 'utf8')).images;
}

const HOSTILE = '[trigger] man, <b>x</b><script>alert(1)</script>';
const viewer = (page: Page): FrameLocator =>
  page.frameLocator('iframe.webview.ready[src*="extensionId=actor-studio.actor-studio"]').frameLocator('#active-frame');

let selected: string[] = [];

export const captionsSteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: "three of Carl's photos selected with click and Shift+click",
    run: async (page) => {
      await expand(page, new RegExp(`^${CARL}`));
      await expand(page, /^Photorealistic \d+\/\d+/);
      const rows = photoRows(page);
      await until('three photos in the group', async () => (await rows.count()) >= 3);
      await rows.nth(0).click();
      await rows.nth(2).click({ modifiers: ['Shift'] });
      await until('three rows selected', async () => (await sidebar(page).locator('.monaco-list-row.selected').count()) === 3);
      selected = await sidebar(page)
        .locator('.monaco-list-row.selected')
        .evaluateAll((els) => els.map((el) => (el.getAttribute('aria-label') ?? '').split(/[\s,]/)[0]));
      await page.screenshot({ path: shot('e2e-captions-1-selected.png') });
    },
  },
  {
    name: 'Edit Captions... on their context menu: Prepend, then the word',
    run: async (page) => {
      const item = page.getByRole('menuitem', { name: /Edit Captions/ });
      await until('the edit quick pick from the context menu', async () => {
        if (!(await quickInput(page).isVisible())) {
          if (!(await item.isVisible())) {
            await photoRows(page).nth(1).click({ button: 'right' });
            await item.waitFor({ state: 'visible', timeout: 5_000 });
          }
          await item.hover();
          await item.click();
        }
        return quickRow(page, 'Prepend')
          .waitFor({ state: 'visible', timeout: 5_000 })
          .then(() => true);
      });
      await quickInput(page).filter({ hasText: 'Edit 3 captions' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await quickRow(page, 'Prepend').click();
      await quickInput(page).filter({ hasText: 'Text to prepend' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.locator('.quick-input-widget input').fill(WORD);
      await page.screenshot({ path: shot('e2e-captions-2-prepend.png') });
      await page.keyboard.press('Enter');
    },
  },
  {
    name: 'the preview lists the three changes before anything is written',
    run: async (page) => {
      await quickRow(page, 'Apply to 3 captions').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      for (const filename of selected) {
        await quickRow(page, filename).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      }
      await quickRow(page, `⟨+${WORD} ⟩`).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const stored = (await carlEntries(page)).filter((entry) => entry.caption !== undefined);
      if (stored.length > 0) throw new Error(`written before Apply: ${stored.map((entry) => entry.filename).join(', ')}`);
      await page.screenshot({ path: shot('e2e-captions-3-preview.png') });
    },
  },
  {
    name: "Apply: the manifest holds the three captions as the user's, the word first",
    run: async (page) => {
      await quickRow(page, 'Apply to 3 captions').click();
      await until('three captions in the manifest', async () => {
        const entries = (await carlEntries(page)).filter((entry) => selected.includes(entry.filename));
        return entries.length === 3 && entries.every((entry) => entry.caption?.startsWith(`${WORD} [trigger]`) && entry.caption_source === 'user');
      });
      const others = (await carlEntries(page)).filter((entry) => !selected.includes(entry.filename) && entry.caption !== undefined);
      if (others.length > 0) throw new Error(`other images changed: ${others.map((entry) => entry.filename).join(', ')}`);
      await page.mouse.move(900, 450);
      await page.screenshot({ path: shot('e2e-captions-4-applied.png') });
    },
  },
  {
    name: 'Undo Caption Edit: the seeds are back, nothing stored',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Undo Caption Edit');
      await until('no stored caption', async () =>
        (await carlEntries(page)).every((entry) => entry.caption === undefined && entry.caption_source === undefined),
      );
      await page.locator('.statusbar', { hasText: /undid prepend/ }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-captions-5-undone.png') });
    },
  },
  {
    name: "the Image Viewer shows the caption with its source and findings; Save Caption stores it as the user's, markup as text",
    run: async (page) => {
      const first = photoRows(page).nth(0);
      await first.click();
      const item = page.getByRole('menuitem', { name: /Open Image Viewer/ });
      const source = viewer(page).locator('#caption-source');
      await until(
        'the viewer to open from the context menu',
        async () => {
          if (!(await item.isVisible())) {
            await first.click({ button: 'right' });
            await item.waitFor({ state: 'visible', timeout: 5_000 });
          }
          await item.hover();
          await item.click();
          return source
            .filter({ hasText: 'prompt' })
            .waitFor({ state: 'visible', timeout: 10_000 })
            .then(() => true);
        },
        60_000,
      );
      const findings = viewer(page).locator('#caption-findings');
      // Carl's seeds come from long Kontext prompts: over CLIP's 75 tokens.
      await findings.locator('[data-code="too_long"]').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.mouse.move(5, 700);
      await page.screenshot({ path: shot('e2e-captions-6-viewer.png') });
      await viewer(page).locator('#caption textarea').fill(HOSTILE);
      await viewer(page).locator('#save-caption').click();
      await source.filter({ hasText: 'user' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const entry = (await carlEntries(page)).find((each) => each.filename === selected[0]);
      if (entry?.caption !== HOSTILE || entry.caption_source !== 'user') throw new Error(`manifest holds ${JSON.stringify(entry)}`);
      if ((await viewer(page).locator('.caption-box b, .caption-box script').count()) > 0) throw new Error('the caption became elements');
      if ((await findings.locator('li').count()) !== 0) throw new Error('a caption with trigger and class word first still has findings');
      await page.screenshot({ path: shot('e2e-captions-7-viewer-saved.png') });
    },
  },
];
