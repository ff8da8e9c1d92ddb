// Pure (no Node APIs): also bundled into the Generator panel's page.
/** `text` as a literal inside a regular expression (also valid with the `u` flag). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
