// The Image Viewer's page (browser bundle, built by esbuild.js to dist/webviews/imageViewer.js).
// Every text from the host (file names, prompts, feedback, reasons) goes into the DOM as text; the
// image is a webview URI of the shown actor's training folder (the one folder the page may load).
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeIcon } from '@vscode-elements/elements/dist/vscode-icon/vscode-icon.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import { OneActionAtATime } from '../../shared/ui/actions';
import { Bridge } from '../../shared/ui/bridge';
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import { CaptionBox } from './captionBox';
import type {
  EvaluationView,
  ImageView,
  ReviewView,
  ImageViewerHostMessage,
  ImageViewerRequests,
  ImageViewerUiMessage,
  ImageViewerUiState,
  StateMessage,
} from '../protocol';
import '../../shared/ui/base.css';
import './styles.css';

const STAR_WORDS = ['', 'poor', 'weak', 'usable', 'good', 'excellent'];

class ImageViewerView {
  private readonly bridge = new Bridge<ImageViewerHostMessage, ImageViewerUiMessage, ImageViewerRequests, ImageViewerUiState>(
    (message) => message.type === 'state' && this.applyState(message),
  );
  private state: StateMessage | undefined;
  /** The image whose feedback box holds what the user typed (kept while they type). */
  private feedbackFor: string | undefined;

