import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ActorStudioTestApi } from '../../../src/extension';

export const EXTENSION_ID = 'actor-studio.actor-studio';

/** Activates the extension under test and returns what activate() returned. */
export async function studio(): Promise<ActorStudioTestApi> {
  const extension = vscode.extensions.getExtension<ActorStudioTestApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this host`);
  return extension.activate();
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host opened no folder');
  return folder.uri.fsPath;
}

/**
 * Node items as VS Code would show them: labels, descriptions and the nodes themselves. The root
 * level first lists actors as "loading…" and fills them in the background: wait for that.
 */
export async function children(api: ActorStudioTestApi, parent?: unknown) {
  const read = async () =>
    (await api.tree.getChildren(parent as never)).map((node) => {
      const item = api.tree.getTreeItem(node);
      return { node, item, label: String(typeof item.label === 'object' ? item.label.label : item.label), description: String(item.description ?? '') };
    });
  return waitFor('actors to load', async () => {
    const items = await read();
    return items.some((item) => item.description === 'loading…') ? undefined : items;
  });
}

/**
 * How long a panel's page may take to say `ready` the first time. Measured: about 28 s when the
 * page was opened right after an evaluation kept both cores busy with face workers (code-server,
 * Chromium and the extension host share the 2-core machine); the usual start is under 2 s.
 */
export const PAGE_READY_TIMEOUT_MS = 60_000;

/** Polls until `check` returns a value (the watcher and language services answer asynchronously). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
