// The sample workspace: Export Dataset from the command palette for every actor, kohya, then
// Preview. The preview opens as a read-only document with each actor's warnings, buckets and
// captions as kohya reads them; the question that follows is cancelled, and nothing was written.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { openActorStudio, runCommand, shot, Step, STEP_TIMEOUT_MS, until } from './stepRunner';

let filesBefore: string[] = [];

/** Every file of the workspace with its size and time: "nothing written" compares two of these. */
function listing(page: Page): string[] {
  const folder = new URL(page.url()).searchParams.get('folder')!;
  return (fs.readdirSync(folder, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .map((file) => `${file} ${fs.statSync(file).size} ${fs.statSync(file).mtimeMs}`)
    .sort();
}

async function pickQuickItem(page: Page, label: string | RegExp): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await row.click();
}

const editor = (page: Page) => page.locator('.part.editor .monaco-editor .view-lines').first();

export const exportPreviewSteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: 'Export Dataset from the palette: every actor, kohya, then Preview / Export / Cancel',
    run: async (page) => {
      filesBefore = listing(page);
      await runCommand(page, 'Actor Studio: Export Dataset');
      // Every actor comes ticked.
      await page.locator('.quick-input-list .monaco-list-row', { hasText: '0000_european_45_female' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.keyboard.press('Enter');
      await pickQuickItem(page, 'kohya sd-scripts');
      for (const choice of ['Preview', 'Export', 'Cancel']) {
        await page.locator('.quick-input-list .monaco-list-row', { hasText: choice }).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      }
      await pickQuickItem(page, /Preview.*writes nothing/);
    },
  },
  {
    name: 'the preview document shows each actor with its warnings, buckets and captions',
    run: async (page) => {
      const tab = page.locator('.tabs-container .tab', { hasText: 'Export Preview 3 actors' });
      await tab.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      // Escape would hide the question's toast (VS Code's hideToasts): nothing below presses it.
      await page
        .locator('.notifications-toasts')
        .getByText(/preview of 22 image\(s\) with \d+ warning\(s\); nothing was written\. Export them\?/)
        .waitFor({
          state: 'visible',
          timeout: STEP_TIMEOUT_MS,
        });
      await editor(page).getByText('# Export preview: kohya sd-scripts at 1024').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      for (const text of [
        '## 0000_european_45_female',
        '### Warnings',
        'class_tokens "0000_european_45_female woman" will be ignored because captions exist',
      ]) {
        await editor(page).getByText(text).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      }
      // The buckets table comes further down: search the document for it, as a person would scroll.
      await page.keyboard.press('Control+F');
      await page.keyboard.type('| 1344x768 | 13 |');
      await editor(page).getByText('| 1344x768 | 13 |').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-export-preview.png') });
    },
  },
  {
    name: 'Cancel after the preview: no folder is asked and nothing was written',
    run: async (page) => {
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Export them?' });
      await toast.getByRole('button', { name: 'Cancel' }).click();
      await toast.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
      if (await page.locator('.quick-input-widget').isVisible()) throw new Error('a folder was asked for after Cancel');
      await until('the workspace to stay as it was', async () => JSON.stringify(listing(page)) === JSON.stringify(filesBefore), 5_000);
    },
  },
];
