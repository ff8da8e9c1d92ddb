// The Generator page's fields beyond the prompt list: the text of a prompt of the user's own, its
// category (chosen, or taken from the words as they are typed), and the base image when the actor
// has several. Every text goes into the DOM as text.
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import { categoryFromPromptText } from '../../../core/prompts/promptCategory';
import { h, replaceChildren } from '../../shared/ui/dom';
import { BaseImageOption, MAX_PROMPT_TEXT_LENGTH, PROMPT_CATEGORIES, PROMPT_CATEGORY_LABELS, PromptCategory } from '../protocol';

/** The category select's value for "take it from the text". */
const FROM_TEXT = 'auto';

/** What the fields add to a `generate` message. */
export interface OwnPromptRequest {
  promptText?: string;
  category?: PromptCategory;
  baseImage?: string;
}

export class OwnPromptFields {
  readonly textField: HTMLElement;
  readonly categoryField: HTMLElement;
  readonly baseImageField: HTMLElement;
  private readonly textArea = h('vscode-textarea', {
    id: 'prompt-own',
    attrs: { 'aria-describedby': 'prompt-own-hint' },
    props: {
      rows: 5,
      maxLength: MAX_PROMPT_TEXT_LENGTH,
      placeholder: 'Describe the image; say "the man from the input image" (or woman, person) for the actor.',
    },
  }) as VscodeTextarea;
  private readonly categorySelect = h('vscode-single-select', { id: 'prompt-category', props: { label: 'Category' } }) as VscodeSingleSelect;
  private readonly categoryHint = h('p', { class: 'hint', id: 'prompt-category-hint' });
  private readonly baseImageSelect = h('vscode-single-select', { id: 'base-image', props: { label: 'Base image' } }) as VscodeSingleSelect;
  private baseImagesKey = '';
  /** The text the category follows: the free text, or the chosen custom prompt's. */
  private shownText = '';
  /** The guess the category options were last built for ('' for none, null before the first build). */
  private optionsGuess: string | null = null;

  constructor(
    initialText: string,
    private readonly onChange: (freeText: string) => void,
  ) {
    this.textArea.value = initialText;
    this.textArea.addEventListener('input', () => {
      this.shownText = this.textArea.value;
      this.renderCategories();
      this.onChange(this.textArea.value);
    });
    this.categorySelect.addEventListener('change', () => {
      this.renderCategoryHint();
      this.onChange(this.textArea.value);
    });
    this.textField = h(
      'div',
      { class: 'field', attrs: { hidden: true } },
      h('vscode-label', { attrs: { for: 'prompt-own' } }, 'Your prompt'),
      this.textArea,
      h('p', { class: 'hint', id: 'prompt-own-hint' }, 'Recorded as a custom prompt of the actor, with its usage counted by text.'),
    );
    this.categoryField = h(
      'div',
      { class: 'field', attrs: { hidden: true } },
      h('vscode-label', { attrs: { for: 'prompt-category' } }, 'Category'),
      this.categorySelect,
      this.categoryHint,
    );
    this.baseImageField = h(
      'div',
      { class: 'field', attrs: { hidden: true } },
      h('vscode-label', { attrs: { for: 'base-image' } }, 'Base image'),
      this.baseImageSelect,
    );
    this.renderCategories();
  }

  /** Shows the fields for a library prompt (none), a custom prompt (its category) or a prompt to write. */
  show(mode: 'library' | 'custom' | 'free', customText = ''): void {
    this.textField.hidden = mode !== 'free';
    this.categoryField.hidden = mode === 'library';
    const text = mode === 'free' ? this.textArea.value : customText;
    if (text !== this.shownText) {
      // Another prompt: its category is taken from its words again until one is chosen for it.
      this.shownText = text;
      this.categorySelect.value = FROM_TEXT;
      this.renderCategories();
    }
  }

  /** Offers the actor's base images when it has more than one; its own stays chosen until another is. */
  renderBaseImages(options: BaseImageOption[]): void {
    const key = JSON.stringify(options);
    if (key === this.baseImagesKey) {
      return;
    }
    this.baseImagesKey = key;
    this.baseImageField.hidden = options.length < 2;
    replaceChildren(
      this.baseImageSelect,
      ...options.map((option) =>
        h(
          'vscode-option',
          { props: { value: option.filename, selected: option.canonical, description: option.canonical ? 'the actor’s base image' : '' } },
          option.canonical ? `${option.filename} (base image)` : option.filename,
        ),
      ),
    );
    const canonical = options.find((option) => option.canonical);
    if (canonical) {
      this.baseImageSelect.value = canonical.filename;
    }
  }

  /** Why Generate cannot go yet with a prompt of the user's own, or undefined when it can. */
  missing(mode: 'library' | 'custom' | 'free'): string | undefined {
    if (mode === 'library') {
      return undefined;
    }
    if (mode === 'free' && this.textArea.value.trim() === '') {
      return 'write a prompt';
    }
    return this.category() ? undefined : 'choose a category';
  }

  /** The fields' part of the request; `text` is the custom prompt's when one is chosen. */
  request(mode: 'library' | 'custom' | 'free', customText?: string): OwnPromptRequest {
    const base = this.baseImageField.hidden ? undefined : this.baseImageSelect.value || undefined;
    const chosen = this.categorySelect.value !== FROM_TEXT ? (this.categorySelect.value as PromptCategory) : undefined;
    return {
      ...(mode === 'free' ? { promptText: this.textArea.value } : mode === 'custom' ? { promptText: customText } : {}),
      ...(mode !== 'library' && chosen ? { category: chosen } : {}),
      ...(base ? { baseImage: base } : {}),
    };
  }

  setDisabled(disabled: boolean): void {
    this.textArea.disabled = disabled;
    this.categorySelect.disabled = disabled;
    this.baseImageSelect.disabled = disabled;
  }

  private category(): PromptCategory | undefined {
    const value = this.categorySelect.value;
    return value === FROM_TEXT || !value ? categoryFromPromptText(this.shownText) : (value as PromptCategory);
  }

  private renderCategories(): void {
    const chosen = this.categorySelect.value || FROM_TEXT;
    const guess = categoryFromPromptText(this.shownText);
    if ((guess ?? '') === this.optionsGuess) {
      this.renderCategoryHint();
      return;
    }
    this.optionsGuess = guess ?? '';
    replaceChildren(
      this.categorySelect,
      h('vscode-option', { props: { value: FROM_TEXT, selected: chosen === FROM_TEXT } }, `From the text${guess ? `: ${PROMPT_CATEGORY_LABELS[guess]}` : ''}`),
      ...PROMPT_CATEGORIES.map((category) =>
        h('vscode-option', { props: { value: category, selected: chosen === category } }, PROMPT_CATEGORY_LABELS[category]),
      ),
    );
    this.categorySelect.value = chosen;
    this.renderCategoryHint();
  }

  private renderCategoryHint(): void {
    const fromText = (this.categorySelect.value || FROM_TEXT) === FROM_TEXT;
    this.categoryHint.textContent = !fromText
      ? 'The image counts in this category.'
      : categoryFromPromptText(this.shownText)
        ? 'Taken from the words of the prompt (photo, black-and-white, illustration, ...).'
        : 'The text does not say which category it is: choose one.';
  }
}
