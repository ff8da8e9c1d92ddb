// The sample workspace: the command palette opens the Generator panel; in its webview a person
// picks an actor and a prompt, reads the preview, generates with the offline provider, and sees
// the image, with the usage badge updated. A user prompt with markup shows as plain text.
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Page } from 'playwright-core';
import { openActorStudio, runCommand, shot, Step, STEP_TIMEOUT_MS } from './stepRunner';

const CARL = '0001_european_35_male';
const GENERATE_TIMEOUT_MS = 90_000;

/** The panel's page: the webview's outer iframe, then the frame holding our document. */
export const panel = (page: Page): FrameLocator =>
  page.frameLocator('iframe.webview.ready[src*="extensionId=actor-studio.actor-studio"]').frameLocator('#active-frame');

/** The workspace folder the page opened (the runner passes it as `?folder=`). */
export function workspaceOf(page: Page): string {
  const folder = new URL(page.url()).searchParams.get('folder');
  if (!folder || !fs.existsSync(path.join(folder, 'data'))) throw new Error(`no workspace with a data folder in the page URL ${page.url()}`);
  return folder;
}

const heading = (page: Page) => panel(page).getByRole('heading', { name: 'Generate a training image' });

/** Opens a vscode-single-select and clicks the option with this exact label. */
export async function choose(page: Page, selectId: string, label: string | RegExp): Promise<void> {
  const select = panel(page).locator(`#${selectId}`);
  await select.click();
  const option = select.getByRole('option', { name: label });
  await option.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await option.first().click();
}

const MARKUP_PROMPT = {
  id: 'zz_markup_probe',
  label: 'Markup <img src=x onerror="document.title=1"> probe',
  category: 'color_stylized',
  template: '<script>document.title="pwned"</script> The {descriptor} <b>in bold</b> & "quotes"',
};

export const generatorPanelSteps: Step[] = [
  {
    name: 'a user prompt with markup is in the library (data/prompts.json)',
    run: async (page) => {
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      fs.writeFileSync(path.join(workspaceOf(page), 'data', 'prompts.json'), JSON.stringify({ prompts: [MARKUP_PROMPT] }, null, 2));
    },
  },
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: 'the command palette runs "Actor Studio: Open Generator" and the panel shows the offline provider',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Open Generator');
      await heading(page).waitFor({ state: 'visible', timeout: 60_000 });
      await panel(page).locator('.provider-name', { hasText: 'local (offline)' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'picking an actor and a prompt shows the full prompt and an "Unused" badge; the dropdown says [unused]',
    run: async (page) => {
      await choose(page, 'actor', CARL);
      await choose(page, 'prompt', 'Watercolour [unused]');
      const text = panel(page).locator('#prompt-text');
      await text.filter({ hasText: /watercolou?r/i }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      if (!/\bman\b/.test((await text.textContent()) ?? '')) throw new Error('the preview does not name Carl a "man"');
      await panel(page).locator('vscode-badge.usage-pill.unused', { hasText: 'Unused' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-generator-panel-ready.png') });
    },
  },
  {
    name: 'Generate shows progress, then the image with its file name; the badge turns to "Used 1x"',
    run: async (page) => {
      await panel(page).getByRole('button', { name: 'Generate' }).click();
      const image = panel(page).locator('img.result-image');
      await image.waitFor({ state: 'visible', timeout: GENERATE_TIMEOUT_MS });
      const caption = await panel(page).locator('.result-title').innerText();
      const filename = new RegExp(`${CARL}_\\d+\\.(jpg|png)`).exec(caption)?.[0];
      if (!filename) throw new Error(`no file name in "${caption}"`);
      if (!fs.existsSync(path.join(workspaceOf(page), 'data', 'actors', CARL, 'training_data', filename)))
        throw new Error(`${filename} is not in the data folder`);
      await panel(page).locator('vscode-badge.usage-pill.used', { hasText: 'Used 1x' }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const naturalWidth = await image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth);
      if (!(naturalWidth > 0)) throw new Error('the result image did not decode');
      await page.mouse.move(5, 5);
      await page.screenshot({ path: shot('e2e-generator-panel.png') });
    },
  },
  {
    name: 'clicking the file name opens the image in an editor',
    run: async (page) => {
      const name = (await panel(page).locator('.result-title button.link').innerText()).trim();
      await panel(page).locator('.result-title button.link').click();
      await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-generator-panel-opened-image.png') });
      // Where the image opened over the panel, bring the panel back (its page is rebuilt).
      if (
        !(await heading(page)
          .isVisible()
          .catch(() => false))
      ) {
        await runCommand(page, 'Actor Studio: Open Generator');
        await heading(page).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      }
    },
  },
  {
    name: 'a prompt with markup shows as text: no element, no script, the characters as written',
    run: async (page) => {
      await choose(page, 'prompt', /^Markup <img src=x onerror="document.title=1"> probe \[unused\]$/);
      const text = panel(page).locator('#prompt-text');
      const expected = MARKUP_PROMPT.template.replace('{descriptor}', 'man');
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      while ((await text.textContent()) !== expected) {
        if (Date.now() > deadline) throw new Error(`the preview shows "${await text.textContent()}", expected "${expected}"`);
        await page.waitForTimeout(100);
      }
      const injected = await panel(page)
        .locator('body')
        .evaluate((body) => ({
          // Ours, and the one VS Code injects for acquireVsCodeApi.
          scripts: body.ownerDocument.querySelectorAll('script:not(#_vscodeApiScript)').length,
          bold: body.querySelectorAll('b').length,
          images: body.querySelectorAll('img[src="x"]').length,
          title: body.ownerDocument.title,
        }));
      if (injected.scripts !== 1 || injected.bold !== 0 || injected.images !== 0 || injected.title !== 'Generator') {
        throw new Error(`markup became part of the page: ${JSON.stringify(injected)}`);
      }
      await page.screenshot({ path: shot('e2e-generator-panel-markup.png') });
    },
  },
];
