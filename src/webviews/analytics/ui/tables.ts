// Tables beside the charts, so every number can be read, searched and reached by screen readers.
// Cells are text nodes (prompt texts and feedback are user text).
import { h } from '../../shared/ui/dom';

export type Cell = string | number | null;

const text = (cell: Cell) => (cell === null ? '–' : String(cell));

/**
 * A table with a caption and header row; numeric cells align right. Without rows and with
 * `whenEmpty`, that sentence instead (id `<id>-empty`).
 */
export function table(id: string, caption: string, header: string[], rows: Cell[][], options: { footer?: Cell[]; whenEmpty?: string } = {}): HTMLElement {
  if (rows.length === 0 && options.whenEmpty) {
    return empty(`${id}-empty`, options.whenEmpty);
  }
  const cell = (tag: 'td' | 'th', value: Cell) =>
    h(tag, { class: typeof value === 'number' ? 'number' : undefined, attrs: tag === 'th' ? { scope: 'row' } : {} }, text(value));
  return h(
    'table',
    { id, class: 'data-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...header.map((name) => h('th', { attrs: { scope: 'col' } }, name)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((value, position) => cell(position === 0 ? 'th' : 'td', value))))),
    options.footer ? h('tfoot', {}, h('tr', {}, ...options.footer.map((value, position) => cell(position === 0 ? 'th' : 'td', value)))) : false,
  );
}

/** A short paragraph saying there is nothing to show yet, and why. */
export function empty(id: string, message: string): HTMLElement {
  return h('p', { id, class: 'empty' }, message);
}
