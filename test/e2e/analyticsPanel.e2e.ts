// The sample workspace with a generation log made here (successes, failures over three days, a
// rating) and the packaged extension: the Analytics panel opens from the Actors view's `...`
// menu, each tab draws a real Chart.js chart and a table with the log's numbers.
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { choose, panel, workspaceOf } from './generatorPanel.e2e';
import { openActorStudio, shot, sidebar, Step, STEP_TIMEOUT_MS } from './stepRunner';

const EILEEN = '0000_european_45_female';
const CARL = '0001_european_35_male';
const FLUX = 'black-forest-labs/flux-kontext-pro';

/** User text with markup: it must show as text, never become elements. */
const MARKUP_PROMPT = 'Portrait <script>alert(1)</script> of the woman';
const MARKUP_FEEDBACK = '<img src=x onerror=alert(1)> lovely';

/**
 * Writes `data/tracking/generation_log.json` into the copied workspace: 3 successes (2 with flux,
 * 1 local) and 2 flux failures (content_filter, rate_limit) over 1-3 December, and a 5-star
 * rating of an image deleted since (so only the log knows it), prompt and feedback with markup.
 */
function writeAnalyticsLog(workspace: string): void {
  const entry = (timestamp: string, actor: string, model: string, extra: Record<string, unknown> = {}) => ({
    id: `${actor}-${timestamp}`,
    timestamp,
    actor_id: actor,
    prompt_id: 'photo_golden_hour_rooftop',
    prompt: 'Cinematic photo of the woman on a rooftop at golden hour',
    model,
    save_method: 'manual',
    ...extra,
  });
  const log = {
    successes: [
      entry('2026-12-01T10:00:00.000Z', EILEEN, FLUX, {
        prompt: MARKUP_PROMPT,
        category: 'photorealistic',
        result_path: `actors/${EILEEN}/training_data/${EILEEN}_99.jpg`,
      }),
      entry('2026-12-02T10:00:00.000Z', CARL, FLUX),
      entry('2026-12-03T10:00:00.000Z', EILEEN, 'local/augment'),
    ],
    failures: [
      entry('2026-12-01T11:00:00.000Z', EILEEN, FLUX, { error_message: 'flagged as sensitive (E005)', failure_reason: 'content_filter' }),
      entry('2026-12-03T11:00:00.000Z', CARL, FLUX, { error_message: '429 Too Many Requests', failure_reason: 'rate_limit' }),
    ],
    ratings: [{ timestamp: '2026-12-03T12:00:00.000Z', actor_id: EILEEN, filename: `${EILEEN}_99.jpg`, stars: 5, feedback: MARKUP_FEEDBACK }],
  };
  const file = path.join(workspace, 'data', 'tracking', 'generation_log.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(log, null, 2));
}

/** The little of a canvas the check reads (this project's tests compile without DOM types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } } | null;
}

/** Opaque pixels on a canvas of the panel: more than a few hundred means Chart.js drew bars. */
async function drawnPixels(page: Page, canvasId: string): Promise<number> {
  const canvas = panel(page).locator(`canvas#${canvasId}`);
  await canvas.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  return canvas.evaluate((element) => {
    const { width, height, getContext } = element as unknown as CanvasLike;
    const context = getContext.call(element, '2d');
    if (!context || width === 0 || height === 0) return 0;
    const pixels = context.getImageData(0, 0, width, height).data;
    let count = 0;
    for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] > 0) count++;
    return count;
  });
}

async function expectChart(page: Page, canvasId: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let count = 0;
  while (Date.now() < deadline) {
    count = await drawnPixels(page, canvasId);
    if (count > 500) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`chart #${canvasId} is blank (${count} drawn pixels)`);
}

