// Keys: "Actor Studio: Set API Key" stores a Replicate token in VS Code's SecretStorage; the
// Generator panel then names Replicate as its provider; the token is in no workspace file and
// not in the panel's page; removing it brings the offline provider back.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { panel } from './generatorPanel.e2e';
import { openActorStudio, runCommand, shot, Step, STEP_TIMEOUT_MS } from './stepRunner';

const TOKEN = 'r8_e2e.only.token.for.tests';

async function pickQuickItem(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await row.click();
}

async function expectProvider(page: Page, provider: RegExp): Promise<void> {
  await runCommand(page, 'Actor Studio: Open Generator');
  await panel(page).getByText(provider).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
}

function filesContaining(dir: string, needle: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

export const apiKeySteps: Step[] = [
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: 'Set API Key stores a Replicate token typed into a password box',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Set API Key');
      await pickQuickItem(page, 'Replicate API token');
      const input = page.locator('.quick-input-widget input[type="password"]');
      await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await input.fill(TOKEN);
      await page.keyboard.press('Enter');
      await page
        .getByText(/Replicate API token saved in VS Code's secret storage/)
        .first()
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    },
  },
  {
    name: 'the Generator panel now uses Replicate, and the token is in no workspace file nor the page',
    run: async (page) => {
      await expectProvider(page, /Replicate black-forest-labs\/flux-kontext-pro/);
      await page.screenshot({ path: shot('e2e-api-key-provider.png') });
      const pageText = await panel(page).locator('body').innerHTML();
      if (pageText.includes(TOKEN)) throw new Error('the token reached the webview');
      const folder = new URL(page.url()).searchParams.get('folder')!;
      const leaks = filesContaining(folder, TOKEN);
      if (leaks.length > 0) throw new Error(`the token was written to ${leaks.join(', ')}`);
    },
  },
  {
    name: 'removing the token brings the offline provider back',
    run: async (page) => {
      await runCommand(page, 'Actor Studio: Set API Key');
      await pickQuickItem(page, 'Remove Replicate API token');
      await page
        .getByText(/Replicate API token removed/)
        .first()
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await expectProvider(page, /local \(offline\)/);
    },
  },
];
