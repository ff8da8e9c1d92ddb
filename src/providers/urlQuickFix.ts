import { findNodeAtOffset, Node, parseTree } from 'jsonc-parser';
import * as vscode from 'vscode';
import { scanJsonText } from '../core/manifest/jsonText';
import { DIAGNOSTIC_SOURCE } from './dataDiagnostics';

/** Diagnostic code of a URL field holding an object (the old tool stored whole S3 responses). */
export const URL_OBJECT_CODE = 'url-object';

const URL_PATTERN = /^(https?|s3):\/\/\S+$/;

/**
 * The one URL string inside an object, searched at any depth; undefined when there is none or
 * several different ones, since then which one was meant is a guess, and a quick fix must be certain.
 */
export function urlInsideObject(node: Node): string | undefined {
  if (node.type !== 'object') {
    return undefined;
  }
  const urls = new Set<string>();
  const visit = (each: Node): void => {
    if (each.type === 'string' && typeof each.value === 'string' && URL_PATTERN.test(each.value)) {
      urls.add(each.value);
    }
    // A property's first child is its key: only values count.
    (each.type === 'property' ? each.children?.slice(1) : each.children)?.forEach(visit);
  };
  visit(node);
  return urls.size === 1 ? [...urls][0] : undefined;
}

/**
 * The syntax tree the two functions below search; undefined when the text is not JSON, or is
 * nested too deep for parseTree's recursion (the validator reports that).
 */
export function parseJsonTree(text: string): Node | undefined {
  return scanJsonText(text, false).tooDeep ? undefined : parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
}

/** The URL that should replace the object starting at `offset`, if that is certain. */
export function urlReplacementAt(root: Node | undefined, offset: number): { url: string; offset: number; length: number } | undefined {
  const node = root && findNodeAtOffset(root, offset);
  const url = node && node.offset === offset ? urlInsideObject(node) : undefined;
  return url && node ? { url, offset: node.offset, length: node.length } : undefined;
}

/**
 * Quick fixes for URL objects: one per diagnostic, and one that fixes every such field of the
 * file. Only offered where the diagnostic came from our validator with URL_OBJECT_CODE, i.e. the
 * schema wants a string there and the object holds exactly one URL.
 */
export class UrlObjectQuickFix implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnosticsOf: (uri: vscode.Uri) => readonly vscode.Diagnostic[]) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const root = parseJsonTree(document.getText());
    const fixes = (diagnostics: readonly vscode.Diagnostic[]) =>
      diagnostics.filter(isUrlObjectDiagnostic).flatMap((diagnostic) => {
        const replacement = urlReplacementAt(root, document.offsetAt(diagnostic.range.start));
        return replacement ? [{ diagnostic, replacement }] : [];
      });
    const here = fixes(context.diagnostics);
    if (here.length === 0) {
      return [];
    }
    const actions = here.map(({ diagnostic, replacement }) => {
      const action = new vscode.CodeAction(`Replace the object with its URL ${replacement.url}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, rangeOf(document, replacement), JSON.stringify(replacement.url));
      return action;
    });
    const everywhere = withoutNested(fixes(this.diagnosticsOf(document.uri)));
    if (everywhere.length > 1) {
      const all = new vscode.CodeAction(`Replace every URL object in this file with its URL (${everywhere.length})`, vscode.CodeActionKind.QuickFix);
      all.diagnostics = everywhere.map((fix) => fix.diagnostic);
      all.edit = new vscode.WorkspaceEdit();
      for (const { replacement } of everywhere) {
        all.edit.replace(document.uri, rangeOf(document, replacement), JSON.stringify(replacement.url));
      }
      actions.push(all);
    }
    return actions;
  }
}

function isUrlObjectDiagnostic(diagnostic: vscode.Diagnostic): boolean {
  return diagnostic.source === DIAGNOSTIC_SOURCE && diagnostic.code === URL_OBJECT_CODE;
}

function rangeOf(document: vscode.TextDocument, replacement: { offset: number; length: number }): vscode.Range {
  return new vscode.Range(document.positionAt(replacement.offset), document.positionAt(replacement.offset + replacement.length));
}

/** One workspace edit cannot hold overlapping replacements: an object inside another that is replaced goes anyway. */
function withoutNested<T extends { replacement: { offset: number; length: number } }>(fixes: T[]): T[] {
  const unique = [...new Map(fixes.map((fix) => [fix.replacement.offset, fix])).values()].sort((a, b) => a.replacement.offset - b.replacement.offset);
  const kept: T[] = [];
  for (const fix of unique) {
    const last = kept.at(-1);
    if (!last || fix.replacement.offset >= last.replacement.offset + last.replacement.length) {
      kept.push(fix);
    }
  }
  return kept;
}
