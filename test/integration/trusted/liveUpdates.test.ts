import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';

function carlFile(name: string): string {
  return path.join(workspaceRoot(), 'data', 'actors', CARL, 'training_data', name);
}

async function carlDescription(): Promise<string> {
  const api = await studio();
  const actor = (await children(api)).find((each) => each.label === CARL);
  return actor?.description ?? '';
}

describe('live updates, diagnostics and schemas', () => {
  let original: string;
  before(async () => {
    original = await fs.readFile(carlFile('manifest.json'), 'utf8');
  });
  after(async () => {
    await fs.writeFile(carlFile('manifest.json'), original);
    await fs.rm(carlFile(`${CARL}_99.jpg`), { force: true });
  });

  it('an image added on disk appears as untracked after the debounced refresh', async () => {
    await fs.copyFile(carlFile(`${CARL}_0.jpg`), carlFile(`${CARL}_99.jpg`));
    await waitFor('the new image in the counts', async () => (await carlDescription()) === '7/20 · 3·2·1 · 1 unclassified');
    await fs.rm(carlFile(`${CARL}_99.jpg`));
    await waitFor('the image to disappear again', async () => (await carlDescription()) === '6/20 · 3·2·1');
  });

  it('after a full re-read every row holds the new read, so no row shows (or keeps in memory) an older one', async () => {
    const api = await studio();
    await children(api);
    const actors = (await api.workspace.actors())!;
    const before = new Map(actors.list().ids.map((id) => [id, api.tree.actorNode(id)?.record]));
    api.workspace.invalidate();
    await api.tree.getChildren();
    await api.tree.settled();
    for (const id of actors.list().ids) {
      const record = api.tree.actorNode(id)?.record;
      assert.ok(record, `${id} has a record`);
      assert.notEqual(record, before.get(id), `${id} was given the new read`);
      assert.equal(record, actors.peek(id), `${id} holds the index's record`);
    }
  });

  it('an invalid manifest shows an error node and a diagnostic at its line and column; other actors still show', async () => {
    const broken = original.replace('"index": 2,', '"index": "two",');
    assert.notEqual(broken, original, 'the sample manifest has an index 2 entry');
    await fs.writeFile(carlFile('manifest.json'), broken);
    const uri = vscode.Uri.file(carlFile('manifest.json'));
    const ours = await waitFor('our diagnostic', () => vscode.languages.getDiagnostics(uri).find((each) => each.source === 'Actor Studio'));
    assert.equal(ours.severity, vscode.DiagnosticSeverity.Error);
    assert.match(ours.message, /images\[\d+\]\.index: .*expected number/);
    const lines = broken.split('\n');
    const line = lines.findIndex((text) => text.includes('"index": "two"'));
    assert.equal(ours.range.start.line, line);
    assert.equal(ours.range.start.character, lines[line].indexOf('"two"'));

    // The tree refreshes on its own debounced watcher, not with the diagnostics: wait for it.
    const api = await studio();
    await waitFor('the tree to read the broken manifest', async () =>
      (await children(api)).find((each) => each.label === CARL)?.description === 'manifest invalid' ? true : undefined,
    );
    const actors = await children(api);
    const carl = actors.find((each) => each.label === CARL)!;
    assert.equal(carl.description, 'manifest invalid');
    assert.equal(carl.item.contextValue, 'actor.invalid');
    const [errorNode] = await children(api, carl.node);
    assert.match(errorNode.label, /expected number/);
    assert.equal(errorNode.description, `line ${line + 1}`);
    assert.equal(errorNode.item.command?.command, 'vscode.open');
    assert.equal(actors.length, 3, 'every other actor still shows');
    assert.equal(actors[0].description, '13/20 · 8·2·1 · 2 unclassified');

    await fs.writeFile(carlFile('manifest.json'), original);
    await waitFor('the diagnostic to clear', () => !vscode.languages.getDiagnostics(uri).some((each) => each.source === 'Actor Studio') || undefined);
    assert.equal(await carlDescription(), '6/20 · 3·2·1');
  });

  it('the contributed JSON schema checks a manifest opened in the editor', async () => {
    const broken = original.replace('"index": 2,', '"index": "two",');
    await fs.writeFile(carlFile('manifest.json'), broken);
    const uri = vscode.Uri.file(carlFile('manifest.json'));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const fromSchema = await waitFor(
      'a JSON schema diagnostic',
      () => vscode.languages.getDiagnostics(uri).find((each) => each.source !== 'Actor Studio' && /integer|number/i.test(each.message)),
      45_000,
    );
    assert.equal(document.positionAt(document.getText().indexOf('"two"')).line, fromSchema.range.start.line);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fs.writeFile(carlFile('manifest.json'), original);
  });
});
