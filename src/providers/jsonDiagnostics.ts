import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { JsonProblem } from '../core/manifest/jsonFile';
import type { StudioWorkspace } from '../editor/studioWorkspace';
import { dataFileKindId } from './dataFileMatcher';
import type { DataDiagnostics, DocumentProblem } from './dataDiagnostics';
import { parseJsonTree, URL_OBJECT_CODE, urlReplacementAt } from './urlQuickFix';

/** Typing pauses this long before an open document is validated again. */
const CHANGE_DEBOUNCE_MS = 300;

/**
 * Validates every JSON file of the data folder (each kind against its zod schema) when it is
 * opened or saved, and while it is edited (debounced), and hands the located problems to
 * DataDiagnostics. Which kind a file is comes from its path inside the configured data folder.
 * The schemas and validator load on the first data file opened, not at activation.
 */
export class DataFileValidator implements vscode.Disposable {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Files with published document problems, so closing them or moving the data folder clears them. */
  private readonly validated = new Set<string>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly diagnostics: DataDiagnostics,
    private readonly logger: Logger,
  ) {
    this.disposables = [
      vscode.workspace.onDidOpenTextDocument((document) => this.validateNow(document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.validateNow(document)),
      vscode.workspace.onDidChangeTextDocument((event) => event.contentChanges.length > 0 && this.validateSoon(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      // The data folder setting moved: other files are data files now.
      workspace.onDidChange(() => this.validateOpenDocuments()),
    ];
    // Documents restored with the window were opened before activation.
    this.validateOpenDocuments();
  }

  /** Validates a document at once; resolves when its problems are published (tests await this). */
  async validate(document: vscode.TextDocument): Promise<void> {
    this.cancelPending(document.uri);
    const dataRoot = this.workspace.dataRoot;
    const file = document.uri.fsPath;
    const kindId = document.uri.scheme === 'file' && dataRoot ? dataFileKindId(dataRoot, file) : undefined;
    if (!kindId) {
      this.forget(document.uri);
      return;
    }
    const version = document.version;
    const [{ DATA_FILE_KINDS }, { validateJsonText }] = await Promise.all([import('../core/manifest/dataFileSchemas'), import('../core/manifest/jsonFile')]);
    if (document.isClosed || document.version !== version) {
      return; // a newer validation of this document is on its way
    }
    const kind = DATA_FILE_KINDS.find((each) => each.id === kindId);
    if (!kind) {
      this.logger.warn(`no schema for data file kind ${kindId} (${file})`);
      return;
    }
    const text = document.getText();
    const result = validateJsonText(text, kind.schema, { keepNumbers: false });
    const problems = result.ok ? [] : locateProblems(document, text, result.problems);
    this.validated.add(file);
    this.diagnostics.setDocumentProblems(file, problems);
  }

  dispose(): void {
    this.pending.forEach((timer) => clearTimeout(timer));
    this.pending.clear();
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private validateNow(document: vscode.TextDocument): void {
    this.validate(document).catch((error) => this.logger.error(error as Error));
  }

  private validateSoon(document: vscode.TextDocument): void {
    this.cancelPending(document.uri);
    this.pending.set(
      document.uri.toString(),
      setTimeout(() => this.validateNow(document), CHANGE_DEBOUNCE_MS),
    );
  }

  private validateOpenDocuments(): void {
    vscode.workspace.textDocuments.forEach((document) => this.validateNow(document));
  }

  private cancelPending(uri: vscode.Uri): void {
    const timer = this.pending.get(uri.toString());
    if (timer) {
      clearTimeout(timer);
      this.pending.delete(uri.toString());
    }
  }

  private forget(uri: vscode.Uri): void {
    this.cancelPending(uri);
    if (uri.scheme === 'file' && this.validated.delete(uri.fsPath)) {
      this.diagnostics.setDocumentProblems(uri.fsPath, undefined);
    }
  }
}

/**
 * The validator's problems as diagnostics' input: spanning the offending value, and marked
 * URL_OBJECT_CODE where the schema wanted a string (zod says "expected string") and found an
 * object holding exactly one URL, which the quick fix can then put in its place.
 */
function locateProblems(document: vscode.TextDocument, text: string, problems: JsonProblem[]): DocumentProblem[] {
  let tree: ReturnType<typeof parseJsonTree> | null = null;
  return problems.map((problem) => {
    const end = document.positionAt(problem.offset + problem.length);
    const located: DocumentProblem = {
      file: document.uri.fsPath,
      severity: 'error',
      message: problem.message,
      line: problem.line,
      column: problem.column,
      length: problem.length,
      end: { line: end.line, column: end.character },
    };
    if (/expected string/i.test(problem.message)) {
      tree ??= parseJsonTree(text);
      if (urlReplacementAt(tree, problem.offset)) {
        located.code = URL_OBJECT_CODE;
      }
    }
    return located;
  });
}
