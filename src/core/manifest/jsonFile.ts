import { promises as fs } from 'node:fs';
import { findNodeAtLocation, Node, ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import Ajv, { ValidateFunction } from 'ajv';
import { z } from 'zod';
import {
  isKeptNumber,
  JsonTextIssue,
  JsonTextScan,
  keyMentions,
  MAX_JSON_DEPTH,
  scanJsonText,
  shapeOf,
  stringifyJson,
  valueAt,
  withKeptNumbers,
  withoutBom,
} from './jsonText';

/** A problem in a JSON file, located so an editor can underline it. */
export interface JsonProblem {
  message: string;
  /** Path inside the document, e.g. `images[3].filename`; empty for the whole file. */
  path: string;
  offset: number;
  length: number;
  /** Zero-based, like VS Code positions. */
  line: number;
  column: number;
}

/** `file:line:column: message` for each problem, joined: the text of errors about an invalid data file. */
export function describeJsonProblems(file: string, problems: readonly JsonProblem[]): string {
  return problems.map((problem) => `${file}:${problem.line + 1}:${problem.column + 1}: ${problem.message}`).join('; ');
}

/** `text` is the file's text without a byte order mark: offsets and lines refer to it. */
export type JsonValidation<T> = { ok: true; value: T; text: string } | { ok: false; problems: JsonProblem[]; text: string };

/** `value` is JSON.parse's; `withKeptNumbers(value, scan)` puts back the numbers a double cannot give back as written. */
export type JsonParse = { ok: true; value: unknown; text: string; scan: JsonTextScan } | { ok: false; problems: JsonProblem[]; text: string };

/**
 * Parses strict JSON (no comments, no trailing commas) as a data file: a leading byte order mark
 * is dropped; a key given twice or nesting deeper than MAX_JSON_DEPTH is a located problem, so no
 * file that would lose data or overflow the stack is used. With `keepNumbers`, the numbers a
 * double cannot give back as written are found, to be kept as their text (see jsonText.ts): a
 * reader that never writes may skip that cost. Every reader of a data file goes through it.
 */
export function parseJsonText(raw: string, keepNumbers = true): JsonParse {
  const text = withoutBom(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The syntax tree that locates the error recurses: deep text must not reach it.
    const { tooDeep } = scanJsonText(text, false);
    return { ok: false, problems: tooDeep ? [issueProblem(text, tooDeep)] : syntaxProblems(text), text };
  }
  // The common case costs a walk of the value and a native count: the character scan runs only
  // for numbers to keep, or to locate a problem the walk found.
  const shape = shapeOf(value);
  const scan = keepNumbers || shape.tooDeep ? scanJsonText(text, keepNumbers) : NOTHING_KEPT;
  if (shape.tooDeep) {
    return {
      ok: false,
      problems: [issueProblem(text, scan.tooDeep ?? { message: `nested deeper than ${MAX_JSON_DEPTH} levels`, path: [], offset: 0, length: 0 })],
      text,
    };
  }
  if (keyMentions(text) !== shape.keyCount) {
    const { duplicates } = scanJsonText(text, false, true);
    if (duplicates.length > 0) {
      return { ok: false, problems: duplicates.map((issue) => issueProblem(text, issue)), text };
    }
  }
  return { ok: true, value, text, scan };
}

const NOTHING_KEPT: JsonTextScan = { duplicates: [], keptNumbers: [] };

function issueProblem(text: string, issue: JsonTextIssue): JsonProblem {
  const where = formatPath(issue.path);
  const first =
    issue.first === undefined ? '' : ` (first on line ${lineAndColumn(text, issue.first).line + 1}); JSON keeps only the last, so remove or rename one`;
  return locate(text, `${where ? `${where}: ` : ''}${issue.message}${first}`, where, issue.offset, issue.length);
}

/**
 * Parses a data file (see parseJsonText) and validates it against a zod schema.
 *
 * Fast path: JSON.parse, then a validator compiled (by ajv) from the JSON Schema that zod itself
 * generates, so there is one source of rules. It fills defaults in place instead of copying every
 * object, which makes reading thousands of manifests several times cheaper. Only when that
 * validator objects does zod run, for its messages, and the syntax tree that locates them is
 * built. Values for writing always go through zod (see manifestStore), which orders keys.
 */
export function validateJsonText<T>(raw: string, schema: z.ZodType<T>, options: { keepNumbers?: boolean } = {}): JsonValidation<T> {
  const parsed = parseJsonText(raw, options.keepNumbers ?? true);
  if (!parsed.ok) {
    return parsed;
  }
  const { value: data, text, scan } = parsed;
  if (compiledValidator(schema)(data)) {
    return { ok: true, value: keepUnownedNumbers(data as T, scan, schema), text };
  }
  const result = schema.safeParse(data);
  if (result.success) {
    return { ok: true, value: keepUnownedNumbers(result.data, scan, schema), text };
  }
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false })!;
  const problems = result.error.issues.map((issue) => {
    const segments = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    const where = formatPath(segments);
    const { offset, length } = underlineFor(root, segments);
    const value = valueAt(data, segments);
    const tooLarge = typeof value === 'number' && !Number.isFinite(value);
    const said = tooLarge ? `${text.slice(offset, offset + length)} is too large for a number` : issue.message;
    const message = where ? `${where}: ${said}` : said;
    return locate(text, message, where, offset, length);
  });
  return { ok: false, problems, text };
}

