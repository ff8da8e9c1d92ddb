import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';

describe('Actors tree on the sample workspace', () => {
  it('activates and reports its activation time', async () => {
    const api = await studio();
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(vscode.workspace.isTrusted, 'this suite runs in a trusted folder');
  });

  it('shows one node per actor with count against target and the category split', async () => {
    const api = await studio();
    const actors = await children(api);
    assert.deepEqual(
      actors.map((actor) => [actor.label, actor.description]),
      [
        [EILEEN, '13/20 · 8·2·1 · 2 unclassified'],
        ['0001_european_35_male', '6/20 · 3·2·1'],
        ['0002_mixed_30_nonbinary', '3/20 · 0·0·0 · 3 unclassified · no manifest'],
      ],
    );
    assert.equal(actors[0].item.id, `actor:${EILEEN}`);
    assert.equal(actors[0].item.contextValue, 'actor');
    assert.equal(actors[0].item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
  });

  it('lists the base image and one group per category with have/target', async () => {
    const api = await studio();
    const [eileen] = await children(api);
    const groups = await children(api, eileen.node);
    assert.deepEqual(
      groups.map((group) => [group.label, group.description]),
      [
        ['Base image', `${EILEEN}_base.png`],
        ['Photorealistic', '8/13'],
        ['B&W stylized', '2/4'],
        ['Colour stylized', '1/3'],
        ['Unclassified', '2'],
      ],
    );
    assert.equal(groups[0].item.resourceUri?.fsPath, path.join(workspaceRoot(), 'data', 'actors', EILEEN, 'base_image', `${EILEEN}_base.png`));
  });

  it('shows images whose resourceUri is the file, with stars, a click that opens them and a rich tooltip', async () => {
    const api = await studio();
    const [eileen] = await children(api);
    const photoreal = (await children(api, eileen.node)).find((group) => group.label === 'Photorealistic')!;
    const images = await children(api, photoreal.node);
    assert.equal(images.length, 8);
    const first = images[0];
    assert.equal(first.label, `${EILEEN}_0.jpg`);
    assert.equal(first.description, '★★★★★');
    assert.equal(first.item.resourceUri?.fsPath, path.join(workspaceRoot(), 'data', 'actors', EILEEN, 'training_data', `${EILEEN}_0.jpg`));
    assert.equal(first.item.command?.command, 'vscode.open');
    const resolved = api.tree.resolveTreeItem(first.item, first.node as never);
    const tooltip = resolved.tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /!\[thumbnail\]\(file:\/\/.*_0\.jpg\|width=240\)/);
    assert.match(tooltip.value, /\*Prompt \(photo\\_[a-z\\_]+\):\*/);
    assert.match(tooltip.value, /\*Rating:\* ★★★★★/);
    const unclassified = (await children(api, eileen.node)).find((group) => group.label === 'Unclassified')!;
    const untracked = (await children(api, unclassified.node)).find((image) => image.label === `${EILEEN}_12.jpg`)!;
    assert.equal(untracked.description, 'untracked');
    assert.equal(untracked.item.contextValue, 'image.untracked');
  });

  it("every row's id extends its parent's, so an image that moves to another group is a new row there", async () => {
    const api = await studio();
    const seen = new Set<string>();
    const walk = async (parent: unknown, parentId: string | undefined): Promise<void> => {
      for (const child of await children(api, parent)) {
        const id = child.item.id!;
        assert.ok(!seen.has(id), `${id} appears once`);
        seen.add(id);
        if (parentId) {
          assert.ok(id.startsWith(`${parentId}/`), `${id} extends ${parentId}`);
        }
        await walk(child.node, id);
      }
    };
    await walk(undefined, undefined);
    assert.ok(
      [...seen].some((id) => /\/category\/photorealistic\/image\//.test(id)),
      'image rows sit under their group',
    );
  });

  it('open manifest opens the actor manifest in an editor', async () => {
    const api = await studio();
    const [eileen] = await children(api);
    await vscode.commands.executeCommand('actorStudio.openManifest', eileen.node);
    const editor = await waitFor('the manifest editor', () => vscode.window.activeTextEditor);
    assert.equal(editor.document.uri.fsPath, path.join(workspaceRoot(), 'data', 'actors', EILEEN, 'training_data', 'manifest.json'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reveal in explorer accepts actor, group and image nodes', async () => {
    const api = await studio();
    const [eileen] = await children(api);
    const groups = await children(api, eileen.node);
    for (const node of [eileen.node, groups[1].node, (await children(api, groups[1].node))[0].node]) {
      await vscode.commands.executeCommand('actorStudio.revealInExplorer', node);
    }
  });
});
