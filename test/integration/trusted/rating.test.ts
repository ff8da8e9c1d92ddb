// Rate Image in the real extension host on the sample workspace: through its programmatic form
// (the quick picks are skipped by passing the stars), on one image node, on a multi-selection,
// and on an { actorId, filename } target; the manifest, the log and the tree's stars follow.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RateImageResult } from '../../../src/commands/rateImage';
import { restoreFiles, snapshotFiles } from '../support/files';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';
const HOSTILE = '<b>x</b><script>alert(1)</script>';

interface ManifestFile {
  images: { filename: string; rating?: { stars: number; feedback?: string; rated_at?: string } }[];
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const manifestFile = () => path.join(dataDir(), 'actors', CARL, 'training_data', 'manifest.json');
const ratingOf = async (filename: string) => {
  const manifest = JSON.parse(await fs.readFile(manifestFile(), 'utf8')) as ManifestFile;
  return manifest.images.find((image) => image.filename === filename)?.rating;
};

/** Carl's photorealistic image nodes as the tree shows them now. */
async function carlPhotos() {
  const api = await studio();
  const carl = (await children(api)).find((actor) => actor.label === CARL)!;
  const photos = (await children(api, carl.node)).find((group) => group.label === 'Photorealistic')!;
  return children(api, photos.node);
}

describe('Rate Image in the editor', function () {
  this.timeout(60_000);
  let original: Map<string, Buffer>;
  let trackingExisted: boolean;

  before(async () => {
    original = await snapshotFiles(dataDir());
    trackingExisted = await fs.access(path.join(dataDir(), 'tracking')).then(
      () => true,
      () => false,
    );
  });

  after(async () => {
    await restoreFiles(dataDir(), original);
    if (!trackingExisted) {
      await fs.rm(path.join(dataDir(), 'tracking'), { recursive: true, force: true });
    }
    await (await studio()).tree.refresh();
  });

  it('is declared with its context menu on image nodes and keys in the Actors view', () => {
    const contributes = vscode.extensions.getExtension('actor-studio.actor-studio')!.packageJSON.contributes;
    const menu = contributes.menus['view/item/context'].find((entry: { command: string }) => entry.command === 'actorStudio.rateImage');
    assert.match(menu.when, /viewItem == image\b/);
    const keys = contributes.keybindings.filter((entry: { command: string }) => entry.command === 'actorStudio.rateImage');
    assert.deepEqual(keys.map((entry: { key: string }) => entry.key).sort(), ['1', '2', '3', '4', '5', 'ctrl+alt+r']);
    // The workbench's own focus keys (a focused leaf row), never a key of ours that a late selection event could leave stale.
    assert.ok(
      keys.every(
        (entry: { when: string }) =>
          entry.when.includes('focusedView == actorStudio.actors') &&
          entry.when.includes('!treeElementCanExpand') &&
          !entry.when.includes('actorStudio.'.concat('imageSelected')),
      ),
    );
  });

  it('rates one image node: the manifest gets the stars and the feedback verbatim, the tree shows the stars', async () => {
    const [first] = await carlPhotos();
    assert.equal(first.label, `${CARL}_0.jpg`);
    const result = await vscode.commands.executeCommand<RateImageResult>('actorStudio.rateImage', first.node, undefined, { stars: 2, feedback: HOSTILE });
    assert.deepEqual(result.failed, []);
    assert.equal(result.rated.length, 1);
    const rating = await ratingOf(`${CARL}_0.jpg`);
    assert.equal(rating?.stars, 2);
    assert.equal(rating?.feedback, HOSTILE);
    await waitFor('the tree to show two stars', async () => (await carlPhotos())[0].description === '★★☆☆☆');
    const [again] = await carlPhotos();
    const tooltip = (await studio()).tree.resolveTreeItem(again.item, again.node as never).tooltip as vscode.MarkdownString;
    assert.ok(tooltip.value.includes('\\<b\\>x\\</b\\>\\<script\\>'), 'the feedback shows as text in the tooltip (escaped markdown)');
  });

  it("redraws the rated image's row alone: the actor and group rows stay, so a context menu opened on a sibling keeps its row", async () => {
    const api = await studio();
    const photos = await carlPhotos();
    const fired: string[] = [];
    const listening = api.tree.onDidChangeTreeData((node) => fired.push(node?.id ?? '(root)'));
    try {
      await vscode.commands.executeCommand('actorStudio.rateImage', photos[1].node, undefined, { stars: 3 });
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the watcher's debounced re-read of the manifest
    } finally {
      listening.dispose();
    }
    // Other actors may be redrawn by what earlier suites left behind (a plan turning stale); Carl's rows are this test's.
    assert.ok(!fired.includes('(root)'), 'the root is not redrawn');
    assert.deepEqual([...new Set(fired.filter((id) => id.startsWith(`actor:${CARL}`)))], [photos[1].node.id], 'of Carl, only the rated row is redrawn');
    const [again] = (await carlPhotos()).slice(1);
    assert.equal(again.node, photos[1].node, 'the row keeps its node, updated in place');
    assert.equal(again.description, '★★★☆☆');
  });

  it('rates every image of a multi-selection; the log keeps one entry per rating', async () => {
    const photos = await carlPhotos();
    const selection = photos.slice(0, 3).map((photo) => photo.node);
    const result = await vscode.commands.executeCommand<RateImageResult>('actorStudio.rateImage', selection[0], selection, { stars: 5 });
    assert.equal(result.rated.length, 3);
    for (const photo of photos.slice(0, 3)) {
      assert.equal((await ratingOf(photo.label))?.stars, 5, photo.label);
    }
    assert.equal((await ratingOf(`${CARL}_0.jpg`))?.feedback, HOSTILE, 'a rating without feedback keeps the earlier feedback');
    await waitFor('the tree to show five stars on the three', async () =>
      (await carlPhotos()).slice(0, 3).every((photo) => photo.description.startsWith('★★★★★')),
    );
    const log = JSON.parse(await fs.readFile(path.join(dataDir(), 'tracking', 'generation_log.json'), 'utf8'));
    assert.deepEqual(
      log.ratings.map((entry: { filename: string; stars: number }) => `${entry.filename} ${entry.stars}`),
      [`${CARL}_0.jpg 2`, `${photos[1].label} 3`, ...photos.slice(0, 3).map((photo) => `${photo.label} 5`)],
    );
  });

  it('takes an { actorId, filename } target and can clear a rating', async () => {
    await vscode.commands.executeCommand('actorStudio.rateImage', { actorId: CARL, filename: `${CARL}_1.jpg` }, undefined, { clear: true });
    assert.equal(await ratingOf(`${CARL}_1.jpg`), undefined);
    await waitFor('the tree to drop the stars', async () => (await carlPhotos())[1].description === '');
  });

  it('an unknown image is reported, nothing is written', async () => {
    const before = await fs.readFile(manifestFile(), 'utf8');
    const result = await vscode.commands.executeCommand<RateImageResult>('actorStudio.rateImage', { actorId: CARL, filename: `${CARL}_99.jpg` }, undefined, {
      stars: 3,
    });
    assert.equal(result.rated.length, 0);
    assert.match(result.failed[0].reason, /manifest\.json: no image "0001_european_35_male_99\.jpg"/);
    assert.equal(await fs.readFile(manifestFile(), 'utf8'), before);
  });
});
