// Side by side with the base image: an overlay over the grid (Space or Escape closes it).
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import type { ThumbnailResult } from '../protocol';

export class CompareOverlay {
  readonly element = h('div', {
    class: 'compare',
    id: 'compare-view',
    attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'compare-title', hidden: true, tabindex: '-1' },
  });
  private returnFocus: HTMLElement | undefined;

  constructor(private readonly load: (filename: string, base: boolean) => Promise<ThumbnailResult>) {
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' || event.key === ' ') {
        event.preventDefault();
        event.stopPropagation();
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(baseImage: string | undefined, filename: string, returnFocus: HTMLElement): void {
    this.returnFocus = returnFocus;
    const closeButton = h('vscode-button', { id: 'compare-close', attrs: { icon: 'close', secondary: true }, on: { click: () => this.close() } }, 'Close');
    replaceChildren(
      this.element,
      h('div', { class: 'compare-head' }, h('h2', { id: 'compare-title' }, `${filename} beside the base image`), closeButton),
      h('div', { class: 'compare-pair' }, this.side('Base image', baseImage, true), this.side(filename, filename, false)),
      h('p', { class: 'hint' }, 'Space or Escape closes.'),
    );
    this.element.hidden = false;
    this.element.focus();
  }

  close(): void {
    this.element.hidden = true;
    replaceChildren(this.element);
    this.returnFocus?.focus();
  }

  private side(label: string, filename: string | undefined, base: boolean): HTMLElement {
    const frame = h('div', { class: 'compare-frame' }, codicon('loading'));
    const figure = h('figure', { class: 'compare-side' }, frame, h('figcaption', {}, label));
    if (!filename) {
      replaceChildren(frame, h('p', { class: 'hint' }, 'This actor has no base image.'));
      return figure;
    }
    this.load(filename, base).then(
      (result) =>
        replaceChildren(
          frame,
          'src' in result ? h('img', { attrs: { src: result.src, alt: label } }) : h('p', { class: 'hint' }, codicon('warning'), ' ', result.broken),
        ),
      (error: Error) => replaceChildren(frame, h('p', { class: 'hint' }, codicon('warning'), ' ', error.message)),
    );
    return figure;
  }
}
