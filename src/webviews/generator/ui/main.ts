// The Generator panel's page (browser bundle, built by esbuild.js to dist/webviews/generator.js).
// Every text from the host (labels, prompts, file names, messages) goes into the DOM as text.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import { Bridge } from '../../shared/ui/bridge';
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import { choosePrompt, customOptionLabel, FREE_TEXT_CHOICE, groupPrompts, optionLabel, usagePill } from '../prompts';
import { errorView, resultView } from './outcome';
import { OwnPromptFields } from './ownPrompt';
import type {
  ActorChoice,
  CustomPromptChoice,
  ErrorMessage,
  GeneratorHostMessage,
  GeneratorRequests,
  GeneratorUiMessage,
  GeneratorUiState,
  PromptChoice,
  ResultMessage,
  StateMessage,
} from '../protocol';
import '../../shared/ui/base.css';
import './styles.css';

/** Values of the category heading options; never a prompt id (ids are `[a-z0-9_.-]+`, custom ones `custom:<hex>`). */
const GROUP_PREFIX = '#group:';

class GeneratorView {
  private readonly bridge = new Bridge<GeneratorHostMessage, GeneratorUiMessage, GeneratorRequests, GeneratorUiState>((message) => this.onMessage(message));
  private state: StateMessage | undefined;
  private promptId: string | undefined;
  /** The generation this page shows progress for. */
  private running: string | undefined;
  /** Whether the host has reported on `running` yet (a state sent before it got the request does not end it). */
  private runningKnownToHost = false;
  /** Requests that ended; a late state that still calls them busy is ignored. */
  private readonly finished = new Set<string>();
  private requestCounter = 0;
  private actorOptionsKey = '';
  private promptOptionsKey = '';

