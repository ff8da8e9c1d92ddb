// The Image Viewer's caption: the training caption with its source and lint findings, editable.
// Browser code: every text (caption, messages) goes into the DOM as text, never as HTML.
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import type { CaptionView, ImageView } from '../protocol';

const SEVERITY_ICONS = { error: 'error', warning: 'warning', info: 'info' } as const;

export class CaptionBox {
  private readonly source = h('vscode-badge', { id: 'caption-source', attrs: { variant: 'default' } });
  private readonly text = h('vscode-textarea', {
    id: 'caption',
    attrs: { rows: '3', resize: 'vertical', placeholder: '[trigger] woman, ...' },
    props: { label: 'Caption' },
  }) as VscodeTextarea;
  private readonly saveButton = h(
    'vscode-button',
    { id: 'save-caption', attrs: { icon: 'save' }, on: { click: () => this.save() } },
    'Save Caption',
  ) as VscodeButton;
  private readonly findings = h('ul', { class: 'caption-findings', id: 'caption-findings' });
  private readonly hint = h('p', { class: 'hint', id: 'caption-hint' });
  readonly element = h(
    'section',
    { class: 'caption-box', attrs: { 'aria-label': 'Caption' } },
    h('h2', {}, 'Caption ', this.source),
    this.text,
    h('div', { class: 'feedback-actions' }, this.saveButton),
    this.hint,
    this.findings,
  );
  /** The image and caption the box was last filled with: typing is kept until another arrives. */
  private shown: string | undefined;

  constructor(private readonly onSave: (text: string) => void) {}

  render(view: ImageView | undefined): void {
    const caption: CaptionView | undefined = view?.caption;
    this.element.hidden = !caption;
    if (!view || !caption) {
      this.shown = undefined;
      return;
    }
    this.source.textContent = caption.source;
    this.source.title = caption.sourceLabel;
    this.hint.textContent = `${caption.sourceLabel}. [trigger] stands for the trigger word chosen at export.`;
    const key = `${view.actorId}/${view.filename}\n${caption.text}`;
    if (this.shown !== key) {
      this.text.value = caption.text;
      this.shown = key;
    }
    replaceChildren(
      this.findings,
      ...caption.findings.map((finding) =>
        h(
          'li',
          { class: `finding ${finding.severity}`, attrs: { 'data-code': finding.code } },
          codicon(SEVERITY_ICONS[finding.severity]),
          ' ',
          finding.message,
        ),
      ),
    );
  }

  setEnabled(enabled: boolean): void {
    this.text.disabled = !enabled;
    this.saveButton.disabled = !enabled;
  }

  private save(): void {
    const text = this.text.value;
    if (text.trim()) {
      this.onSave(text);
    }
  }
}
