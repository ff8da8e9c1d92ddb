// The Actor Gallery's page (browser bundle, built by esbuild.js to dist/webviews/gallery.js).
// Thumbnails come from the host's cache as data: URIs, asked for when a tile scrolls into view and
// kept by the key of their bytes; every text from the host goes into the DOM as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import { OneActionAtATime } from '../../shared/ui/actions';
import { Bridge } from '../../shared/ui/bridge';
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import { issueKeys, restoreView, visibleImages } from '../filters';
import type {
  GalleryFilter,
  GalleryHostMessage,
  GalleryImage,
  GalleryRequests,
  GallerySort,
  GalleryUiMessage,
  GalleryUiState,
  StateMessage,
} from '../protocol';
import { click, Direction, move, retain, selectAll, SelectionState, targetsOf, EMPTY_SELECTION } from '../selection';
import { CompareOverlay } from './compare';
import { ThumbnailStore } from './thumbnails';
import { renderTile, showThumbnail } from './tile';
import '../../shared/ui/base.css';
import './styles.css';

const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down', Home: 'home', End: 'end' };

class GalleryPage {
  private readonly bridge = new Bridge<GalleryHostMessage, GalleryUiMessage, GalleryRequests, GalleryUiState>(
    (message) => message.type === 'state' && this.applyState(message),
  );
  private state: StateMessage | undefined;
  private filter: GalleryFilter;
  private sort: GallerySort;
  private selection: SelectionState = EMPTY_SELECTION;
  /** File names in grid order, as shown now. */
  private order: string[] = [];
  private tiles = new Map<string, HTMLElement>();
  /** Tiles whose thumbnail was asked for since the last state (a new state asks again: the bytes may have changed). */
  private requested = new WeakSet<HTMLElement>();
  private readonly thumbnails = new ThumbnailStore((filename, base) => this.bridge.request('thumbnail', base ? { filename, base } : { filename }));
  private readonly observer = new IntersectionObserver((entries) => this.onVisible(entries), { rootMargin: '100% 0px' });

