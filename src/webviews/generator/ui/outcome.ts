// The Generator panel's outcome section: the saved image with its details, or why it failed.
// Every text from the host goes into the DOM as text.
import { codicon, h, replaceChildren } from '../../shared/ui/dom';
import { reasonLabel } from '../prompts';
import type { ErrorMessage, ResultMessage } from '../protocol';

/** The saved image (a button that opens it), its prompt, model and upload; `open` failing says why beneath. */
export function resultView(result: ResultMessage, promptLabel: string, open: () => Promise<unknown>): HTMLElement {
  const openProblem = h('p', { class: 'hint warning', attrs: { hidden: true, role: 'alert' } });
  const openImage = () => {
    open().catch((error: Error) => {
      replaceChildren(openProblem, codicon('warning'), ` Could not open ${result.filename}: ${error.message}`);
      openProblem.hidden = false;
    });
  };
  const image = result.imageDataUri
    ? h('img', { class: 'result-image', attrs: { alt: `Generated image ${result.filename}`, src: result.imageDataUri } })
    : h('div', { class: 'result-placeholder' }, codicon('file-media'), ' no preview');
  const details: (Node | string)[] = [`${result.actorId} · ${promptLabel} · ${result.model}`];
  if (result.url) {
    details.push(h('br'), `Uploaded: ${result.url}`);
  }
  return h(
    'figure',
    { class: 'result' },
    h(
      'button',
      {
        class: 'image-button',
        attrs: { type: 'button', title: `Open ${result.filename}`, 'aria-label': `Open ${result.filename} in the editor` },
        on: { click: openImage },
      },
      image,
    ),
    h(
      'figcaption',
      {},
      h(
        'p',
        { class: 'result-title' },
        codicon('pass'),
        ' Saved ',
        h('button', { class: 'link', attrs: { type: 'button' }, on: { click: openImage } }, result.filename),
      ),
      h('p', { class: 'hint' }, ...details),
      result.uploadQueued ? h('p', { class: 'hint warning' }, codicon('cloud-upload'), ` Upload queued: ${result.uploadQueued}`) : undefined,
      openProblem,
    ),
  );
}

/** A failure (an alert) or a cancellation (a status), with its reason in words and as its code. */
export function errorView(error: ErrorMessage): HTMLElement {
  const cancelled = error.reason === 'cancelled';
  return h(
    'div',
    { class: cancelled ? 'message-box info' : 'message-box error', attrs: { role: cancelled ? 'status' : 'alert' } },
    h(
      'p',
      { class: 'message-title' },
      codicon(cancelled ? 'circle-slash' : 'error'),
      ' ',
      h('strong', {}, reasonLabel(error.reason)),
      ' ',
      h('code', {}, error.reason),
    ),
    h('p', { class: 'message-text' }, error.message),
  );
}
