// Every panel for everyone: axe-core finds no serious or critical violation in any panel in the
// light, dark and high-contrast themes (one editor started in each), Tab reaches every control
// with a visible focus, and each panel is photographed in each theme (test-results/).
import type { Frame, Page } from 'playwright-core';
import { isSerious, runAxe, visiblePanelFrame, walkWithKeyboard, type AxeViolation } from './axe';
import { openActorStudio, runCommand, shot, Step, until } from './stepRunner';

const EILEEN = '0000_european_45_female';
const PLAN_TIMEOUT_MS = 120_000;

interface PanelUnderTest {
  name: string;
  /** The tab title (a prefix) that shows the panel. */
  tab: RegExp;
  /** Text on the page once it has drawn its state. */
  ready: RegExp;
}

const PANELS: PanelUnderTest[] = [
  { name: 'generator', tab: /^Generator/, ready: /Generate a training image/ },
  { name: 'analytics', tab: /^Actor Studio Analytics/, ready: /Prompt use/ },
  { name: 'plan-review', tab: /^Plan Review/, ready: /Deletions/ },
  { name: 'image-viewer', tab: /^Image:/, ready: /Evaluation/ },
  { name: 'gallery', tab: /^Gallery/, ready: /Base image/ },
];

/** VS Code's own themes, as the setting names them. */
export const THEMES = [
  { id: 'light', setting: 'Default Light Modern' },
  { id: 'dark', setting: 'Default Dark Modern' },
  { id: 'high-contrast', setting: 'Default High Contrast' },
] as const;

type Theme = (typeof THEMES)[number];

/**
 * Runs a command and answers its quick picks in order. A page that finishes loading meanwhile can
 * take the focus and close a quick pick before it is answered: then the command is run again.
 */
async function runAndPick(page: Page, command: string, ...answers: string[]): Promise<void> {
  await until(
    `${command} and its choices`,
    async () => {
      await runCommand(page, command);
      for (const answer of answers) {
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: answer }).first();
        const shown = await row.waitFor({ state: 'visible', timeout: 10_000 }).then(
          () => true,
          () => false,
        );
        if (!shown) {
          await page.keyboard.press('Escape');
          return false;
        }
        await page.locator('.quick-input-widget input').fill(answer);
        await page.keyboard.press('Enter');
      }
      return true;
    },
    90_000,
  );
}

/** The panel's page once it drew its state; the page of the panel shown before may still be going away meanwhile. */
async function waitUntilDrawn(page: Page, panel: PanelUnderTest): Promise<Frame> {
  let drawn: Frame | undefined;
  await until(`the ${panel.name} page`, async () => {
    const frame = await visiblePanelFrame(page);
    await frame.getByText(panel.ready).first().waitFor({ state: 'visible', timeout: 3_000 });
    drawn = frame;
    return true;
  });
  return drawn!;
}

async function showPanel(page: Page, panel: PanelUnderTest) {
  await page.locator('.part.editor .tab', { hasText: panel.tab }).first().click();
  return waitUntilDrawn(page, panel);
}

function describe(violations: AxeViolation[]): string {
  return violations.map((violation) => `${violation.impact} ${violation.id} (${violation.help}): ${violation.nodes.join(' | ')}`).join('\n');
}

async function openPanels(page: Page): Promise<void> {
  await runAndPick(page, 'Actor Studio: Plan Actor', EILEEN);
  await page.locator('.notification-toast', { hasText: `plan for ${EILEEN}` }).waitFor({ state: 'visible', timeout: PLAN_TIMEOUT_MS });
  // Each page is let finish loading first: a loading page takes the focus, closing the next palette.
  const [generator, analytics, planReview, imageViewer, gallery] = PANELS;
  await runAndPick(page, 'Actor Studio: Open Plan Review', EILEEN);
  await waitUntilDrawn(page, planReview);
  await runAndPick(page, 'Actor Studio: Open Image Viewer', EILEEN, `${EILEEN}_0.jpg`);
  await waitUntilDrawn(page, imageViewer);
  await runAndPick(page, 'Actor Studio: Open Generator');
  await waitUntilDrawn(page, generator);
  await runAndPick(page, 'Actor Studio: Open Analytics');
  await waitUntilDrawn(page, analytics);
  await runAndPick(page, 'Actor Studio: Open Gallery', EILEEN);
  await waitUntilDrawn(page, gallery);
}

export function accessibilitySteps(theme: Theme): Step[] {
  return [
    { name: 'activity bar has "Actor Studio" and opens its container', run: openActorStudio },
    {
      name: 'the five panels open: Plan Review (after Plan Actor), the Image Viewer, Generator, Analytics and the Gallery',
      run: openPanels,
    },
    {
      name: `${theme.setting}: axe-core finds no serious or critical violation in any panel`,
      run: async (page) => {
        const failures: string[] = [];
        const counts: string[] = [];
        for (const panel of PANELS) {
          const clicked = Date.now();
          const frame = await showPanel(page, panel);
          const drawnMs = Date.now() - clicked;
          const violations = await runAxe(frame);
          const serious = violations.filter(isSerious);
          counts.push(`${panel.name} ${serious.length} serious/critical, ${violations.length} in all (drawn ${drawnMs} ms after its tab was clicked)`);
          if (serious.length > 0) failures.push(`${panel.name}:\n${describe(serious)}`);
          // Kept in test-results/ to look at, in every theme; docs/screenshots/ holds the ones looked at and committed.
          await page.mouse.move(5, 500);
          await page.screenshot({ path: shot(`${panel.name}-${theme.id}.png`) });
        }
        console.log(`    axe (${theme.setting}): ${counts.join('; ')}`);
        if (failures.length > 0) throw new Error(failures.join('\n'));
      },
    },
    {
      name: 'Tab reaches every control of every panel, and the focus is visible',
      run: async (page) => {
        const failures: string[] = [];
        for (const panel of PANELS) {
          const frame = await showPanel(page, panel);
          const walk = await walkWithKeyboard(page, frame);
          if (walk.unreached.length > 0) failures.push(`${panel.name}: not reached by Tab: ${walk.unreached.join(', ')}`);
          if (walk.invisibleFocus.length > 0) failures.push(`${panel.name}: no visible focus on ${walk.invisibleFocus.join(', ')}`);
        }
        if (failures.length > 0) throw new Error(failures.join('\n'));
      },
    },
  ];
}