  private readonly title = h('h1', { id: 'gallery-title' }, 'Gallery');
  private readonly meta = h('p', { class: 'meta', id: 'gallery-meta' });
  private readonly counts = h('ul', { class: 'counts', id: 'counts', attrs: { 'aria-label': 'Images per category against the target' } });
  private readonly notice = h('div', { class: 'notice', id: 'notice', attrs: { role: 'status', hidden: true } });
  private readonly categorySelect = this.select('filter-category', 'Category');
  private readonly issueSelect = this.select('filter-issue', 'Issue');
  private readonly ratingSelect = this.select('filter-rating', 'Rating');
  private readonly reviewSelect = this.select('filter-review', 'Review');
  private readonly sortSelect = this.select('sort', 'Sort by');
  private readonly baseFrame = h('div', { class: 'thumb base-thumb', id: 'base-image' });
  private readonly grid = h('div', {
    class: 'grid',
    id: 'grid',
    attrs: { role: 'listbox', 'aria-multiselectable': 'true', 'aria-label': 'Training images', tabindex: '0' },
  });
  private readonly shownCount = h('span', { id: 'shown-count' });
  private readonly status = h('p', { class: 'status', id: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly actions = new OneActionAtATime(this.status, () => this.updateButtons());
  private readonly buttons = {
    category: this.button('set-category', 'Set Category (C)', 'tag', () => this.setCategory()),
    caption: this.button('edit-captions', 'Edit Caption', 'edit', () => this.editCaptions()),
    regenerate: this.button('regenerate', 'Regenerate (R)', 'sparkle', () => this.regenerate(false)),
    open: this.button('open-viewer', 'Open (Enter)', 'go-to-file', () => this.openViewer()),
    compare: this.button('compare', 'Compare (Space)', 'split-horizontal', () => this.compare()),
    delete: this.button('delete', 'Delete', 'trash', () => this.deleteImages()),
  };
  private readonly overlay = new CompareOverlay((filename, base) => this.bridge.request('thumbnail', { filename, base, large: true }));

  constructor(root: HTMLElement) {
    ({ filter: this.filter, sort: this.sort } = restoreView(this.bridge.state));
    this.fillStaticSelects();
    this.grid.addEventListener('keydown', (event) => this.onKey(event));
    this.grid.addEventListener('click', (event) => this.onClick(event));
    this.grid.addEventListener('dblclick', (event) => this.tileOf(event) && this.openViewer());
    this.grid.addEventListener(
      'focus',
      () => this.selection.focus === undefined && this.order.length > 0 && this.applySelection(move(this.selection, this.order, 'home', 1, { toggle: true })),
    );
    replaceChildren(
      root,
      h('header', { class: 'header' }, this.title, this.meta, this.counts),
      this.notice,
      h(
        'div',
        { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Filter and sort' } },
        this.categorySelect,
        this.issueSelect,
        this.ratingSelect,
        this.reviewSelect,
        this.sortSelect,
      ),
      h(
        'div',
        { class: 'toolbar actions', attrs: { role: 'toolbar', 'aria-label': 'Actions on the selection' } },
        ...Object.values(this.buttons),
        this.shownCount,
      ),
      h(
        'p',
        { class: 'hint keys' },
        'Click, Ctrl/Cmd+click, Shift+click or arrows (Shift extends, Ctrl/Cmd+A all) select. Keys: 1-5 rate, 0 clears, C category, R regenerate (Shift+R another prompt), Enter opens, Space compares with the base image, Delete moves to the trash.',
      ),
      this.status,
      h('div', { class: 'body' }, h('aside', { class: 'base', attrs: { 'aria-label': 'Base image' } }, h('h2', {}, 'Base image'), this.baseFrame), this.grid),
      this.overlay.element,
    );
    this.updateButtons();
    this.bridge.ready();
  }

  private select(id: string, label: string): VscodeSingleSelect {
    const select = h('vscode-single-select', { id, props: { label }, attrs: { 'aria-label': label, title: label } }) as VscodeSingleSelect;
    select.addEventListener('change', () => this.onFilterChange());
    return select;
  }

  private button(id: string, label: string, icon: string, onClick: () => void): HTMLElement {
    return h('vscode-button', { id, attrs: { icon, secondary: true }, on: { click: onClick } }, label);
  }

  private fillOptions(select: VscodeSingleSelect, options: Array<[string, string]>, value: string): void {
    replaceChildren(
      select,
      ...options.map(([optionValue, text]) => h('vscode-option', { props: { value: optionValue, selected: optionValue === value } }, text)),
    );
    select.value = value;
  }

  private fillStaticSelects(): void {
    const ratings: Array<[string, string]> = [
      ['all', 'Any rating'],
      ['unrated', 'Unrated'],
      ['rated', 'Rated'],
      ...[5, 4, 3, 2, 1].map((n): [string, string] => [String(n), `${n} star${n === 1 ? '' : 's'}`]),
    ];
    this.fillOptions(this.ratingSelect, ratings, this.filter.rating);
    this.fillOptions(
      this.reviewSelect,
      [
        ['all', 'Any review state'],
        ['needed', 'Needs review'],
        ['not_needed', 'No review needed'],
      ],
      this.filter.review,
    );
    this.fillOptions(
      this.sortSelect,
      [
        ['number', 'Sort: number'],
        ['rating', 'Sort: rating'],
        ['identity', 'Sort: identity distance'],
        ['date', 'Sort: date'],
      ],
      this.sort,
    );
  }

  private applyState(state: StateMessage): void {
    document.body.dataset.stateAt ??= performance.now().toFixed(1);
    this.state = state;
    document.getElementById('app')?.setAttribute('aria-busy', 'false');
    this.bridge.saveState({ actorId: state.actorId });
    this.title.textContent = `Gallery: ${state.actorId}`;
    const notices = [state.blocked, state.problem].filter((text): text is string => !!text);
    this.notice.hidden = notices.length === 0;
    replaceChildren(this.notice, ...notices.map((text) => h('p', {}, codicon('warning'), ' ', text)));
    const view = state.view;
    const planText = { none: 'no plan', planned: 'plan up to date', stale: 'plan stale (files changed since)', invalid: 'plan file invalid' };
    replaceChildren(
      this.meta,
      ...(view ? [h('span', { id: 'total' }, `${view.total}/${view.target} images`), h('span', { id: 'plan-state' }, planText[view.planState])] : []),
    );
    replaceChildren(
      this.counts,
      ...(view?.counts ?? []).map((count) =>
        h(
          'li',
          {
            class: `count ${count.target === undefined ? 'unclassified' : count.count < count.target ? 'under' : count.count > count.target ? 'over' : 'met'}`,
            attrs: { 'data-category': count.category },
          },
          h('span', { class: 'count-label' }, count.label),
          ' ',
          h('strong', {}, count.target === undefined ? String(count.count) : `${count.count}/${count.target}`),
        ),
      ),
    );
    const categories = view ? view.counts.map((count): [string, string] => [count.category, count.label]) : [];
    this.fillOptions(this.categorySelect, [['all', 'All categories'], ...categories], this.filter.category);
    const issues = issueKeys(view?.images ?? []);
    this.fillOptions(
      this.issueSelect,
      [['all', 'Any issues'], ['any', 'With an issue'], ['none', 'No issues'], ...issues.map((issue): [string, string] => [issue, issue.replace(/_/g, ' ')])],
      this.filter.issue,
    );
    this.thumbnails.forgetAllBut(view);
    this.renderBase(view?.baseImage, view?.baseThumbnailKey);
    this.renderGrid();
  }

  private renderBase(baseImage: string | undefined, readyKey: string | undefined): void {
    if (!baseImage) {
      replaceChildren(this.baseFrame, h('p', { class: 'hint' }, 'No base image.'));
      return;
    }
    const held = this.thumbnails.get(baseImage, true);
    const current = held?.key === readyKey ? held : undefined;
    if (current && this.baseFrame.querySelector('img')?.dataset.key === current.key) {
      return;
    }
    const thumbnail = current ? Promise.resolve(current) : this.thumbnails.fetch(baseImage, true);
    thumbnail.then(
      (result) =>
        replaceChildren(
          this.baseFrame,
          'src' in result
            ? h('img', { attrs: { src: result.src, alt: `Base image ${baseImage}`, 'data-key': result.key } })
            : h('p', { class: 'hint' }, codicon('warning'), ' ', result.broken),
        ),
      (error: Error) => replaceChildren(this.baseFrame, h('p', { class: 'hint' }, error.message)),
    );
  }

  private onFilterChange(): void {
    const category = this.categorySelect.value as GalleryFilter['category'];
    this.filter = {
      category: category || 'all',
      issue: this.issueSelect.value || 'all',
      rating: (this.ratingSelect.value || 'all') as GalleryFilter['rating'],
      review: (this.reviewSelect.value || 'all') as GalleryFilter['review'],
    };
    this.sort = (this.sortSelect.value || 'number') as GallerySort;
    this.bridge.saveState({ filter: this.filter, sort: this.sort });
    this.renderGrid();
  }

  /** Rebuilds the tiles shown; a thumbnail the page holds shows at once. */
  private renderGrid(): void {
    const view = this.state?.view;
    const images: GalleryImage[] = view ? visibleImages(view.images, this.filter, this.sort) : [];
    const previousOrder = this.order;
    this.order = images.map((image) => image.filename);
    this.observer.disconnect();
    this.requested = new WeakSet();
    this.tiles = new Map(images.map((image, position) => [image.filename, renderTile(image, `tile-${position}`, view!.identityThreshold)]));
    for (const image of images) {
      const tile = this.tiles.get(image.filename)!;
      const held = this.thumbnails.get(image.filename);
      if (held && !image.missing) {
        showThumbnail(tile, held);
        if (held.key === image.thumbnailKey) {
          this.requested.add(tile); // current: the host knew the bytes' key at once
        } // else the request on sight checks it is still current
      }
      this.observer.observe(tile);
    }
    replaceChildren(this.grid, ...this.tiles.values());
    if (view && images.length === 0) {
      replaceChildren(
        this.grid,
        h('p', { class: 'hint empty', id: 'empty' }, view.images.length === 0 ? 'This actor has no training images yet.' : 'No image matches the filter.'),
      );
    }
    this.shownCount.textContent = view ? `${images.length} of ${view.images.length} shown` : '';
    // When the tiles were first on screen (the benchmark reads it).
    requestAnimationFrame(() => (this.grid.dataset.painted = performance.now().toFixed(1)));
    this.applySelection(retain(this.selection, this.order, previousOrder), false);
  }

  private onVisible(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const tile = entry.target as HTMLElement;
      if (!entry.isIntersecting || this.requested.has(tile) || tile.dataset.thumbnail === 'broken') {
        continue;
      }
      this.requested.add(tile);
      const filename = tile.dataset.filename!;
      this.thumbnails.fetch(filename).then(
        (result) => tile.isConnected && showThumbnail(tile, result),
        (error: Error) => tile.isConnected && showThumbnail(tile, { broken: error.message }),
      );
    }
  }

  private applySelection(next: SelectionState, focus = true): void {
    this.selection = next;
    for (const [name, tile] of this.tiles) {
      tile.setAttribute('aria-selected', String(next.selected.has(name)));
      tile.classList.toggle('focused', name === next.focus);
    }
    const focused = next.focus !== undefined ? this.tiles.get(next.focus) : undefined;
    if (focused) {
      this.grid.setAttribute('aria-activedescendant', focused.id);
      if (focus) {
        focused.scrollIntoView({ block: 'nearest' });
      }
    } else {
      this.grid.removeAttribute('aria-activedescendant');
    }
    this.updateButtons();
  }

  private tileOf(event: Event): HTMLElement | undefined {
    return ((event.target as HTMLElement).closest('.tile') as HTMLElement | null) ?? undefined;
  }

  private onClick(event: MouseEvent): void {
    const tile = this.tileOf(event);
    if (tile?.dataset.filename) {
      this.applySelection(click(this.selection, this.order, tile.dataset.filename, { toggle: event.ctrlKey || event.metaKey, shift: event.shiftKey }));
      this.grid.focus();
    }
  }

  /** Columns of the grid as laid out now (for Up and Down). */
  private columns(): number {
    return Math.max(1, getComputedStyle(this.grid).gridTemplateColumns.split(' ').filter(Boolean).length);
  }

  private onKey(event: KeyboardEvent): void {
    const toggle = event.ctrlKey || event.metaKey;
    const direction = ARROWS[event.key];
    const handled = (() => {
      if (direction) {
        this.applySelection(move(this.selection, this.order, direction, this.columns(), { shift: event.shiftKey, toggle }));
      } else if (toggle && event.key.toLowerCase() === 'a') {
        this.applySelection(selectAll(this.selection, this.order));
      } else if (toggle || event.altKey) {
        return false;
      } else if (/^[0-5]$/.test(event.key)) {
        this.rate(Number(event.key));
      } else if (event.key === 'Delete') {
        this.deleteImages();
      } else if (event.key.toLowerCase() === 'c') {
        this.setCategory();
      } else if (event.key.toLowerCase() === 'r') {
        this.regenerate(event.shiftKey);
      } else if (event.key === 'Enter') {
        this.openViewer();
      } else if (event.key === ' ') {
        this.compare();
      } else {
        return false;
      }
      return true;
    })();
    if (handled) {
      event.preventDefault();
    }
  }

  private get targets(): string[] {
    return targetsOf(this.selection, this.order);
  }

  private withTargets(what: string, action: (filenames: string[]) => Promise<unknown>, writes = true): void {
    const filenames = this.targets;
    if (filenames.length === 0) {
      this.status.textContent = 'Select an image first.';
    } else if (writes && this.state?.blocked) {
      this.status.textContent = this.state.blocked;
    } else {
      this.actions.run(what, () => action(filenames));
    }
  }

  private rate(stars: number): void {
    this.withTargets(stars === 0 ? 'Clearing the rating' : `Rating ${stars}`, (filenames) => this.bridge.request('rate', { filenames, stars }));
  }

  private setCategory(): void {
    this.withTargets('Set Category', (filenames) => this.bridge.request('setCategory', { filenames }));
  }

  private deleteImages(): void {
    this.withTargets('Delete', (filenames) => this.bridge.request('delete', { filenames }));
  }

  private editCaptions(): void {
    this.withTargets('Edit Caption', (filenames) => this.bridge.request('editCaptions', { filenames }));
  }

  private regenerate(anotherPrompt: boolean): void {
    this.withTargets(anotherPrompt ? 'Regenerate with another prompt' : 'Regenerate', async (filenames) => {
      const { generated } = await this.bridge.request('regenerate', { filenames, anotherPrompt });
      this.status.textContent = generated.length > 0 ? `Generated ${generated.join(', ')} (the originals stay).` : '';
    });
  }

  private openViewer(): void {
    const filename = this.selection.focus ?? this.targets[0];
    if (filename) {
      this.actions.run('Opening', () => this.bridge.request('openViewer', { filename }));
    }
  }

  private compare(): void {
    const filename = this.selection.focus ?? this.targets[0];
    if (filename && this.state?.view) {
      this.overlay.open(this.state.view.baseImage, filename, this.grid);
    }
  }

  private updateButtons(): void {
    const count = this.targets.length;
    const idle = this.actions.pending === undefined;
    const writable = idle && count > 0 && !this.state?.blocked;
    for (const [name, button] of Object.entries(this.buttons)) {
      const enabled = name === 'open' || name === 'compare' ? idle && count > 0 : writable;
      button.toggleAttribute('disabled', !enabled);
    }
    this.buttons.caption.textContent = count > 1 ? `Edit Captions (${count})` : 'Edit Caption';
  }
}

// When the script started and the first state came (the benchmark reads them beside `painted`).
document.body.dataset.scriptAt = performance.now().toFixed(1);
new GalleryPage(document.getElementById('app') ?? document.body);
