import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { children, studio, workspaceRoot } from '../support/studio';

describe('Restricted Mode (untrusted folder)', () => {
  it('the folder is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('browsing works: the tree lists the actors and their groups', async () => {
    const api = await studio();
    const actors = await children(api);
    assert.deepEqual(
      actors.map((actor) => actor.label),
      ['0000_european_45_female', '0001_european_35_male', '0002_mixed_30_nonbinary'],
    );
    const groups = await children(api, actors[0].node);
    assert.equal(groups[1].description, '8/13');
  });

  it('mutating commands refuse to change files', async () => {
    const dataRoot = path.join(workspaceRoot(), 'data', 'actors');
    await fs.rename(path.join(dataRoot, '0002_mixed_30_nonbinary'), path.join(workspaceRoot(), 'moved-away'));
    try {
      await vscode.commands.executeCommand('actorStudio.createSampleWorkspace');
      assert.deepEqual((await fs.readdir(dataRoot)).sort(), ['0000_european_45_female', '0001_european_35_male']);
    } finally {
      await fs.rename(path.join(workspaceRoot(), 'moved-away'), path.join(dataRoot, '0002_mixed_30_nonbinary'));
    }
  });

  it('exports refuse to write', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-restricted-'));
    try {
      const options = { actorIds: ['0001_european_35_male'], format: 'kohya', outDir: out, trigger: 'ohwx', confirm: false };
      assert.equal(await vscode.commands.executeCommand('actorStudio.exportDataset', undefined, undefined, options), undefined);
      assert.equal(await vscode.commands.executeCommand('actorStudio.exportPromptData', { outFile: path.join(out, 'prompts.json') }), undefined);
      assert.deepEqual(await fs.readdir(out), [], 'nothing was written');
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  it('Rate Image refuses in Restricted Mode and leaves the manifest as it was', async () => {
    const manifest = path.join(workspaceRoot(), 'data', 'actors', '0001_european_35_male', 'training_data', 'manifest.json');
    const before = await fs.readFile(manifest, 'utf8');
    const result = await vscode.commands.executeCommand(
      'actorStudio.rateImage',
      { actorId: '0001_european_35_male', filename: '0001_european_35_male_0.jpg' },
      undefined,
      { stars: 1 },
    );
    assert.equal(result, undefined);
    assert.equal(await fs.readFile(manifest, 'utf8'), before);
  });
});
