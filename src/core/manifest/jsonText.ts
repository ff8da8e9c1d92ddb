import { createScanner, SyntaxKind } from 'jsonc-parser';
import { isLosslessNumber, LosslessNumber, stringify } from 'lossless-json';

/**
 * What JSON.parse alone gets wrong in a hand-edited data file, found in one pass over the text
 * without recursion: a key given twice (JSON.parse keeps the last, so a rewrite would drop the
 * first), nesting so deep that the recursive tools after it (the syntax tree, the validators)
 * would overflow the stack, and numbers a double cannot hold as written (`1e999`, integers
 * beyond 2^53, `1.50`), which are kept as text so a rewrite gives them back byte for byte.
 */

/** Deeper than any data file this program writes, far below what overflows the stack. */
export const MAX_JSON_DEPTH = 100;

export interface JsonTextIssue {
  message: string;
  /** Where the value sits, e.g. `images[0]`; empty for the whole file. */
  path: ReadonlyArray<string | number>;
  offset: number;
  length: number;
  /** For a duplicate key: the offset of its first occurrence. */
  first?: number;
}

export interface JsonTextScan {
  /** Set when the text is nested deeper than MAX_JSON_DEPTH; scanning stopped there. */
  tooDeep?: JsonTextIssue;
  /** Only when the scan was asked to locate them. */
  duplicates: JsonTextIssue[];
  /** Number literals whose text a double does not give back, with where they sit. */
  keptNumbers: Array<{ path: Array<string | number>; text: string }>;
}

interface Frame {
  object: boolean;
  /** When locating duplicates, an object's keys and the offset of each. */
  keys?: Map<string, number>;
  /** Where the current key's literal starts and ends (its text is only made when needed). */
  keyStart: number;
  keyEnd: number;
  index: number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Editors may write a UTF-8 byte order mark; JSON.parse refuses it. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * One pass over `text`, one character at a time (strings are skipped whole), that stops past
 * MAX_JSON_DEPTH; otherwise only meaningful when the text is valid JSON. `locateDuplicates` finds
 * each key given twice (run once the key counts say there is one); `keepNumbers` finds the
 * numbers a double cannot give back as written (only a reader that may rewrite the file asks).
 */
export function scanJsonText(text: string, keepNumbers: boolean, locateDuplicates = false): JsonTextScan {
  const scan: JsonTextScan = { duplicates: [], keptNumbers: [] };
  const frames: Frame[] = [];
  const pathOf = (): Array<string | number> => frames.map((frame) => (frame.object ? keyText(text.slice(frame.keyStart, frame.keyEnd)) : frame.index));
  for (let position = 0; position < text.length; position++) {
    const code = text.charCodeAt(position);
    if (code === QUOTE) {
      const end = stringEnd(text, position);
      const top = frames[frames.length - 1];
      if (top?.object && top.expectKey) {
        top.keyStart = position;
        top.keyEnd = end;
        top.expectKey = false;
        if (top.keys) {
          const key = keyText(text.slice(position, end));
          const first = top.keys.get(key);
          if (first === undefined) top.keys.set(key, position);
          else scan.duplicates.push({ message: 'duplicate key', path: pathOf(), offset: position, length: end - position, first });
        }
      }
      position = end - 1;
    } else if (code === 0x7b || code === 0x5b) {
      const object = code === 0x7b;
      frames.push({ object, keys: object && locateDuplicates ? new Map() : undefined, keyStart: 0, keyEnd: 0, index: 0, expectKey: object });
      if (frames.length > MAX_JSON_DEPTH) {
        scan.tooDeep = { message: `nested deeper than ${MAX_JSON_DEPTH} levels`, path: [], offset: position, length: 1 };
        return scan;
      }
    } else if (code === 0x7d || code === 0x5d) {
      frames.pop();
    } else if (code === 0x2c) {
      const top = frames[frames.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.index++;
    } else if (keepNumbers && (code === 0x2d || (code >= 0x30 && code <= 0x39))) {
      const end = numberEnd(text, position);
      const literal = text.slice(position, end);
      if (!isCanonical(literal)) {
        scan.keptNumbers.push({ path: pathOf(), text: literal });
      }
      position = end - 1;
    }
  }
  return scan;
}

/**
 * How many keys the objects of a parsed value hold, and whether it nests deeper than
 * MAX_JSON_DEPTH, found without recursion (JSON.parse itself does not recurse).
 */
export function shapeOf(value: unknown): { keyCount: number; tooDeep: boolean } {
  let keyCount = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return { keyCount, tooDeep: true };
    if (Array.isArray(node)) {
      for (const item of node) if (item && typeof item === 'object') pending.push([item, depth + 1]);
      continue;
    }
    for (const key in node) {
      keyCount++;
      const item = (node as Record<string, unknown>)[key];
      if (item && typeof item === 'object') pending.push([item, depth + 1]);
    }
  }
  return { keyCount, tooDeep: false };
}

/**
 * An upper bound of the keys in valid JSON text, counted natively: every key is a closing quote
 * followed by a colon, and only a string holding `\":` adds more. When it equals the parsed
 * value's count, no key was given twice, and the slower scan is not needed.
 */
export function keyMentions(text: string): number {
  return text.match(/"[ \t\n\r]*:/g)?.length ?? 0;
}

/**
 * The offset of the first bracket past MAX_JSON_DEPTH in JSON with comments (a settings file), or
 * undefined: jsonc-parser's parse recurses, so deeper text must not reach it.
 */
export function tooDeepWithComments(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_JSON_DEPTH) return scanner.getTokenOffset();
    } else if (token === SyntaxKind.CloseBraceToken || token === SyntaxKind.CloseBracketToken) {
      depth--;
    }
  }
  return undefined;
}

