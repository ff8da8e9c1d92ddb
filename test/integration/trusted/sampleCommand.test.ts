import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

describe('data folder setting, welcome state and Create Sample Workspace', () => {
  const config = () => vscode.workspace.getConfiguration('actorStudio');
  after(async () => {
    await config().update('dataFolder', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('a data folder that does not exist gives an empty tree (the welcome view), and the sample fills it', async () => {
    const api = await studio();
    await config().update('dataFolder', 'fresh-data', vscode.ConfigurationTarget.Workspace);
    await waitFor('the new data folder', () => api.workspace.dataRoot?.endsWith('fresh-data') || undefined);
    assert.deepEqual(await children(api), []);
    assert.equal(await api.workspace.state(), 'missing');

    await vscode.commands.executeCommand('actorStudio.createSampleWorkspace');
    const root = path.join(workspaceRoot(), 'fresh-data', 'actors');
    assert.deepEqual((await fs.readdir(root)).sort(), ['0000_european_45_female', '0001_european_35_male', '0002_mixed_30_nonbinary']);
    const actors = await waitFor('the sample actors in the tree', async () => {
      const listed = await children(api);
      return listed.length === 3 ? listed : undefined;
    });
    assert.equal(actors[1].description, '6/20 · 3·2·1');
  });

  it('never overwrites an actor that exists', async () => {
    const manifest = path.join(workspaceRoot(), 'fresh-data', 'actors', '0001_european_35_male', 'training_data', 'manifest.json');
    await fs.writeFile(manifest, '{"images": [], "mine": true}\n');
    await vscode.commands.executeCommand('actorStudio.createSampleWorkspace');
    assert.equal(await fs.readFile(manifest, 'utf8'), '{"images": [], "mine": true}\n');
  });

  it('the target setting changes the have/target figures', async () => {
    const api = await studio();
    await config().update('target.total', 10, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('targets of 10', async () => (await children(api))[0]?.description.startsWith('13/10') || undefined);
      const groups = await children(api, (await children(api))[0].node);
      assert.deepEqual(
        groups.slice(1, 4).map((group) => group.description),
        ['8/7', '2/2', '1/1'],
      );
    } finally {
      await config().update('target.total', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
