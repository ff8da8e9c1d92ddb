// The page skeleton's pure parts (no vscode): the CSP, the nonce and escaping.
import { randomBytes } from 'node:crypto';

/**
 * The Content Security Policy of every panel. Scripts: only the bundle carrying this render's
 * nonce. Styles: only stylesheet files from dist/webviews (the panel's CSS and the codicons);
 * no inline styles at all, because vscode-elements (Lit) style their shadow roots through
 * constructable stylesheets (`adoptedStyleSheets`), which CSP does not govern, and set element
 * styles through the CSSOM, which CSP allows. Images: dist/webviews and data: URIs (every image
 * of the data folder or the thumbnail cache comes as a data: URI in a message; no panel has a
 * resource root outside dist/webviews). Fonts: the codicon font. Nothing else: no connections,
 * frames, objects, forms or base URI changes.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    // Not fetch directives, so default-src does not cover them:
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Escapes text for an element's content or a double-quoted attribute (the only kind used here). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]!);
}

/** A fresh nonce for each render (128 bits, base64). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PageParts {
  cspSource: string;
  nonce: string;
  title: string;
  /** Stylesheet URIs (webview URIs under dist/webviews); the codicon one carries the id vscode-elements looks for. */
  stylesheets: Array<{ href: string; id?: string }>;
  /** The page's bundle (a webview URI); it runs with the nonce. */
  script: string;
}

/** The page of a panel: the CSP first in <head>, stylesheets, an empty <main id="app">, the bundle. */
export function renderPage(parts: PageParts): string {
  const links = parts.stylesheets
    .map((sheet) => `  <link rel="stylesheet"${sheet.id ? ` id="${escapeHtml(sheet.id)}"` : ''} href="${escapeHtml(sheet.href)}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${links}
  <title>${escapeHtml(parts.title)}</title>
</head>
<body>
  <main id="app" aria-busy="true"></main>
  <script nonce="${escapeHtml(parts.nonce)}" src="${escapeHtml(parts.script)}"></script>
</body>
</html>`;
}
