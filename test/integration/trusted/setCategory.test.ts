// Set Category in the real extension host on the sample workspace: from an image node, on a
// multi-selection, and through its programmatic form on an { actorId, filename } target (the quick
// pick is skipped by passing the category); the manifest records the user's choice and the tree's
// category counts follow.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SetCategoryResult } from '../../../src/commands/setCategory';
import { restoreFiles, snapshotFiles } from '../support/files';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';

interface ManifestFile {
  images: { filename: string; category: string; category_source?: string; prompt_category?: string }[];
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const manifestFile = () => path.join(dataDir(), 'actors', CARL, 'training_data', 'manifest.json');
const entryOf = async (filename: string) => {
  const manifest = JSON.parse(await fs.readFile(manifestFile(), 'utf8')) as ManifestFile;
  return manifest.images.find((image) => image.filename === filename);
};

/** Carl's category groups as the tree shows them now: label -> [description, image names]. */
async function carlGroups(): Promise<Map<string, { description: string; images: string[]; nodes: Awaited<ReturnType<typeof children>> }>> {
  const api = await studio();
  const carl = (await children(api)).find((actor) => actor.label === CARL)!;
  const groups = new Map();
  for (const group of await children(api, carl.node)) {
    if (typeof group.description === 'string' && /^\d+(\/\d+)?$/.test(group.description)) {
      const nodes = await children(api, group.node);
      groups.set(group.label, { description: group.description, images: nodes.map((node) => node.label), nodes });
    }
  }
  return groups;
}

describe('Set Category in the editor', function () {
  this.timeout(60_000);
  let original: Map<string, Buffer>;

  before(async () => {
    original = await snapshotFiles(dataDir());
    // The files are as the sample has them; the index must not answer from what an earlier test
    // wrote and put back (the watcher's refresh is debounced).
    (await studio()).workspace.invalidate();
    await vscode.commands.executeCommand('actorStudio.refresh');
    // A data folder setting changed just before (the welcome test): wait until Carl is read from his manifest again.
    const api = await studio();
    await waitFor('Carl read from his manifest', async () =>
      (await children(api)).find((each) => each.label === CARL)?.description.startsWith('6/20 · 3·2·1') ? true : undefined,
    );
  });

  after(async () => {
    await restoreFiles(dataDir(), original);
    await (await studio()).tree.refresh();
  });

  it('is declared with its context menu on image nodes', () => {
    const contributes = vscode.extensions.getExtension('actor-studio.actor-studio')!.packageJSON.contributes;
    const menu = contributes.menus['view/item/context'].find((entry: { command: string }) => entry.command === 'actorStudio.setCategory');
    assert.match(menu.when, /viewItem == image\b/);
    assert.match(menu.when, /isWorkspaceTrusted/);
  });

  it('sets the category of one image node: the manifest records the user, the image moves between groups', async () => {
    const before = await carlGroups();
    assert.equal(before.get('Photorealistic')?.description, '3/13');
    assert.equal(before.get('Colour stylized')?.description, '1/3');
    const node = before.get('Photorealistic')!.nodes.find((each) => each.label === `${CARL}_1.jpg`)!;
    const result = await vscode.commands.executeCommand<SetCategoryResult>('actorStudio.setCategory', node.node, undefined, { category: 'color_stylized' });
    assert.deepEqual(result.failed, []);
    assert.deepEqual(result.set, [{ actorId: CARL, filename: `${CARL}_1.jpg` }]);
    const entry = await entryOf(`${CARL}_1.jpg`);
    assert.deepEqual([entry?.category, entry?.category_source, entry?.prompt_category], ['color_stylized', 'user', 'photorealistic']);
    await waitFor('the tree to move the image', async () => (await carlGroups()).get('Colour stylized')?.description === '2/3');
    const after = await carlGroups();
    assert.equal(after.get('Photorealistic')?.description, '2/13');
    assert.ok(after.get('Colour stylized')!.images.includes(`${CARL}_1.jpg`));
  });

  it('sets a multi-selection and a programmatic { actorId, filename } target', async () => {
    const groups = await carlGroups();
    const photos = groups.get('Photorealistic')!.nodes;
    const [first] = photos;
    const result = await vscode.commands.executeCommand<SetCategoryResult>(
      'actorStudio.setCategory',
      first.node,
      photos.map((each) => each.node),
      {
        category: 'bw_stylized',
      },
    );
    assert.equal(result.set.length, photos.length);
    for (const photo of photos) {
      assert.equal((await entryOf(String(photo.label)))?.category_source, 'user');
    }
    const scripted = await vscode.commands.executeCommand<SetCategoryResult>(
      'actorStudio.setCategory',
      { actorId: CARL, filename: `${CARL}_5.jpg` },
      undefined,
      { category: 'photorealistic' },
    );
    assert.deepEqual(scripted.set, [{ actorId: CARL, filename: `${CARL}_5.jpg` }]);
    await waitFor('the tree to count the new categories', async () => {
      const now = await carlGroups();
      return now.get('Photorealistic')?.description === '1/13' && now.get('B&W stylized')?.description === `${2 + photos.length}/4`;
    });
  });
});