/**
 * Validation ran on plain doubles, so the fields this program owns hold numbers. The numbers a
 * double cannot give back as written go back in as their text, and where the schema then
 * objects (it wants a number: the field is ours) they become doubles again. So `1e999` or
 * 2^64 + 1 in a field the schema does not know is written back byte for byte.
 */
function keepUnownedNumbers<T>(value: T, scan: JsonTextScan, schema: z.ZodType<T>): T {
  if (scan.keptNumbers.length === 0) {
    return value;
  }
  const kept = withKeptNumbers(value, scan) as T;
  const check = schema.safeParse(kept);
  for (const issue of check.success ? [] : check.error.issues) {
    const segments = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    const parent = valueAt(kept, segments.slice(0, -1));
    const key = segments[segments.length - 1];
    const number = parent && typeof parent === 'object' && key !== undefined ? (parent as Record<string | number, unknown>)[key] : undefined;
    if (isKeptNumber(number)) {
      (parent as Record<string | number, unknown>)[key] = Number(number.toString());
    }
  }
  return kept;
}

const ajv = new Ajv({ useDefaults: true, strict: false, allErrors: false });
const validators = new WeakMap<z.ZodType, ValidateFunction>();

function compiledValidator(schema: z.ZodType): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }));
    validators.set(schema, validate);
  }
  return validate;
}

function syntaxProblems(text: string): JsonProblem[] {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const problems = errors.map((error) => locate(text, `invalid JSON: ${describeSyntaxError(error)}`, '', error.offset, error.length));
  if (problems.length === 0) {
    // JSON.parse refused what jsonc-parser accepts, e.g. an empty file.
    problems.push(locate(text, text.trim() === '' ? 'invalid JSON: the file is empty' : 'invalid JSON', '', 0, 0));
  }
  return problems;
}

/** Reads a file and validates it; I/O errors are thrown as they are, so callers can tell. */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<JsonValidation<T>> {
  return validateJsonText(await fs.readFile(path, 'utf8'), schema);
}

/** Two-space indentation and a final newline, matching what people write by hand; kept numbers as read. */
export function formatJson(value: unknown): string {
  return `${stringifyJson(value, 2)}\n`;
}

export function formatPath(segments: ReadonlyArray<string | number>): string {
  return segments.map((segment, position) => (typeof segment === 'number' ? `[${segment}]` : position === 0 ? segment : `.${segment}`)).join('');
}

/**
 * A wrong value is underlined itself. A missing key has no node, so the nearest ancestor that
 * exists stands in: its property name when it has one, else its opening bracket.
 */
function underlineFor(root: Node, segments: ReadonlyArray<string | number>): { offset: number; length: number } {
  const exact = findNodeAtLocation(root, [...segments]);
  if (exact) {
    return { offset: exact.offset, length: exact.length };
  }
  for (let depth = segments.length - 1; depth > 0; depth--) {
    const ancestor = findNodeAtLocation(root, segments.slice(0, depth));
    if (ancestor) {
      const key = ancestor.parent?.type === 'property' ? ancestor.parent.children?.[0] : undefined;
      return key ? { offset: key.offset, length: key.length } : { offset: ancestor.offset, length: 1 };
    }
  }
  return { offset: root.offset, length: 1 };
}

function locate(text: string, message: string, path: string, offset: number, length: number): JsonProblem {
  const { line, column } = lineAndColumn(text, offset);
  return { message, path, offset, length, line, column };
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let position = 0; position < offset && position < text.length; position++) {
    if (text.charCodeAt(position) === 10) {
      line++;
      lineStart = position + 1;
    }
  }
  return { line, column: offset - lineStart };
}

function describeSyntaxError(error: ParseError): string {
  const code = printParseErrorCode(error.error);
  // jsonc-parser's codes are CamelCase identifiers; spell them out for people.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Reads a data file that a writer is about to rewrite: a missing file is the schema's empty
 * value; an invalid one throws `invalid(problems)`, so a bad file is never overwritten.
 */
export async function readJsonForUpdate<T>(file: string, schema: z.ZodType<T>, invalid: (problems: JsonProblem[]) => Error): Promise<T> {
  let result: JsonValidation<T>;
  try {
    result = await readJsonFile(file, schema);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return schema.parse({});
    }
    throw error;
  }
  if (!result.ok) {
    throw invalid(result.problems);
  }
  return result.value;
}
