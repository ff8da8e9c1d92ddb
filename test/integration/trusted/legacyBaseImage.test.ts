import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';
const actorDir = () => path.join(workspaceRoot(), 'data', 'actors', CARL);
const manifestFile = () => path.join(actorDir(), 'training_data', 'manifest.json');

describe('Legacy base images in the Actors tree', () => {
  let original: string;
  before(async () => {
    original = await fs.readFile(manifestFile(), 'utf8');
  });
  after(async () => {
    await fs.writeFile(manifestFile(), original);
    await fs.rm(path.join(actorDir(), 'originals'), { recursive: true, force: true });
  });

  it('shows the base image an old moved_to / relative_path names, and a path outside the data folder as a problem', async () => {
    await fs.mkdir(path.join(actorDir(), 'originals'), { recursive: true });
    await fs.copyFile(path.join(actorDir(), 'base_image', `${CARL}_base.png`), path.join(actorDir(), 'originals', 'face.png'));
    const manifest = JSON.parse(original);
    manifest.base_images = [{ moved_to: '/home/old-machine/private/face_outside.png' }, { relative_path: 'originals/face.png' }];
    await fs.writeFile(manifestFile(), `${JSON.stringify(manifest, null, 2)}\n`);

    const api = await studio();
    const base = await waitFor('the tree to show the resolved base image', async () => {
      const carl = (await children(api)).find((each) => each.label === CARL);
      const groups = carl ? await children(api, carl.node) : [];
      return groups.find((group) => group.label === 'Base image' && group.description === 'face.png');
    });
    assert.equal(base.item.resourceUri?.fsPath, path.join(actorDir(), 'originals', 'face.png'));

    const diagnostic = await waitFor('the warning on the manifest', () =>
      vscode.languages
        .getDiagnostics(vscode.Uri.file(manifestFile()))
        .find((each) => /base_images\[0\] moved_to .* is outside the data folder/.test(each.message)),
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
  });
});
