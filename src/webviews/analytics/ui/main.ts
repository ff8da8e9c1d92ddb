// The Analytics panel's page (browser bundle, built by esbuild.js to dist/webviews/analytics.js).
// It computes nothing: the host sends core's numbers and the page draws them as charts and tables.
// Every text from the host (prompt texts, feedback, actor ids, file names) goes in as text nodes.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTabs } from '@vscode-elements/elements/dist/vscode-tabs/vscode-tabs.js';
import { Bridge } from '../../shared/ui/bridge';
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import { ANALYTICS_TABS, AnalyticsHostMessage, AnalyticsRequests, AnalyticsTab, AnalyticsUiMessage, AnalyticsUiState, StateMessage } from '../protocol';
import { ChartBoard, themePalette } from './charts';
import { patternsTab } from './patternsTab';
import { balanceTab, failuresTab, qualityTab, spendTab, TabContext, usageTab } from './tabs';
import '../../shared/ui/base.css';
import './styles.css';

const TAB_TITLES: Record<AnalyticsTab, string> = {
  usage: 'Usage',
  quality: 'Quality',
  failures: 'Failures',
  balance: 'Balance',
  spend: 'Spend',
  patterns: 'Patterns',
};
const RENDERERS: Record<AnalyticsTab, (context: TabContext) => HTMLElement[]> = {
  usage: usageTab,
  quality: qualityTab,
  failures: failuresTab,
  balance: balanceTab,
  spend: spendTab,
  patterns: patternsTab,
};
/** The scope picker's value for all actors (actor ids are never empty). */
const ALL_ACTORS = '';

class AnalyticsView {
  private readonly bridge = new Bridge<AnalyticsHostMessage, AnalyticsUiMessage, AnalyticsRequests, AnalyticsUiState>(
    (message) => message.type === 'state' && this.applyState(message),
  );
  private state: StateMessage | undefined;
  private readonly board = new ChartBoard();
  private tab: AnalyticsTab = ANALYTICS_TABS.includes(this.bridge.state.tab as AnalyticsTab) ? (this.bridge.state.tab as AnalyticsTab) : 'usage';

  private readonly scope = h('vscode-single-select', { id: 'scope', props: { label: 'Actors' }, attrs: { 'aria-label': 'Actors' } }) as VscodeSingleSelect;
  private readonly refreshButton = h(
    'vscode-button',
    { id: 'refresh', attrs: { icon: 'refresh', secondary: true }, on: { click: () => void this.refresh() } },
    'Refresh',
  ) as VscodeButton;
  private readonly status = h('p', { class: 'status', id: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly notice = h('div', { class: 'notice', id: 'notice', attrs: { role: 'alert', hidden: true } });
  private readonly warnings = h('ul', { class: 'warnings', id: 'warnings', attrs: { hidden: true } });
  private readonly panels = new Map(ANALYTICS_TABS.map((tab) => [tab, h('div', { id: `tab-${tab}`, class: 'tab-body' })]));
  private readonly tabs = h(
    'vscode-tabs',
    { id: 'tabs', props: { selectedIndex: ANALYTICS_TABS.indexOf(this.tab) } },
    ...ANALYTICS_TABS.map((tab) => h('vscode-tab-header', { attrs: { slot: 'header', 'data-tab': tab } }, TAB_TITLES[tab])),
    ...ANALYTICS_TABS.map((tab) => h('vscode-tab-panel', {}, this.panels.get(tab)!)),
  ) as VscodeTabs;

  constructor(private readonly root: HTMLElement) {
    replaceChildren(
      root,
      h(
        'header',
        { class: 'header' },
        h('h1', {}, 'Analytics'),
        h('div', { class: 'controls' }, h('label', { attrs: { for: 'scope' } }, 'Actors'), this.scope, this.refreshButton),
      ),
      this.status,
      this.notice,
      this.warnings,
      this.tabs,
    );
    this.scope.addEventListener('change', () => void this.changeScope());
    this.tabs.addEventListener('vsc-tabs-select', (event) => this.selectTab((event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex));
    // A theme change swaps the CSS variables: draw the charts again in the new colours.
    new MutationObserver(() => this.state && this.draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.bridge.ready();
  }

  private applyState(state: StateMessage): void {
    this.state = state;
    this.root.setAttribute('aria-busy', 'false');
    this.bridge.saveState({ actorId: state.actorId, tab: this.tab });
    this.renderScope(state);
    this.notice.hidden = !state.problem;
    replaceChildren(this.notice, ...(state.problem ? [codicon('error'), ' ', state.problem] : []));
    this.warnings.hidden = state.warnings.length === 0;
    replaceChildren(this.warnings, ...state.warnings.map((warning) => h('li', {}, codicon('warning'), ' ', warning)));
    const computed = new Date(state.computedAt);
    this.status.textContent = `Computed ${Number.isNaN(computed.getTime()) ? state.computedAt : computed.toLocaleString()}`;
    this.draw();
  }

  private renderScope(state: StateMessage): void {
    replaceChildren(
      this.scope,
      h('vscode-option', { props: { value: ALL_ACTORS, selected: state.actorId === null } }, 'All actors'),
      ...state.actorIds.map((actorId) => h('vscode-option', { props: { value: actorId, selected: actorId === state.actorId } }, actorId)),
    );
    this.scope.value = state.actorId ?? ALL_ACTORS;
  }

  private draw(): void {
    this.board.clear();
    const analytics = this.state?.analytics;
    const palette = themePalette();
    for (const tab of ANALYTICS_TABS) {
      const panel = this.panels.get(tab)!;
      replaceChildren(panel, ...(analytics ? RENDERERS[tab]({ analytics, board: this.board, palette }) : []));
    }
  }

  private selectTab(index: number): void {
    this.tab = ANALYTICS_TABS[index] ?? 'usage';
    this.bridge.saveState({ tab: this.tab });
    // Charts in a panel that was hidden have no size yet.
    requestAnimationFrame(() => this.board.resize());
  }

  private async changeScope(): Promise<void> {
    const value = this.scope.value;
    await this.whileWaiting(`Computing for ${value === ALL_ACTORS ? 'all actors' : value}…`, () =>
      this.bridge.request('setScope', { actorId: value === ALL_ACTORS ? null : value }),
    );
  }

  private async refresh(): Promise<void> {
    await this.whileWaiting('Refreshing…', () => this.bridge.request('refresh', null));
  }

  private async whileWaiting(message: string, work: () => Promise<unknown>): Promise<void> {
    this.refreshButton.disabled = true;
    this.status.textContent = message;
    try {
      await work();
    } catch (error) {
      this.status.textContent = (error as Error).message;
    } finally {
      this.refreshButton.disabled = false;
    }
  }
}

new AnalyticsView(document.getElementById('app')!);
