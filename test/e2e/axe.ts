/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Accessibility checks inside a panel's page: axe-core (injected through the debugging protocol,
// which the page's CSP does not govern) and a keyboard walk that Tabs through every control.
import * as fs from 'fs';
import type { Frame, Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** The document of the visible Actor Studio panel (outer webview iframe, then its active frame). */
export async function visiblePanelFrame(page: Page): Promise<Frame> {
  const outer = await page.locator('iframe.webview.ready[src*="extensionId=actor-studio.actor-studio"]:visible').first().elementHandle({ timeout: 30_000 });
  const outerFrame = await outer?.contentFrame();
  const inner = await (await outerFrame?.waitForSelector('#active-frame', { timeout: 30_000 }))?.contentFrame();
  if (!inner) throw new Error('no visible Actor Studio panel');
  await inner.waitForLoadState('load');
  return inner;
}

/** axe-core's violations in the frame (WCAG 2.1 A and AA, and best practices). */
export async function runAxe(frame: Frame): Promise<AxeViolation[]> {
  if (!(await frame.evaluate(() => 'axe' in window))) {
    await frame.evaluate(AXE_SOURCE);
  }
  return frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<Record<string, unknown>> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return result.violations.map((violation) => ({
      id: String(violation.id),
      impact: (violation.impact as string | null) ?? null,
      help: String(violation.help),
      nodes: (violation.nodes as Array<{ target: unknown[] }>).slice(0, 5).map((node) => node.target.map(String).join(' ')),
    }));
  });
}

export const isSerious = (violation: AxeViolation) => violation.impact === 'serious' || violation.impact === 'critical';

export interface KeyboardWalk {
  /** Enabled, visible controls no Tab press reached (their description). */
  unreached: string[];
  /** Controls that took the focus without a visible focus indicator. */
  invisibleFocus: string[];
}

/**
 * Tabs through the page (focus starts in its document) and notes which enabled, visible controls
 * took the focus and whether anything about them changed to show it: the outline, a box shadow or
 * the border colour of the control or of any part inside its shadow root (where the components
 * draw their focus ring), measured against the same control unfocused.
 */
export async function walkWithKeyboard(page: Page, frame: Frame, maxPresses = 80): Promise<KeyboardWalk> {
  await frame.locator('body').click({ position: { x: 2, y: 2 } });
  await frame.evaluate(() => {
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.getAttribute('aria-label') ? `[${element.getAttribute('aria-label')}]` : ''}${(element.textContent ?? '').trim() ? ` "${(element.textContent ?? '').trim().slice(0, 30)}"` : ''}`;
    const parts = (element: Element): Element[] => [element, ...[...(element.shadowRoot?.querySelectorAll('*') ?? [])].flatMap(parts)];
    const look = (element: Element) =>
      parts(element)
        .map((part) => {
          const style = getComputedStyle(part);
          return `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}|${style.boxShadow}|${style.borderTopColor}`;
        })
        .join(';');
    const controls = [
      ...document.querySelectorAll(
        'button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"]), vscode-button, vscode-single-select, vscode-textfield, vscode-textarea, vscode-checkbox, vscode-tab-header, vscode-collapsible',
      ),
    ].filter((element) => {
      const box = element.getBoundingClientRect();
      const disabled = element.hasAttribute('disabled') || element.getAttribute('aria-disabled') === 'true';
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden' && !disabled;
    });
    const unfocused = new Map(controls.map((element) => [element, look(element)]));
    const state = { controls, reached: new Set<Element>(), invisible: [] as string[], describe };
    (window as unknown as { __walk: typeof state }).__walk = state;
    document.addEventListener(
      'focusin',
      () => {
        const focused = document.activeElement;
        if (!focused) return;
        // A focused part inside a component counts for the control around it.
        const control = controls.find((candidate) => candidate === focused || candidate.contains(focused)) ?? focused;
        state.reached.add(control);
        const before = unfocused.get(control);
        if (before !== undefined && before === look(control)) state.invisible.push(describe(control));
      },
      true,
    );
  });
  for (let press = 0; press < maxPresses; press++) {
    await page.keyboard.press('Tab');
  }
  return frame.evaluate(() => {
    const state = (window as unknown as { __walk: { controls: Element[]; reached: Set<Element>; invisible: string[]; describe: (element: Element) => string } })
      .__walk;
    // Tabs follow the ARIA pattern: one Tab stop for the list, the arrow keys move between tabs.
    const reachedTabList = (element: Element) =>
      element.matches('vscode-tab-header') &&
      [...state.reached].some((reached) => reached.matches('vscode-tab-header') && reached.parentElement === element.parentElement);
    return {
      unreached: state.controls.filter((element) => !state.reached.has(element) && !reachedTabList(element)).map(state.describe),
      invisibleFocus: [...new Set(state.invisible)],
    };
  });
}