/** The position after the string that opens at `start` (or the end of the text). */
function stringEnd(text: string, start: number): number {
  for (let from = start + 1; ;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function keyText(literal: string): string {
  if (!literal.includes('\\')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

function numberEnd(text: string, start: number): number {
  let end = start + 1;
  for (
    let code = text.charCodeAt(end);
    (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d;
    code = text.charCodeAt(++end)
  );
  return end;
}

/** No exponent, no leading or trailing zero that a double would not print. */
const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** True when the double the literal becomes prints as the literal, so nothing is lost. */
function isCanonical(literal: string): boolean {
  // Up to 15 digits a double holds exactly, and prints in plain notation from 1e-6 up; this
  // spares the conversion for nearly every number (descriptors are rounded to 4 decimals).
  if (literal.length <= 15 && PLAIN_DECIMAL.test(literal) && literal !== '-0' && !/^-?0\.000000/.test(literal)) return true;
  return String(Number(literal)) === literal;
}

/**
 * `value` (JSON.parse's, or a validated copy of it) with each kept number put back as a
 * LosslessNumber holding its text, in place. A place that no longer holds a number is left alone.
 * `scan` must be the scan of the same text, without duplicates.
 */
export function withKeptNumbers(value: unknown, scan: JsonTextScan): unknown {
  let root = value;
  for (const { path, text } of scan.keptNumbers) {
    if (path.length === 0) {
      root = typeof root === 'number' ? new KeptNumber(text) : root;
      continue;
    }
    const parent = valueAt(root, path.slice(0, -1));
    const key = path[path.length - 1];
    if (parent && typeof parent === 'object' && typeof (parent as Record<string | number, unknown>)[key] === 'number') {
      (parent as Record<string | number, unknown>)[key] = new KeptNumber(text);
    }
  }
  return root;
}

export function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let node = root;
  for (const key of path) {
    if (!node || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

let keptNumbersSeen = false;

/**
 * A number kept as its text (see scanJsonText). lossless-json's stringify writes that text; for
 * JSON.stringify it is the nearest double, and it notes that it was there (see stringifyJson).
 */
class KeptNumber extends LosslessNumber {
  toJSON(): number {
    keptNumbersSeen = true;
    return Number(this.value);
  }
}

export function isKeptNumber(value: unknown): value is LosslessNumber {
  return isLosslessNumber(value);
}

/**
 * JSON.stringify, except that kept numbers are written as the text they were read from. The
 * native stringify runs first, as it is several times faster; only a value that turns out to
 * hold a kept number is written again by lossless-json.
 */
export function stringifyJson(value: unknown, space: number): string {
  keptNumbersSeen = false;
  const fast = JSON.stringify(value, null, space);
  return keptNumbersSeen ? (stringify(value, undefined, space) ?? 'null') : fast;
}
