import * as vscode from 'vscode';
import type { DataIndex, DataProblem, Severity } from '../core/workspace/types';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Puts the data folder's problems in the Problems panel, at the offending line and column. */
export class DataDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('actorStudio');

  update(index: DataIndex): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const add = (problem: DataProblem): void => {
      const diagnostics = byFile.get(problem.file) ?? [];
      diagnostics.push(toDiagnostic(problem));
      byFile.set(problem.file, diagnostics);
    };
    index.problems.forEach(add);
    index.actors.forEach((actor) => actor.problems.forEach(add));
    this.collection.clear();
    for (const [file, diagnostics] of byFile) {
      this.collection.set(vscode.Uri.file(file), diagnostics);
    }
  }

  dispose(): void {
    this.collection.dispose();
  }
}

function toDiagnostic(problem: DataProblem): vscode.Diagnostic {
  const start = new vscode.Position(problem.line ?? 0, problem.column ?? 0);
  const range = new vscode.Range(start, start.translate(0, Math.max(problem.length ?? 0, problem.line === undefined ? 0 : 1)));
  const diagnostic = new vscode.Diagnostic(range, problem.message, SEVERITY[problem.severity]);
  diagnostic.source = 'Actor Studio';
  return diagnostic;
}
