// The grid's selection and focus, as a file manager has them. Pure and Node-free: the page
// imports it, and the unit tests run it in plain Node. Items are file names in grid order.

export interface SelectionState {
  /** Selected file names. */
  selected: ReadonlySet<string>;
  /** The tile with the keyboard focus. */
  focus?: string;
  /** Where a Shift range starts: the last tile clicked or moved to without Shift. */
  anchor?: string;
}

export const EMPTY_SELECTION: SelectionState = { selected: new Set() };

export interface Modifiers {
  /** Ctrl on Windows and Linux, Cmd on macOS. */
  toggle?: boolean;
  shift?: boolean;
}

/** A click: alone it selects the tile; with Ctrl/Cmd it toggles it; with Shift it selects the range from the anchor (Ctrl+Shift adds the range). */
export function click(state: SelectionState, order: readonly string[], item: string, modifiers: Modifiers = {}): SelectionState {
  if (!order.includes(item)) {
    return state;
  }
  if (modifiers.shift) {
    const range = rangeBetween(order, anchorIn(state, order) ?? item, item);
    const selected = new Set(modifiers.toggle ? [...state.selected, ...range] : range);
    return { selected, focus: item, anchor: state.anchor ?? item };
  }
  if (modifiers.toggle) {
    const selected = new Set(state.selected);
    if (selected.has(item)) {
      selected.delete(item);
    } else {
      selected.add(item);
    }
    return { selected, focus: item, anchor: item };
  }
  return { selected: new Set([item]), focus: item, anchor: item };
}

export type Direction = 'left' | 'right' | 'up' | 'down' | 'home' | 'end';

/**
 * An arrow key (or Home/End) in a grid of `columns`: the focus moves and, without modifiers, the
 * selection follows it; with Shift the selection is the range from the anchor to the new focus;
 * with Ctrl/Cmd only the focus moves (Space is not taken for toggling: it compares).
 */
export function move(state: SelectionState, order: readonly string[], direction: Direction, columns: number, modifiers: Modifiers = {}): SelectionState {
  if (order.length === 0) {
    return EMPTY_SELECTION;
  }
  const from = state.focus !== undefined ? order.indexOf(state.focus) : -1;
  const step = { left: -1, right: 1, up: -Math.max(1, columns), down: Math.max(1, columns), home: -order.length, end: order.length }[direction];
  const target = from < 0 ? 0 : clamp(from + step, 0, order.length - 1);
  const item = order[target];
  if (modifiers.shift) {
    const anchor = anchorIn(state, order) ?? order[Math.max(from, 0)];
    return { selected: new Set(rangeBetween(order, anchor, item)), focus: item, anchor };
  }
  if (modifiers.toggle) {
    return { ...state, focus: item };
  }
  return { selected: new Set([item]), focus: item, anchor: item };
}

/** Ctrl/Cmd+A: every tile shown. */
export function selectAll(state: SelectionState, order: readonly string[]): SelectionState {
  return { selected: new Set(order), focus: state.focus ?? order[0], anchor: state.anchor ?? order[0] };
}

/**
 * The selection once the tiles shown changed (a filter, a sort, a refresh): names no longer shown
 * drop out, and the focus stays on its tile or the nearest one still shown.
 */
export function retain(state: SelectionState, order: readonly string[], previousOrder: readonly string[] = []): SelectionState {
  const shown = new Set(order);
  const selected = new Set([...state.selected].filter((item) => shown.has(item)));
  let focus = state.focus !== undefined && shown.has(state.focus) ? state.focus : undefined;
  if (focus === undefined && state.focus !== undefined && order.length > 0) {
    // The tile went (deleted, filtered out): the next one that is still shown, else the last.
    const after = previousOrder.slice(previousOrder.indexOf(state.focus) + 1).find((item) => shown.has(item));
    focus = after ?? order[order.length - 1];
  }
  const anchor = state.anchor !== undefined && shown.has(state.anchor) ? state.anchor : focus;
  return { selected, focus, anchor };
}

/** What an action applies to: the selected tiles in grid order, else the focused one. */
export function targetsOf(state: SelectionState, order: readonly string[]): string[] {
  const selected = order.filter((item) => state.selected.has(item));
  return selected.length > 0 ? selected : state.focus !== undefined && order.includes(state.focus) ? [state.focus] : [];
}

function anchorIn(state: SelectionState, order: readonly string[]): string | undefined {
  return state.anchor !== undefined && order.includes(state.anchor)
    ? state.anchor
    : state.focus !== undefined && order.includes(state.focus)
      ? state.focus
      : undefined;
}

function rangeBetween(order: readonly string[], from: string, to: string): string[] {
  const [a, b] = [order.indexOf(from), order.indexOf(to)];
  return order.slice(Math.min(a, b), Math.max(a, b) + 1);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