/** A table row whose cells read exactly `cells` (header cell first). */
async function expectRow(page: Page, tableId: string, cells: string[]): Promise<void> {
  const rows = panel(page).locator(`table#${tableId} tr`);
  await rows.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let seen: string[][] = [];
  while (Date.now() < deadline) {
    seen = await rows.evaluateAll((elements) => elements.map((row) => [...row.children].map((cell) => (cell.textContent ?? '').trim())));
    if (seen.some((row) => row.join('|') === cells.join('|'))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`#${tableId} has no row ${JSON.stringify(cells)}; rows: ${JSON.stringify(seen)}`);
}

async function openTab(page: Page, title: string): Promise<void> {
  await panel(page).locator('vscode-tab-header', { hasText: title }).click();
}

export const analyticsPanelSteps: Step[] = [
  {
    name: 'the workspace has a generation log (written here, before the panel opens)',
    run: async (page) => {
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      writeAnalyticsLog(workspaceOf(page));
    },
  },
  { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
  {
    name: 'the Actors view’s ... menu has "Open Analytics"; the panel opens on the Usage tab with a chart and a table',
    run: async (page) => {
      await sidebar(page).locator('.monaco-list-row', { hasText: EILEEN }).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      const title = sidebar(page).locator('.composite.title');
      await title.hover();
      const more = title.locator('.action-label[aria-label*="More Actions"]').first();
      try {
        await more.click({ timeout: STEP_TIMEOUT_MS });
      } catch (error) {
        const labels = await title.locator('[aria-label]').evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label')));
        throw new Error(`no "More Actions" button in the view title (labels: ${labels.join(' | ')}): ${(error as Error).message}`);
      }
      // The menu acts on a focused item and Enter, as with the keyboard (a synthetic click can land before it listens).
      await page.locator('.monaco-menu .action-label', { hasText: 'Open Analytics' }).hover();
      await page.keyboard.press('Enter');
      await panel(page).getByRole('heading', { name: 'Analytics' }).waitFor({ state: 'visible', timeout: 60_000 });
      await expectChart(page, 'usage-chart');
      await panel(page).locator('table#usage-table').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      await page.screenshot({ path: shot('e2e-analytics-usage.png') });
    },
  },
  {
    name: 'Quality: the rating chart and the distribution table (the sample’s 7 ratings and the log’s); markup shows as text',
    run: async (page) => {
      await openTab(page, 'Quality');
      await expectChart(page, 'rating-chart');
      await expectRow(page, 'rating-table', ['5 stars', '3']);
      await expectRow(page, 'rating-table', ['Rated', '8']);
      await expectRow(page, 'high-rated', ['5', EILEEN, `${EILEEN}_99.jpg`, MARKUP_PROMPT, MARKUP_FEEDBACK]);
      const injected = await panel(page).locator('#tab-quality script, #tab-quality img').count();
      if (injected > 0) throw new Error(`user text became ${injected} element(s)`);
      await panel(page).locator('table#high-rated').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot('e2e-analytics-quality.png') });
    },
  },
  {
    name: 'Failures: reasons and attempts per day drawn; 50% failure rate for flux in the table',
    run: async (page) => {
      await openTab(page, 'Failures');
      await expectChart(page, 'failure-reason-chart');
      await expectChart(page, 'attempts-by-day-chart');
      await expectRow(page, 'failure-reason-table', ['content_filter', '1']);
      await expectRow(page, 'failure-model-table', [FLUX, '2', '2', '0', '50%']);
      await expectRow(page, 'attempts-by-day-table', ['2026-12-03', '1', '1']);
      await page.screenshot({ path: shot('e2e-analytics-failures.png') });
    },
  },
  {
    name: 'Balance: actors against 13/4/3, most work first',
    run: async (page) => {
      await openTab(page, 'Balance');
      await expectChart(page, 'balance-chart');
      await expectRow(page, 'balance-table', [CARL, '3/13', '2/4', '1/3', '0', '14', '+10 Photorealistic, +2 B&W stylized, +2 Colour stylized']);
      await page.screenshot({ path: shot('e2e-analytics-balance.png') });
    },
  },
  {
    name: 'Spend: two flux images at $0.04 each',
    run: async (page) => {
      await openTab(page, 'Spend');
      await expectChart(page, 'spend-chart');
      await expectRow(page, 'generation-spend-table', [FLUX, '2', '$0.04', '$0.08']);
      await expectRow(page, 'generation-spend-table', ['Total', '3', '–', '$0.08']);
    },
  },
  {
    name: 'Patterns: save method, parameters and the prompt success-rate/rating scatter drawn, each with its table',
    run: async (page) => {
      await openTab(page, 'Patterns');
      await expectChart(page, 'save-method-chart');
      await expectChart(page, 'parameter-chart');
      await expectChart(page, 'correlation-chart');
      // Every attempt is manual; only the deleted _99 (5 stars) is logged with its file and rated.
      await expectRow(page, 'save-method-table', ['manual', '5', '3', '2', '60%', '1', '5']);
      await expectRow(page, 'parameter-model-table', [FLUX, '4', '2', '2', '50%', '1', '5']);
      await expectRow(page, 'correlation-table', ['photo_golden_hour_rooftop', '5', '60%', '1', '5']);
      await page.screenshot({ path: shot('e2e-analytics-patterns.png') });
    },
  },
  {
    name: 'choosing one actor in the scope picker shows only its numbers',
    run: async (page) => {
      await choose(page, 'scope', CARL);
      await openTab(page, 'Spend');
      await expectRow(page, 'generation-spend-table', ['Total', '1', '–', '$0.04']);
      await openTab(page, 'Balance');
      const rows = panel(page).locator('table#balance-table tbody tr');
      await expectRow(page, 'balance-table', [CARL, '3/13', '2/4', '1/3', '0', '14', '+10 Photorealistic, +2 B&W stylized, +2 Colour stylized']);
      if ((await rows.count()) !== 1) throw new Error(`the balance table lists ${await rows.count()} actors for one`);
    },
  },
];