  private readonly title = h('h1', { id: 'image-title' }, 'Image');
  private readonly meta = h('p', { class: 'meta', id: 'image-meta' });
  private readonly notice = h('div', { class: 'notice', id: 'notice', attrs: { role: 'status', hidden: true } });
  private readonly previousButton = this.button('previous', 'Previous', 'arrow-left', () => this.navigate(this.state?.view?.previous));
  private readonly nextButton = this.button('next', 'Next', 'arrow-right', () => this.navigate(this.state?.view?.next));
  private readonly openButton = this.button('open-file', 'Open File', 'go-to-file', () => this.run('Open File', () => this.bridge.request('openFile', null)));
  private readonly picture = h('div', { class: 'picture', id: 'picture' });
  /** Native buttons (an icon inside each): one Tab stop a star, pressed up to the rating, named for screen readers. */
  private readonly starIcons: VscodeIcon[] = [1, 2, 3, 4, 5].map(
    () => h('vscode-icon', { attrs: { 'aria-hidden': 'true' }, props: { name: 'star-empty', size: 22 } }) as VscodeIcon,
  );
  private readonly stars: HTMLButtonElement[] = this.starIcons.map(
    (icon, position) =>
      h(
        'button',
        {
          class: 'star',
          attrs: {
            type: 'button',
            'data-stars': String(position + 1),
            'aria-pressed': 'false',
            'aria-label': `Rate ${position + 1} star${position === 0 ? '' : 's'} (${STAR_WORDS[position + 1]})`,
          },
          on: { click: () => this.rate(position + 1) },
        },
        icon,
      ) as HTMLButtonElement,
  );
  private readonly starWidget = h('div', { class: 'stars', id: 'stars', attrs: { role: 'group', 'aria-label': 'Rating' } }, ...this.stars);
  private readonly ratingText = h('span', { class: 'rating-text', id: 'rating-text' });
  private readonly clearButton = h(
    'vscode-button',
    { id: 'clear-rating', attrs: { secondary: true, icon: 'close' }, on: { click: () => this.clearRating() } },
    'Clear',
  ) as VscodeButton;
  private readonly feedback = h('vscode-textarea', {
    id: 'feedback',
    attrs: { rows: '3', resize: 'vertical', placeholder: 'What is good or wrong with it as a training image?' },
    props: { label: 'Feedback' },
    on: { input: () => this.onFeedbackInput() },
  }) as VscodeTextarea;
  private readonly saveFeedbackButton = h(
    'vscode-button',
    { id: 'save-feedback', attrs: { icon: 'save' }, on: { click: () => this.saveFeedback() } },
    'Save Feedback',
  ) as VscodeButton;
  private readonly savedFeedback = h('p', { class: 'saved-feedback', id: 'saved-feedback' });
  private readonly captionBox = new CaptionBox((text) => this.run('Saving the caption', () => this.bridge.request('setCaption', { text })));
  private readonly prompt = h('section', { class: 'prompt', id: 'prompt', attrs: { 'aria-label': 'Prompt' } });
  private readonly evaluation = h('section', { class: 'evaluation', id: 'evaluation', attrs: { 'aria-label': 'Evaluation' } });
  private readonly regenerateButton = this.button('regenerate', 'Regenerate', 'sparkle', () => this.regenerate());
  private readonly cancelButton = this.button('cancel-regeneration', 'Cancel', 'close', () => void this.bridge.request('cancelRegeneration', null));
  private readonly deleteButton = this.button('delete', 'Delete', 'trash', () => this.deleteImage());
  /** Shown while the image needs a person's review: why, with Keep and Delete (the same delete flow). */
  private readonly reviewText = h('p', { class: 'review-text', id: 'review-text' });
  private readonly keepButton = h(
    'vscode-button',
    { id: 'review-keep', attrs: { icon: 'check' }, on: { click: () => this.keepImage() } },
    'Keep',
  ) as VscodeButton;
  private readonly reviewDeleteButton = this.button('review-delete', 'Delete', 'trash', () => this.deleteImage());
  private readonly review = h(
    'section',
    { class: 'review', id: 'review', attrs: { role: 'region', 'aria-labelledby': 'review-heading', hidden: true } },
    h('h2', { id: 'review-heading' }, codicon('eye'), ' Needs review'),
    this.reviewText,
    h('div', { class: 'review-actions' }, this.keepButton, this.reviewDeleteButton),
  );
  private readonly spinner = h('vscode-progress-ring', { class: 'spinner', attrs: { 'aria-label': 'Working', hidden: true } });
  private readonly regeneration = h('p', { class: 'regeneration', id: 'regeneration', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly status = h('p', { class: 'status', id: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  /** The action this page asked for and waits on. */
  private readonly actions = new OneActionAtATime(this.status, () => this.updateControls());

  constructor(private readonly root: HTMLElement) {
    this.clearButton.setAttribute('aria-label', 'Clear the rating');
    this.keepButton.setAttribute('aria-label', 'Keep this image: it stays in the set and no longer needs review');
    this.reviewDeleteButton.setAttribute('aria-label', 'Delete this image: move it to the trash');
    replaceChildren(
      root,
      h(
        'header',
        { class: 'header' },
        h('div', { class: 'title-row' }, this.title, h('div', { class: 'nav' }, this.previousButton, this.nextButton, this.openButton)),
        this.meta,
      ),
      this.notice,
      this.review,
      h(
        'div',
        { class: 'viewer' },
        this.picture,
        h(
          'aside',
          { class: 'details' },
          h(
            'section',
            { class: 'rating', attrs: { 'aria-label': 'Rating' } },
            h('h2', {}, 'Rating'),
            h('div', { class: 'rating-row' }, this.starWidget, this.ratingText, this.clearButton),
          ),
          h(
            'section',
            { class: 'feedback-box' },
            h('vscode-label', { attrs: { for: 'feedback' } }, 'Feedback'),
            this.feedback,
            h('div', { class: 'feedback-actions' }, this.saveFeedbackButton),
            this.savedFeedback,
          ),
          this.captionBox.element,
          h('div', { class: 'actions' }, this.regenerateButton, this.cancelButton, this.deleteButton, this.spinner),
          this.regeneration,
          this.status,
          h('vscode-divider', { attrs: { role: 'separator' } }),
          this.prompt,
          this.evaluation,
        ),
      ),
    );
    this.updateControls();
    this.bridge.ready();
  }

  private button(id: string, label: string, icon: string, onClick: () => void): VscodeButton {
    return h('vscode-button', { id, attrs: { icon, secondary: true }, on: { click: onClick } }, label) as VscodeButton;
  }

  private applyState(state: StateMessage): void {
    const previous = this.state?.view;
    this.state = state;
    this.root.setAttribute('aria-busy', 'false');
    const view = state.view;
    const changedImage = !previous || !view || previous.actorId !== view.actorId || previous.filename !== view.filename;
    const draft = this.bridge.state.draft;
    this.bridge.saveState({
      actorId: state.actorId,
      filename: state.filename,
      ...(changedImage && draft?.filename !== state.filename ? { draft: undefined } : {}),
    });
    this.title.textContent = state.filename ?? 'Image';
    const notices = [state.blocked, state.problem].filter((text): text is string => !!text);
    this.notice.hidden = notices.length === 0;
    replaceChildren(this.notice, ...notices.map((text) => h('p', {}, codicon('warning'), ' ', text)));
    this.renderMeta(view, state);
    this.renderPicture(view);
    this.renderRating(view, changedImage);
    this.renderPrompt(view);
    this.captionBox.render(view);
    this.renderReview(view?.review);
    this.renderEvaluation(view?.evaluation);
    const regeneration = state.regeneration;
    this.regeneration.textContent = regeneration ? regeneration.message : '';
    this.regeneration.className = `regeneration ${regeneration?.state ?? ''}`;
    this.updateControls();
  }

  private renderMeta(view: ImageView | undefined, state: StateMessage): void {
    if (!view) {
      replaceChildren(this.meta, state.actorId ?? '');
      return;
    }
    const size = view.width && view.height ? `${view.width}×${view.height}` : undefined;
    replaceChildren(
      this.meta,
      h('span', { class: 'field', id: 'actor' }, codicon('person'), ' ', view.actorId),
      h('span', { class: 'field', id: 'category' }, codicon('symbol-enum'), ' ', view.categoryLabel),
      h('span', { class: 'field', id: 'position' }, `${view.position} of ${view.count}`),
      size ? h('span', { class: 'field' }, size) : undefined,
      view.model ? h('span', { class: 'field', id: 'model' }, codicon('server-process'), ' ', view.model) : undefined,
      view.tracked ? undefined : h('span', { class: 'field warning' }, codicon('warning'), ' untracked: not in the manifest (Reconcile Data adds it)'),
    );
  }

  private renderPicture(view: ImageView | undefined): void {
    if (!view) {
      delete this.picture.dataset.key;
      replaceChildren(this.picture, h('div', { class: 'placeholder' }, codicon('file-media'), ' No image to show.'));
      return;
    }
    if (view.missing || !view.pictureKey) {
      delete this.picture.dataset.key;
      replaceChildren(
        this.picture,
        h('div', { class: 'placeholder', id: 'missing' }, codicon('warning'), ` ${view.filename} is in the manifest but not on disk.`),
      );
      return;
    }
    if (this.picture.dataset.key === view.pictureKey) {
      return; // shown, or on its way
    }
    const { filename, pictureKey } = view;
    this.picture.dataset.key = pictureKey;
    const alt = view.prompt ? `${filename}: ${view.prompt}` : filename;
    this.bridge.request('picture', { filename }).then(
      (picture) => {
        if (this.picture.dataset.key !== pictureKey) {
          return; // another image came meanwhile
        }
        if ('broken' in picture) {
          replaceChildren(this.picture, h('div', { class: 'placeholder', id: 'unshown' }, codicon('warning'), ` ${picture.broken}`));
          return;
        }
        this.picture.dataset.key = picture.key; // the bytes as read, if the file changed since the state
        replaceChildren(this.picture, h('img', { id: 'image', attrs: { src: picture.src, alt } }));
      },
      (error: Error) => {
        if (this.picture.dataset.key === pictureKey) {
          delete this.picture.dataset.key; // the next state asks again
          replaceChildren(this.picture, h('div', { class: 'placeholder', id: 'unshown' }, codicon('warning'), ` ${error.message}`));
        }
      },
    );
  }

  private renderRating(view: ImageView | undefined, changedImage: boolean): void {
    const rating = view?.rating;
    this.stars.forEach((star, position) => {
      const lit = rating !== undefined && position < rating.stars;
      this.starIcons[position].name = lit ? 'star-full' : 'star-empty';
      star.classList.toggle('lit', lit);
      star.setAttribute('aria-pressed', String(rating?.stars === position + 1));
    });
    this.ratingText.textContent = rating ? `${rating.stars}/5 ${STAR_WORDS[rating.stars]}` : 'Not rated: click a star';
    this.savedFeedback.textContent = rating?.feedback ? `Saved: ${rating.feedback}` : '';
    if (changedImage || this.feedbackFor !== view?.filename) {
      // A new image: its saved feedback, or what was typed for it before a reload.
      const draft = this.bridge.state.draft;
      this.feedback.value = draft && draft.filename === view?.filename ? draft.feedback : (rating?.feedback ?? '');
      this.feedbackFor = view?.filename;
    }
  }

  private renderPrompt(view: ImageView | undefined): void {
    replaceChildren(
      this.prompt,
      h('h2', {}, 'Prompt'),
      view?.promptId ? h('p', { class: 'prompt-id' }, h('vscode-badge', { attrs: { variant: 'counter' } }, view.promptId)) : undefined,
      h('p', { class: 'prompt-text', id: 'prompt-text' }, view?.prompt ?? 'No prompt recorded for this image.'),
    );
  }

  private renderReview(review: ReviewView | undefined): void {
    const needed = review?.state === 'needed';
    this.review.hidden = !needed;
    this.reviewText.textContent = needed
      ? `Needs review: ${review.reason}. The checks could not judge this face, so the plan neither deletes it nor counts on it: keep it, or delete it.`
      : '';
  }

  private renderEvaluation(evaluation: EvaluationView | undefined): void {
    if (!evaluation) {
      replaceChildren(this.evaluation, h('h2', {}, 'Evaluation'), h('p', { class: 'hint' }, 'Not evaluated yet (Evaluate Actor checks it).'));
      return;
    }
    const distance = evaluation.identityDistance;
    const identity =
      distance === undefined
        ? 'Identity distance: not known (no face compared).'
        : `Identity distance ${distance.toFixed(2)} to the base image: ${distance > evaluation.identityThreshold ? 'above' : 'within'} the ${evaluation.identityThreshold} limit (${distance > evaluation.identityThreshold ? 'another person?' : 'same person'}).`;
    const centroid = evaluation.centroidDistance;
    const toSet =
      centroid === undefined
        ? 'Distance to the set: not known (no scored face, or too few others).'
        : `Distance ${centroid.toFixed(2)} to the set (the centroid of the other accepted faces).`;
    const reasons = evaluation.reasons.length > 0 ? evaluation.reasons : evaluation.issues;
    replaceChildren(
      this.evaluation,
      h('h2', {}, 'Evaluation'),
      h(
        'p',
        { class: 'hint' },
        `${evaluation.evaluator ?? 'unknown evaluator'}${evaluation.quality !== undefined ? ` · quality ${evaluation.quality}/10` : ''}`,
      ),
      h(
        'p',
        { class: `identity ${distance !== undefined && distance > evaluation.identityThreshold ? 'warning' : ''}`, id: 'identity' },
        codicon('account'),
        ' ',
        identity,
      ),
      h('p', { class: 'identity', id: 'centroid' }, codicon('organization'), ' ', toSet),
      this.state?.view?.review?.state === 'kept'
        ? h('p', { class: 'kept', id: 'review-kept' }, codicon('check'), ` Kept on review: ${this.state.view.review.reason}.`)
        : undefined,
      reasons.length === 0
        ? h('p', { class: 'no-issues', id: 'issues' }, codicon('pass'), ' No issues found.')
        : h('ul', { class: 'issues', id: 'issues' }, ...reasons.map((reason) => h('li', {}, codicon('warning'), ' ', reason))),
    );
  }

  private navigate(filename: string | undefined): void {
    if (filename) {
      this.run('Opening', () => this.bridge.request('show', { filename }));
    }
  }

  private rate(stars: number): void {
    if (this.starWidget.classList.contains('disabled')) {
      return;
    }
    this.run('Rating', async () => {
      const rating = await this.bridge.request('rate', { stars });
      this.status.textContent = `Rated ${rating.stars}/5.`;
    });
  }

  private clearRating(): void {
    this.run('Clearing the rating', () => this.bridge.request('clearRating', null));
  }

  private saveFeedback(): void {
    const stars = this.state?.view?.rating?.stars;
    if (!stars) {
      this.status.textContent = 'Choose stars first: feedback belongs to a rating.';
      return;
    }
    const feedback = this.feedback.value;
    this.run('Saving feedback', async () => {
      await this.bridge.request('rate', { stars, feedback });
      this.bridge.saveState({ draft: undefined });
      this.status.textContent = feedback.trim() ? 'Feedback saved.' : 'Feedback removed.';
    });
  }

  private onFeedbackInput(): void {
    const filename = this.state?.view?.filename;
    if (filename) {
      this.bridge.saveState({ draft: { filename, feedback: this.feedback.value } });
    }
  }

  private regenerate(): void {
    this.run('Regenerating', () => this.bridge.request('regenerate', null));
  }

  private deleteImage(): void {
    this.run('Delete', async () => {
      const { deleted } = await this.bridge.request('delete', null);
      this.status.textContent = deleted ? 'Moved to the trash (Undo Last Execution puts it back).' : '';
    });
  }

  private keepImage(): void {
    this.run('Keep', async () => {
      const { kept } = await this.bridge.request('keep', null);
      this.status.textContent = kept ? 'Kept: it stays in the set and no longer needs review.' : '';
    });
  }

  private run(what: string, action: () => Promise<unknown>): void {
    this.actions.run(what, action);
  }

  private updateControls(): void {
    const view = this.state?.view;
    const blocked = !!this.state?.blocked;
    const regenerating = this.state?.regeneration?.state === 'running';
    const busy = this.actions.pending !== undefined;
    const writable = !!view && view.tracked && !blocked && !busy;
    this.previousButton.disabled = !view?.previous || busy;
    this.nextButton.disabled = !view?.next || busy;
    this.openButton.disabled = !view || view.missing;
    this.stars.forEach((star) => (star.disabled = !writable));
    this.starWidget.classList.toggle('disabled', !writable);
    this.clearButton.disabled = !writable || !view?.rating;
    this.feedback.disabled = !view?.tracked || blocked;
    this.saveFeedbackButton.disabled = !writable;
    this.captionBox.setEnabled(writable);
    this.regenerateButton.disabled = !writable || regenerating || (!view?.promptId && !view?.prompt);
    this.regenerateButton.title = view && !view.promptId && !view.prompt ? 'No prompt recorded for this image' : '';
    this.cancelButton.hidden = !regenerating;
    this.deleteButton.disabled = !view || blocked || busy || regenerating;
    this.reviewDeleteButton.disabled = this.deleteButton.disabled;
    this.keepButton.disabled = !writable || view?.review?.state !== 'needed';
    const why = blocked ? (this.state?.blocked ?? '') : '';
    this.keepButton.title = why;
    this.reviewDeleteButton.title = why;
    this.spinner.hidden = !busy && !regenerating;
  }
}

new ImageViewerView(document.getElementById('app') ?? document.body);
