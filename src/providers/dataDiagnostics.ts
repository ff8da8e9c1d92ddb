import * as vscode from 'vscode';
import type { DataIndex } from '../core/actors/types';
import type { DataProblem, Severity } from '../core/workspace/problems';

/** `source` of every diagnostic Actor Studio publishes (quick fixes recognise theirs by it). */
export const DIAGNOSTIC_SOURCE = 'Actor Studio';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** A problem found by validating an open document; `code` marks the ones a quick fix can repair. */
export interface DocumentProblem extends DataProblem {
  code?: string;
  /** Where the underline ends, when it spans lines (a whole object); else `length` on the start line. */
  end?: { line: number; column: number };
}

/**
 * Puts the data folder's problems in the Problems panel, at the offending line and column, from
 * two sources in one collection: the index (manifests as read from disk, folder structure) and
 * validation of open documents (every kind of data file, as typed). For a file validated as a
 * document, the document's result replaces the index's located problems (which are the same
 * schema checks on the saved text, possibly stale); the index's unlocated ones ("listed more than
 * once", "missing on disk") stay. So one problem shows once.
 */
export class DataDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('actorStudio');
  private indexProblems = new Map<string, DataProblem[]>();
  private readonly documentProblems = new Map<string, DocumentProblem[]>();

  update(index: DataIndex): void {
    const byFile = new Map<string, DataProblem[]>();
    for (const problem of [...index.problems, ...index.actors.flatMap((actor) => actor.problems)]) {
      byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
    }
    const touched = new Set([...this.indexProblems.keys(), ...byFile.keys()]);
    this.indexProblems = byFile;
    touched.forEach((file) => this.publish(file));
  }

  /** The problems of an open document of `file`; undefined when it closed (the index's stand again). */
  setDocumentProblems(file: string, problems: DocumentProblem[] | undefined): void {
    if (problems) {
      this.documentProblems.set(file, problems);
    } else {
      this.documentProblems.delete(file);
    }
    this.publish(file);
  }

  /** What the Problems panel shows for a file (the quick fixes read their own diagnostics here). */
  diagnosticsOf(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
  }

  private publish(file: string): void {
    const fromDocument = this.documentProblems.get(file);
    const fromIndex = this.indexProblems.get(file) ?? [];
    const problems: DocumentProblem[] = fromDocument ? [...fromDocument, ...fromIndex.filter((problem) => problem.line === undefined)] : fromIndex;
    const uri = vscode.Uri.file(file);
    if (problems.length === 0) {
      this.collection.delete(uri);
    } else {
      this.collection.set(uri, problems.map(toDiagnostic));
    }
  }
}

function toDiagnostic(problem: DocumentProblem): vscode.Diagnostic {
  const start = new vscode.Position(problem.line ?? 0, problem.column ?? 0);
  const end = problem.end
    ? new vscode.Position(problem.end.line, problem.end.column)
    : start.translate(0, Math.max(problem.length ?? 0, problem.line === undefined ? 0 : 1));
  const range = new vscode.Range(start, end);
  const diagnostic = new vscode.Diagnostic(range, problem.message, SEVERITY[problem.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  if (problem.code) {
    diagnostic.code = problem.code;
  }
  return diagnostic;
}
