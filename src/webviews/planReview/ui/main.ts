// The Plan Review panel's page (browser bundle, built by esbuild.js to dist/webviews/planReview.js).
// Every text from the host (file names, reasons, prompt labels and texts) goes into the DOM as
// text; thumbnails are data URIs the host made (the data folder is not a resource root).
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import { formatCost } from '../../../core/plan/cost';
import { OneActionAtATime } from '../../shared/ui/actions';
import { Bridge } from '../../shared/ui/bridge';
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import {
  CategoryView,
  DeletionView,
  isPlanView,
  PlanReviewHostMessage,
  PlanReviewRequests,
  PlanReviewUiMessage,
  PlanReviewUiState,
  PlanView,
  ReviewItemView,
  StateMessage,
} from '../protocol';
import '../../shared/ui/base.css';
import './styles.css';

class PlanReviewView {
  private readonly bridge = new Bridge<PlanReviewHostMessage, PlanReviewUiMessage, PlanReviewRequests, PlanReviewUiState>(
    (message) => message.type === 'state' && this.applyState(message),
  );
  private state: StateMessage | undefined;
  private readonly expanded = new Set<string>(this.bridge.state.expanded ?? []);

  private readonly title = h('h1', {}, 'Plan Review');
  private readonly meta = h('p', { class: 'meta', id: 'plan-meta' });
  private readonly notice = h('div', { class: 'notice', id: 'notice', attrs: { role: 'status', hidden: true } });
  private readonly staleBox = h('div', { class: 'notice stale', id: 'stale', attrs: { role: 'alert', hidden: true } });
  private readonly body = h('div', { class: 'plan-body', id: 'plan-body' });
  /** The actor's images that need review (from its manifest, with or without a plan). */
  private readonly reviewSection = h('section', { class: 'review', id: 'review', attrs: { 'aria-labelledby': 'review-heading', hidden: true } });
  /** Keep and Delete buttons of the review list, re-made with each state. */
  private reviewButtons: VscodeButton[] = [];
  private readonly status = h('p', { class: 'status', id: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  /** The action this page asked for and waits on. */
  private readonly actions = new OneActionAtATime(this.status, () => this.updateButtons());
  private readonly openButton = this.button('open-plan', 'Open Plan File', 'go-to-file', true, () =>
    this.run('openPlanFile', () => this.bridge.request('openPlanFile', null)),
  );
  private readonly replanButton = this.button('replan', 'Re-plan', 'refresh', true, () => this.replan());
  private readonly staleReplanButton = this.button('stale-replan', 'Re-plan', 'refresh', false, () => this.replan());
  private readonly dryRunButton = this.button('dry-run', 'Dry Run', 'debug-alt', true, () => this.execute('dry-run'));
  private readonly executeButton = this.button('execute', 'Execute', 'play', false, () => this.execute('execute'));
  /** Disabled buttons take no pointer events: the tooltip sits on a wrapper. */
  private readonly executionGroup = h('span', { class: 'execution', id: 'execution' }, this.dryRunButton, this.executeButton);
  private readonly spinner = h('vscode-progress-ring', { class: 'spinner', attrs: { 'aria-label': 'Working', hidden: true } });

  constructor(private readonly root: HTMLElement) {
    replaceChildren(
      root,
      h('header', { class: 'header' }, this.title, this.meta),
      this.notice,
      this.staleBox,
      h('div', { class: 'actions' }, this.openButton, this.replanButton, this.executionGroup, this.spinner),
      this.status,
      h('vscode-divider', { attrs: { role: 'separator' } }),
      this.reviewSection,
      this.body,
    );
    this.updateButtons();
    this.bridge.ready();
  }

  private button(id: string, label: string, icon: string, secondary: boolean, onClick: () => void): VscodeButton {
    return h('vscode-button', { id, attrs: { icon, secondary }, on: { click: onClick } }, label) as VscodeButton;
  }

  private applyState(state: StateMessage): void {
    this.state = state;
    this.root.setAttribute('aria-busy', 'false');
    this.bridge.saveState({ actorId: state.actorId, expanded: [...this.expanded] });
    this.title.textContent = `Plan Review: ${state.actorId}`;
    const notices = [state.blocked, state.problem].filter((text): text is string => !!text);
    this.notice.hidden = notices.length === 0;
    replaceChildren(this.notice, ...notices.map((text) => h('p', {}, codicon('warning'), ' ', text)));
    this.renderReview(state.review ?? []);
    const load = state.load;
    if (isPlanView(load)) {
      this.renderMeta(load);
      this.renderStale(load);
      replaceChildren(
        this.body,
        this.renderCost(load),
        this.renderDeletions(load.deletions),
        this.renderGenerations(load),
        this.renderUnclassified(load.unclassified),
      );
    } else {
      replaceChildren(this.meta);
      this.staleBox.hidden = true;
      const text =
        'missing' in load
          ? `${state.actorId} has no plan yet. Re-plan evaluates its images and writes data/action_plans/${state.actorId}_action_plan.json.`
          : `The plan file does not pass its schema:\n${load.invalid}`;
      replaceChildren(
        this.body,
        h('div', { class: 'message-box', id: 'no-plan', attrs: { role: 'status' } }, codicon('missing' in load ? 'info' : 'error'), ' ', text),
      );
    }
    this.status.textContent = state.busy ? `${state.busy}…` : this.status.textContent;
    this.updateButtons();
  }

  private renderMeta(plan: PlanView): void {
    const planned = plan.createdAt ? new Date(plan.createdAt) : undefined;
    const when = planned && !Number.isNaN(planned.getTime()) ? planned.toLocaleString() : 'unknown';
    replaceChildren(
      this.meta,
      h('span', { class: 'field', id: 'planned-at', attrs: { title: plan.createdAt ?? '' } }, codicon('calendar'), ' Planned ', when),
      h('span', { class: 'field', id: 'evaluator' }, codicon('checklist'), ' Evaluator ', plan.evaluator ?? 'unknown'),
      h('span', { class: 'field', id: 'seed' }, codicon('symbol-number'), ' Seed ', plan.seed === undefined ? 'none' : String(plan.seed)),
    );
  }

  private renderStale(plan: PlanView): void {
    const stale = plan.stale;
    this.staleBox.hidden = !stale.stale;
    if (!stale.stale) {
      replaceChildren(this.staleBox);
      return;
    }
    const parts = [
      stale.added.length > 0 ? `added: ${stale.added.join(', ')}` : '',
      stale.removed.length > 0 ? `removed: ${stale.removed.join(', ')}` : '',
      stale.changed.length > 0 ? `changed: ${stale.changed.join(', ')}` : '',
    ].filter(Boolean);
    replaceChildren(
      this.staleBox,
      h(
        'p',
        {},
        codicon('warning'),
        ' ',
        h('strong', {}, 'Stale: '),
        'files changed since this plan was made',
        parts.length > 0 ? ` (${parts.join('; ')})` : '',
        '. Re-plan before executing.',
      ),
      this.staleReplanButton,
    );
  }

  private renderCost(plan: PlanView): HTMLElement {
    const [current, ...others] = plan.cost;
    const line = (estimate: (typeof plan.cost)[number]) =>
      `${formatCost(estimate.total, estimate.currency)} for ${estimate.images} image${estimate.images === 1 ? '' : 's'} with ${estimate.model}` +
      (estimate.perImage !== undefined ? ` (${formatCost(estimate.perImage, estimate.currency)} each)` : '');
    return h(
      'section',
      { class: 'cost', id: 'cost', attrs: { 'aria-label': 'Estimated cost' } },
      h('h2', {}, 'Estimated cost'),
      current
        ? h('p', { class: 'cost-main', id: 'cost-main' }, h('strong', {}, line(current)))
        : h('p', {}, `${plan.generationCount} generations; no model to price them with.`),
      ...others.map((estimate) => h('p', { class: 'cost-other' }, `With ${line(estimate)}`)),
      plan.evaluationSpend ? h('p', { class: 'cost-other', id: 'evaluation-spend' }, plan.evaluationSpend) : undefined,
      current ? h('p', { class: 'hint', id: 'cost-note' }, current.note) : undefined,
    );
  }

  private renderDeletions(deletions: DeletionView[]): HTMLElement {
    return h(
      'section',
      { class: 'deletions', id: 'deletions', attrs: { 'aria-label': 'Deletions' } },
      h('h2', {}, `Deletions (${deletions.length})`),
      deletions.length === 0
        ? h('p', { class: 'hint' }, 'Nothing to delete.')
        : h(
            'ul',
            { class: 'deletion-list' },
            ...deletions.map((deletion) =>
              h(
                'li',
                { class: `deletion rule-${deletion.rule}`, attrs: { 'data-filename': deletion.filename } },
                deletion.thumbnail
                  ? h('img', { class: 'thumb', attrs: { alt: `Thumbnail of ${deletion.filename}`, src: deletion.thumbnail } })
                  : h('div', { class: 'thumb placeholder', attrs: { title: 'no preview (file missing or unreadable)' } }, codicon('file-media')),
                h(
                  'div',
                  { class: 'deletion-text' },
                  h('p', { class: 'filename' }, deletion.filename),
                  h('p', { class: 'rule' }, h('vscode-badge', { attrs: { variant: 'counter' } }, deletion.ruleText)),
                  h('p', { class: 'reason' }, deletion.reason),
                ),
              ),
            ),
          ),
    );
  }

  private renderReview(items: ReviewItemView[]): void {
    this.reviewSection.hidden = items.length === 0;
    this.reviewButtons = [];
    if (items.length === 0) {
      replaceChildren(this.reviewSection);
      return;
    }
    replaceChildren(
      this.reviewSection,
      h('h2', { id: 'review-heading' }, codicon('eye'), ` Needs review (${items.length})`),
      h(
        'p',
        { class: 'hint' },
        'The checks could not judge these faces, so the plan neither deletes them nor counts on them. Keep each one, or delete it (to the trash, undoable).',
      ),
      h(
        'ul',
        { class: 'review-list' },
        ...items.map((item) => {
          const keep = h(
            'vscode-button',
            { attrs: { icon: 'check', 'aria-label': `Keep ${item.filename}` }, on: { click: () => this.keepImage(item.filename) } },
            'Keep',
          ) as VscodeButton;
          const remove = h(
            'vscode-button',
            { attrs: { icon: 'trash', secondary: true, 'aria-label': `Delete ${item.filename}` }, on: { click: () => this.deleteImage(item.filename) } },
            'Delete',
          ) as VscodeButton;
          this.reviewButtons.push(keep, remove);
          return h(
            'li',
            { class: 'review-item', attrs: { 'data-filename': item.filename } },
            item.thumbnail
              ? h('img', { class: 'thumb', attrs: { alt: `Thumbnail of ${item.filename}`, src: item.thumbnail } })
              : h('div', { class: 'thumb placeholder', attrs: { title: 'no preview (file missing or unreadable)' } }, codicon('file-media')),
            h(
              'div',
              { class: 'deletion-text' },
              h('p', { class: 'filename' }, item.filename),
              h('p', { class: 'reason' }, `Needs review: ${item.reason}`),
              h('div', { class: 'review-actions' }, keep, remove),
            ),
          );
        }),
      ),
    );
  }

  private keepImage(filename: string): void {
    this.run('Keep', async () => {
      const { kept } = await this.bridge.request('keepImage', { filename });
      this.status.textContent = kept ? `Kept ${filename}: it stays in the set.` : '';
    });
  }

  private deleteImage(filename: string): void {
    this.run('Delete', async () => {
      const { deleted } = await this.bridge.request('deleteImage', { filename });
      this.status.textContent = deleted ? `${filename} moved to the trash (Undo Last Execution puts it back).` : '';
    });
  }

  private renderGenerations(plan: PlanView): HTMLElement {
    return h(
      'section',
      { class: 'generations', id: 'generations', attrs: { 'aria-label': 'Generations' } },
      h('h2', {}, `Generations (${plan.generationCount})`),
      ...plan.categories.map((category) => this.renderCategory(category)),
    );
  }

  private renderCategory(category: CategoryView): HTMLElement {
    const after = category.kept + category.generations.length;
    return h(
      'div',
      { class: 'category', attrs: { 'data-category': category.category } },
      h(
        'h3',
        {},
        category.label,
        ' ',
        h(
          'span',
          { class: 'counts', attrs: { title: 'kept after deletions / target; then after generating' } },
          `kept ${category.kept}/${category.target} · +${category.generations.length} → ${after}/${category.target}`,
        ),
      ),
      category.unfilled > 0
        ? h('p', { class: 'hint warning' }, codicon('warning'), ` ${category.unfilled} more needed, but no unused prompt is left in this category.`)
        : undefined,
      category.generations.length === 0
        ? h('p', { class: 'hint' }, 'Nothing to generate.')
        : h(
            'div',
            { class: 'prompt-list' },
            ...category.generations.map((generation) => {
              const item = h(
                'vscode-collapsible',
                {
                  class: 'prompt',
                  attrs: { 'data-prompt-id': generation.promptId },
                  // The id goes in the body: the collapsible draws its description too faint to read (axe: contrast).
                  props: { heading: generation.label, open: this.expanded.has(generation.promptId) },
                },
                h('p', { class: 'prompt-id' }, h('code', {}, generation.promptId)),
                h('p', { class: 'prompt-text' }, generation.text || '(no prompt text in the plan)'),
              );
              item.addEventListener('vsc-collapsible-toggle', (event) => {
                const open = (event as CustomEvent<{ open: boolean }>).detail?.open;
                if (open) {
                  this.expanded.add(generation.promptId);
                } else {
                  this.expanded.delete(generation.promptId);
                }
                this.bridge.saveState({ expanded: [...this.expanded] });
              });
              return item;
            }),
          ),
    );
  }

  private renderUnclassified(unclassified: string[]): HTMLElement | undefined {
    if (unclassified.length === 0) {
      return undefined;
    }
    return h(
      'section',
      { class: 'unclassified', id: 'unclassified' },
      h('h2', {}, `Unclassified (${unclassified.length})`),
      h('p', { class: 'hint' }, 'In no category, so counted nowhere and never deleted for quota: ', unclassified.join(', ')),
    );
  }

  private replan(): void {
    this.run('Re-plan', () => this.bridge.request('replan', null));
  }

  private execute(mode: 'dry-run' | 'execute'): void {
    this.run(mode === 'execute' ? 'Execute' : 'Dry run', async () => {
      const { ran } = await this.bridge.request('runExecution', { mode });
      // After an execution the plan is stale (its files changed): the next state says so.
      this.status.textContent = ran ? (mode === 'execute' ? 'Executed: see the summary notification.' : 'Dry run: the report opened in an editor.') : '';
    });
  }

  private run(what: string, action: () => Promise<unknown>): void {
    this.actions.run(what, action);
  }

  private updateButtons(): void {
    const state = this.state;
    const busy = this.actions.pending !== undefined || !!state?.busy;
    const blocked = !!state?.blocked;
    const hasPlan = isPlanView(state?.load);
    this.spinner.hidden = !busy;
    this.openButton.disabled = !state || (!hasPlan && !('invalid' in (state.load ?? {})));
    this.replanButton.disabled = !state || busy || blocked;
    this.staleReplanButton.disabled = this.replanButton.disabled;
    this.dryRunButton.disabled = !state || busy || blocked || !hasPlan;
    for (const button of this.reviewButtons) {
      button.disabled = !state || busy || blocked;
      setTitle(button, blocked ? (state?.blocked ?? '') : '');
    }
    // The executor refuses a stale plan; a dry run still shows what it would have done.
    const stale = isPlanView(state?.load) && state.load.stale.stale;
    this.executeButton.disabled = this.dryRunButton.disabled || stale;
    const tooltip = blocked ? (state?.blocked ?? '') : '';
    const staleTip = stale ? 'Execute: re-plan first, files changed since this plan was made' : '';
    // Disabled buttons take no pointer events: the wrapper carries the tooltip.
    setTitle(this.executionGroup, tooltip || staleTip);
    setTitle(this.dryRunButton, tooltip);
    setTitle(this.executeButton, tooltip || staleTip);
  }
}

function setTitle(element: HTMLElement, title: string): void {
  if (title) {
    element.setAttribute('title', title);
  } else {
    element.removeAttribute('title');
  }
}

new PlanReviewView(document.getElementById('app') ?? document.body);
