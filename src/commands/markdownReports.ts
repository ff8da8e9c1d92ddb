import * as vscode from 'vscode';

/**
 * Text from files (prompts, reasons, messages) on one line, with the characters that would turn
 * into markup escaped: it reads as written both as text and in the preview, and runs nothing.
 * Underscores stay (inside words they are not emphasis), so `no_face` reads cleanly.
 */
export function plainMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*[\]<>|]/g, (char) => `\\${char}`);
}

/** A file name or path as inline code; backticks inside would end the span, so they become quotes. */
export function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\s+/g, ' ')}\``;
}

/**
 * Reports open as read-only Markdown documents of their own scheme: readable, searchable and
 * copyable like any editor, closed without a "save?" prompt, and a second report with the same
 * title updates the open tab instead of piling up untitled documents. The output channel would
 * mix the report into the log; a webview would be heavy for a list.
 */
export class MarkdownReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(
    readonly scheme: string,
    /** Shown when VS Code asks for a report this window no longer has (after a reload). */
    private readonly goneText: string,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? this.goneText;
  }

  /** Opens (or updates) the report titled `title` (the tab's name, without `.md`); returns its document. */
  async show(title: string, markdown: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${title.replace(/[/\\]/g, '-')}.md` });
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    // Next to a panel (Plan Review stays visible), in place of a text editor otherwise.
    const besidePanel = vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputWebview;
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: besidePanel ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active });
    return document;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