  // The parts of the page that change.
  private readonly provider = h('strong', { class: 'provider-name' }, '…');
  private readonly notice = h('div', { class: 'notice', attrs: { role: 'status', hidden: true } });
  private readonly actorSelect = h('vscode-single-select', { id: 'actor', props: { label: 'Actor' } }) as VscodeSingleSelect;
  private readonly actorHint = h('p', { class: 'hint', id: 'actor-hint' });
  private readonly promptSelect = h('vscode-single-select', { id: 'prompt', props: { label: 'Prompt' } }) as VscodeSingleSelect;
  private readonly previewCategory = h('span', { class: 'preview-category' });
  private readonly previewBadge = h('vscode-badge', { class: 'usage-pill' });
  private readonly previewTotal = h('span', { class: 'preview-total' });
  private readonly previewText = h('p', { class: 'prompt-text', id: 'prompt-text' });
  private readonly preview = h('section', { class: 'preview', attrs: { 'aria-label': 'Prompt preview', hidden: true } });
  private readonly generateButton = h('vscode-button', { id: 'generate', attrs: { icon: 'sparkle' } }, 'Generate') as VscodeButton;
  private readonly fillButton = h(
    'vscode-button',
    {
      id: 'fill',
      attrs: {
        secondary: true,
        icon: 'layers',
        title: 'Plan what this actor lacks against its targets and generate it (generations only; asks first when it costs money)',
      },
    },
    'Fill to Target',
  ) as VscodeButton;
  /** Fill to Target runs in the editor's notification; until it ends the button stays off. */
  private filling = false;
  private readonly progressText = h('span', { class: 'progress-text', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly cancelButton = h('vscode-button', { id: 'cancel', attrs: { secondary: true, icon: 'close' } }, 'Cancel') as VscodeButton;
  private readonly progress = h(
    'div',
    { class: 'progress', attrs: { hidden: true } },
    h('vscode-progress-ring', { attrs: { 'aria-label': 'Generating' } }),
    this.progressText,
    this.cancelButton,
  );
  private readonly outcome = h('section', { class: 'outcome', attrs: { 'aria-live': 'polite', 'aria-label': 'Result' } });
  private readonly own = new OwnPromptFields(this.bridge.state.freeText ?? '', (freeText) => {
    this.bridge.saveState({ freeText });
    this.updateButtons();
  });

  constructor(private readonly root: HTMLElement) {
    this.promptId = this.bridge.state.promptId;
    this.actorSelect.addEventListener('change', () => this.onActorChange());
    this.promptSelect.addEventListener('change', () => this.onPromptChange());
    this.generateButton.addEventListener('click', () => this.generate());
    this.fillButton.addEventListener('click', () => this.fill());
    this.cancelButton.addEventListener('click', () => this.cancel());
    replaceChildren(
      root,
      h(
        'header',
        { class: 'header' },
        h('h1', {}, 'Generate a training image'),
        h('p', { class: 'provider' }, codicon('server-process'), ' Provider: ', this.provider),
      ),
      this.notice,
      h('div', { class: 'field' }, h('vscode-label', { attrs: { for: 'actor' } }, 'Actor'), this.actorSelect, this.actorHint),
      h('div', { class: 'field' }, h('vscode-label', { attrs: { for: 'prompt' } }, 'Prompt'), this.promptSelect),
      this.own.textField,
      this.preview,
      this.own.categoryField,
      this.own.baseImageField,
      h('div', { class: 'actions' }, this.generateButton, this.fillButton, this.progress),
      h('vscode-divider', { attrs: { role: 'separator' } }),
      this.outcome,
    );
    replaceChildren(this.preview, h('div', { class: 'preview-head' }, this.previewCategory, this.previewBadge, this.previewTotal), this.previewText);
    this.updateButtons();
    this.bridge.ready();
  }

  private onMessage(message: GeneratorHostMessage): void {
    switch (message.type) {
      case 'state':
        this.applyState(message);
        break;
      case 'progress':
        if (!this.finished.has(message.requestId) && (this.running === undefined || this.running === message.requestId)) {
          this.setRunning(message.requestId, message.message, true);
        }
        break;
      case 'result':
        this.finish(message.requestId);
        this.showResult(message);
        break;
      case 'error':
        this.finish(message.requestId);
        this.showError(message);
        break;
    }
  }

  private applyState(state: StateMessage): void {
    this.state = state;
    this.root.setAttribute('aria-busy', 'false');
    this.provider.textContent = state.provider;
    const notices = [state.blocked, state.problem].filter((text): text is string => !!text);
    this.notice.hidden = notices.length === 0;
    replaceChildren(this.notice, ...notices.flatMap((text) => [h('p', {}, codicon('warning'), ' ', text)]));
    this.renderActors(state.actors, state.selectedActorId);
    this.promptId = choosePrompt(state.prompts, this.promptId, this.bridge.state.promptId, state.customPrompts);
    this.renderPrompts(state.prompts, state.customPrompts);
    this.own.renderBaseImages(state.baseImages);
    this.renderPreview();
    if (state.busy && !this.finished.has(state.busy.requestId)) {
      this.setRunning(state.busy.requestId, state.busy.message, true);
    } else if (!state.busy && this.running && this.runningKnownToHost) {
      // The host finished it while this page was not listening; its outcome follows.
      this.running = undefined;
    }
    this.bridge.saveState({ actorId: state.selectedActorId, promptId: this.promptId });
    this.updateButtons();
  }

  private renderActors(actors: ActorChoice[], selected: string | undefined): void {
    const key = JSON.stringify([actors, selected]);
    if (key === this.actorOptionsKey) {
      return;
    }
    this.actorOptionsKey = key;
    replaceChildren(
      this.actorSelect,
      ...actors.map((actor) =>
        h(
          'vscode-option',
          { props: { value: actor.id, description: actor.description, selected: actor.id === selected } },
          actor.hasBaseImage ? actor.label : `${actor.label} (no base image)`,
        ),
      ),
    );
    if (selected) {
      this.actorSelect.value = selected;
    }
    const actor = actors.find((each) => each.id === selected);
    this.actorHint.textContent = actors.length === 0 ? 'There are no actors in the data folder yet.' : actor ? actor.description : '';
    if (actor && !actor.hasBaseImage) {
      this.actorHint.textContent = `${actor.id} has no base image: add ${actor.id}_base.png (or .jpg) to its base_image folder to generate.`;
    }
  }

  private renderPrompts(prompts: PromptChoice[], customPrompts: CustomPromptChoice[]): void {
    const key = JSON.stringify([
      prompts.map((prompt) => [prompt.id, prompt.label, prompt.badge, prompt.category]),
      customPrompts.map((prompt) => [prompt.id, prompt.badge]),
      this.promptId,
    ]);
    if (key === this.promptOptionsKey) {
      return;
    }
    this.promptOptionsKey = key;
    const options: HTMLElement[] = [];
    for (const group of groupPrompts(prompts)) {
      options.push(h('vscode-option', { class: 'group', props: { value: `${GROUP_PREFIX}${group.category}`, disabled: true } }, `— ${group.label} —`));
      for (const prompt of group.prompts) {
        options.push(h('vscode-option', { props: { value: prompt.id, selected: prompt.id === this.promptId } }, optionLabel(prompt)));
      }
    }
    if (customPrompts.length > 0) {
      options.push(h('vscode-option', { class: 'group', props: { value: `${GROUP_PREFIX}custom`, disabled: true } }, '— Custom prompts —'));
      for (const prompt of customPrompts) {
        options.push(
          h('vscode-option', { props: { value: prompt.id, description: prompt.text, selected: prompt.id === this.promptId } }, customOptionLabel(prompt)),
        );
      }
    }
    options.push(h('vscode-option', { class: 'group', props: { value: `${GROUP_PREFIX}own`, disabled: true } }, '— Your own —'));
    options.push(h('vscode-option', { props: { value: FREE_TEXT_CHOICE, selected: this.promptId === FREE_TEXT_CHOICE } }, 'Write a prompt…'));
    replaceChildren(this.promptSelect, ...options);
    if (this.promptId) {
      this.promptSelect.value = this.promptId;
    }
  }

  private renderPreview(): void {
    const custom = this.selectedCustomPrompt();
    this.own.show(this.promptMode() ?? 'library', custom?.text);
    const prompt = this.selectedPrompt();
    this.preview.hidden = !prompt && !custom;
    const shown = prompt ?? custom;
    if (!shown) {
      return;
    }
    const pill = usagePill(shown.usedByActor);
    this.previewCategory.textContent = prompt ? prompt.categoryLabel : 'Custom prompt';
    this.previewBadge.textContent = pill.text;
    this.previewBadge.className = `usage-pill ${pill.tone}`;
    this.previewTotal.textContent = !prompt
      ? 'its text matches no library prompt'
      : prompt.usedTotal > 0
        ? `${prompt.usedTotal}x across all actors`
        : 'not used for any actor yet';
    this.previewText.textContent = shown.text;
  }

  private onActorChange(): void {
    const actorId = this.actorSelect.value;
    if (!actorId || actorId === this.state?.selectedActorId) {
      return;
    }
    this.bridge.saveState({ actorId });
    this.bridge.post({ type: 'selectActor', actorId });
  }

  private onPromptChange(): void {
    const value = this.promptSelect.value;
    if (!value || value.startsWith(GROUP_PREFIX)) {
      return;
    }
    this.promptId = value;
    this.bridge.saveState({ promptId: value });
    this.renderPreview();
    this.updateButtons();
  }

  private generate(): void {
    const actor = this.selectedActor();
    const mode = this.promptMode();
    if (!actor || !mode || this.running || this.generateButton.disabled) {
      return;
    }
    const requestId = `${Date.now().toString(36)}-${++this.requestCounter}`;
    this.setRunning(requestId, 'starting', false);
    replaceChildren(this.outcome);
    const chosen = mode === 'library' ? { promptId: this.promptId } : {};
    this.bridge.post({ type: 'generate', requestId, actorId: actor.id, ...chosen, ...this.own.request(mode, this.selectedCustomPrompt()?.text) });
    void this.cancelButton.updateComplete.then(() => requestAnimationFrame(() => this.cancelButton.focus()));
  }

  private fill(): void {
    const actor = this.selectedActor();
    if (!actor || this.running || this.filling || this.fillButton.disabled) {
      return;
    }
    this.filling = true;
    this.updateButtons();
    this.bridge
      .request('fillToTarget', { actorId: actor.id })
      .catch((error: Error) =>
        replaceChildren(
          this.outcome,
          h('p', { class: 'hint warning', attrs: { role: 'alert' } }, codicon('warning'), ` Fill to Target failed: ${error.message}`),
        ),
      )
      .finally(() => {
        this.filling = false;
        this.updateButtons();
      });
  }

  private cancel(): void {
    if (this.running) {
      this.bridge.post({ type: 'cancel', requestId: this.running });
      this.progressText.textContent = 'cancelling…';
    }
  }

  private setRunning(requestId: string, message: string, knownToHost: boolean): void {
    this.runningKnownToHost = knownToHost || (this.running === requestId && this.runningKnownToHost);
    this.running = requestId;
    this.progressText.textContent = `${message}…`;
    this.updateButtons();
  }

  private finish(requestId: string): void {
    this.finished.add(requestId);
    const hadFocus = this.cancelButton.matches(':focus-within') || document.activeElement === this.cancelButton;
    if (this.running === requestId || this.running === undefined) {
      this.running = undefined;
    }
    this.updateButtons();
    if (hadFocus) {
      // Focus where the Cancel button was, once the button has re-rendered as enabled.
      void this.generateButton.updateComplete.then(() => requestAnimationFrame(() => this.generateButton.focus()));
    }
  }

  private updateButtons(): void {
    const busy = this.running !== undefined;
    const actor = this.selectedActor();
    const blocked = !!this.state?.blocked;
    this.progress.hidden = !busy;
    this.generateButton.hidden = busy;
    const mode = this.promptMode();
    const missing = mode && this.own.missing(mode);
    this.generateButton.disabled = busy || blocked || !actor?.hasBaseImage || !mode || !!missing;
    this.generateButton.title = missing ? `To generate, ${missing}` : '';
    this.fillButton.hidden = busy;
    this.fillButton.disabled = this.filling || blocked || !actor?.hasBaseImage;
    this.actorSelect.disabled = busy;
    this.promptSelect.disabled = busy;
    this.own.setDisabled(busy);
  }

  private showResult(result: ResultMessage): void {
    const promptLabel =
      this.state?.prompts.find((prompt) => prompt.id === result.promptId)?.label ?? (result.promptId.startsWith('custom:') ? 'custom prompt' : result.promptId);
    replaceChildren(
      this.outcome,
      resultView(result, promptLabel, () => this.bridge.request('openImage', { actorId: result.actorId, filename: result.filename })),
    );
  }

  private showError(error: ErrorMessage): void {
    replaceChildren(this.outcome, errorView(error));
  }

  private selectedActor(): ActorChoice | undefined {
    return this.state?.actors.find((actor) => actor.id === this.state?.selectedActorId);
  }

  private selectedPrompt(): PromptChoice | undefined {
    return this.state?.prompts.find((prompt) => prompt.id === this.promptId);
  }

  private selectedCustomPrompt(): CustomPromptChoice | undefined {
    return this.state?.customPrompts.find((prompt) => prompt.id === this.promptId);
  }

  /** What the prompt choice is: a library prompt, a custom prompt of the actor, the free text; undefined for none. */
  private promptMode(): 'library' | 'custom' | 'free' | undefined {
    if (this.promptId === FREE_TEXT_CHOICE) {
      return 'free';
    }
    return this.selectedPrompt() ? 'library' : this.selectedCustomPrompt() ? 'custom' : undefined;
  }
}

new GeneratorView(document.getElementById('app') ?? document.body);
