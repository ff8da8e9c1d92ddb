// "Needs review" in the real extension host, on the sample workspace: two of Carl's images get an
// evaluation that could not score their faces (as the face check writes it). The tree shows them as
// needing review (description, badge, count on the actor, both distances in the tooltip); Keep Image
// from a node records the keep; the Image Viewer's and Plan Review's Keep go through their
// protocols. The workspace is put back afterwards.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KeepImageResult } from '../../../src/commands/keepImage';
import type { ImageViewerPanelProbe } from '../../../src/webviews/imageViewer/imageViewerPanel';
import type { ImageViewerHostMessage, StateMessage as ViewerState } from '../../../src/webviews/imageViewer/protocol';
import type { PlanReviewPanelProbe } from '../../../src/webviews/planReview/planReviewPanel';
import type { PlanReviewHostMessage, StateMessage as PlanState } from '../../../src/webviews/planReview/protocol';
import { restoreFiles, snapshotFiles } from '../support/files';
import { children, studio, waitFor, workspaceRoot, PAGE_READY_TIMEOUT_MS } from '../support/studio';

const CARL = '0001_european_35_male';
const FROM_TREE = `${CARL}_2.jpg`;
const FROM_VIEWER = `${CARL}_3.jpg`;
const FROM_PLAN_REVIEW = `${CARL}_4.jpg`;
const REASON = 'needs review: face turned too far (yaw 63°); identity not scored';

interface Entry {
  filename: string;
  sha256?: string;
  category?: string;
  evaluation?: Record<string, unknown>;
  review?: { decision: string; at: string };
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const manifestFile = () => path.join(dataDir(), 'actors', CARL, 'training_data', 'manifest.json');
const readManifest = async () => JSON.parse(await fs.readFile(manifestFile(), 'utf8')) as { images: Entry[] };
const entryOf = async (filename: string) => (await readManifest()).images.find((image) => image.filename === filename);

/** Writes an evaluation for the image's current bytes that could not score its face. */
async function markNeedsReview(filenames: string[]): Promise<void> {
  const manifest = await readManifest();
  for (const entry of manifest.images.filter((image) => filenames.includes(image.filename))) {
    entry.evaluation = {
      evaluator: 'local+face',
      sha256: entry.sha256,
      category: entry.category,
      quality: 7,
      issues: ['unscorable'],
      reasons: [REASON],
      identity_distance: 0.31,
      centroid_distance: 0.28,
      evaluated_at: '2026-12-01T10:00:00.000Z',
    };
  }
  await fs.writeFile(manifestFile(), JSON.stringify(manifest, null, 2));
}

async function carlNode() {
  const carl = (await children(await studio())).find((actor) => actor.label === CARL);
  assert.ok(carl, `${CARL} is in the tree`);
  return carl;
}

/** The image's node as the tree shows it now (whatever its category). */
async function imageNode(filename: string) {
  const api = await studio();
  for (const category of await children(api, (await carlNode()).node)) {
    const found = (await children(api, category.node)).find((image) => image.label === filename);
    if (found) {
      return found;
    }
  }
  throw new Error(`${filename} is not in the tree`);
}

describe('Needs review in the editor', function () {
  this.timeout(180_000);
  let original: Map<string, Buffer>;
  let requestId = 4000;
  const createdFolders = ['.trash', 'action_plans', 'tracking'];
  let existedBefore: boolean[];

  before(async () => {
    original = await snapshotFiles(dataDir());
    // The files are as the sample has them; the index must not answer from what an earlier test
    // wrote and put back (the watcher's refresh is debounced).
    (await studio()).workspace.invalidate();
    await vscode.commands.executeCommand('actorStudio.refresh');
    existedBefore = await Promise.all(
      createdFolders.map((name) =>
        fs.access(path.join(dataDir(), name)).then(
          () => true,
          () => false,
        ),
      ),
    );
    await markNeedsReview([FROM_TREE, FROM_VIEWER, FROM_PLAN_REVIEW]);
    await (await studio()).tree.refresh();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    (await studio()).imageViewerPanel()?.close();
    (await studio()).planReviewPanel()?.close();
    await restoreFiles(dataDir(), original);
    for (const [position, name] of createdFolders.entries()) {
      if (!existedBefore[position]) {
        await fs.rm(path.join(dataDir(), name), { recursive: true, force: true });
      }
    }
    await (await studio()).tree.refresh();
  });

  it('is declared: Keep Image (Reviewed) on image nodes that need review, with Delete beside it; Rate Image still offered', () => {
    const contributes = vscode.extensions.getExtension('actor-studio.actor-studio')!.packageJSON.contributes;
    const command = contributes.commands.find((entry: { command: string }) => entry.command === 'actorStudio.keepImage');
    assert.deepEqual([command.title, command.category, command.enablement], ['Keep Image (Reviewed)', 'Actor Studio', 'isWorkspaceTrusted']);
    const menus = contributes.menus['view/item/context'] as Array<{ command: string; when: string; group: string }>;
    const matches = (id: string, viewItem: string) =>
      menus
        .filter((entry) => entry.command === id)
        .filter((entry) => {
          const exact = /viewItem == ([\w.]+)/.exec(entry.when)?.[1];
          const pattern = /viewItem =~ \/(.+?)\//.exec(entry.when)?.[1];
          const excluded = /viewItem != ([\w.]+)/.exec(entry.when)?.[1];
          return (exact === viewItem || (pattern !== undefined && new RegExp(pattern).test(viewItem))) && excluded !== viewItem;
        });
    assert.deepEqual(
      matches('actorStudio.keepImage', 'image.needsReview')
        .map((entry) => entry.group)
        .sort(),
      ['2_rate@0', 'inline@1'],
    );
    assert.deepEqual(matches('actorStudio.keepImage', 'image'), [], 'not on images that need no review');
    assert.deepEqual(
      matches('actorStudio.deleteImage', 'image.needsReview')
        .map((entry) => entry.group)
        .sort(),
      ['2_rate@2', 'inline@2'],
    );
    for (const id of ['actorStudio.rateImage', 'actorStudio.openImageViewer', 'actorStudio.revealInExplorer']) {
      assert.ok(matches(id, 'image.needsReview').length > 0, `${id} is still offered on images that need review`);
    }
  });

  it('the tree shows them as needing review: description, icon, badge, count on the actor, reason and both distances in the tooltip', async () => {
    const api = await studio();
    const node = await waitFor('the tree to show needs review', async () => {
      const found = await imageNode(FROM_TREE);
      return found.description.includes('needs review') ? found : undefined;
    });
    assert.equal(node.item.contextValue, 'image.needsReview');
    assert.doesNotMatch(node.description, /unscorable/, 'the issue key reads as "needs review"');
    const tooltip = api.tree.resolveTreeItem(node.item, node.node as never).tooltip as vscode.MarkdownString;
    assert.ok(tooltip.value.includes('face distance to the base image 0.31 · to the set 0.28'), tooltip.value);
    assert.match(tooltip.value, /Needs review:\*\* face turned too far/);
    const badge = api.decorations.provideFileDecoration(vscode.Uri.file(path.join(path.dirname(manifestFile()), FROM_TREE)));
    assert.equal(badge?.badge, 'R');
    assert.match(String(badge?.tooltip), /Needs review: face turned too far/);
    const carl = await carlNode();
    assert.match(carl.description, /· 3 need review\b/);
    const actorTooltip = api.tree.resolveTreeItem(carl.item, carl.node as never).tooltip as vscode.MarkdownString;
    assert.match(actorTooltip.value, /3 images need review/);
  });

  it('Keep Image from the node records the keep; the tree stops showing needs review', async () => {
    const node = await imageNode(FROM_TREE);
    const result = await vscode.commands.executeCommand<KeepImageResult>('actorStudio.keepImage', node.node);
    assert.deepEqual(result, { kept: [{ actorId: CARL, filename: FROM_TREE }], failed: [] });
    const entry = await entryOf(FROM_TREE);
    assert.equal(entry?.review?.decision, 'keep');
    assert.ok(!Number.isNaN(Date.parse(entry?.review?.at ?? '')), 'with the time');
    assert.deepEqual((entry?.evaluation as { issues: string[] }).issues, ['unscorable'], 'the evaluation stays');
    const after = await waitFor('the node to stop showing needs review', async () => {
      const found = await imageNode(FROM_TREE);
      return found.item.contextValue === 'image' ? found : undefined;
    });
    assert.doesNotMatch(after.description, /needs review/);
    assert.match(after.description, /kept on review/);
    assert.equal((await studio()).decorations.provideFileDecoration(vscode.Uri.file(path.join(path.dirname(manifestFile()), FROM_TREE))), undefined);
    assert.match((await carlNode()).description, /· 2 need review\b/);
  });

  it('the Image Viewer shows Needs review with the reason and both distances; its Keep goes through the protocol', async () => {
    await vscode.commands.executeCommand('actorStudio.openImageViewer', (await imageNode(FROM_VIEWER)).node);
    const probe = (await studio()).imageViewerPanel() as ImageViewerPanelProbe;
    assert.ok(probe, 'the viewer is open');
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const isState = (message: ImageViewerHostMessage): message is ViewerState => message.type === 'state';
    const state = await probe.waitFor((message): message is ViewerState => isState(message) && message.view?.filename === FROM_VIEWER, { timeoutMs: 30_000 });
    assert.deepEqual(state.view?.review, { state: 'needed', reason: 'face turned too far (yaw 63°); identity not scored' });
    assert.equal(state.view?.evaluation?.identityDistance, 0.31);
    assert.equal(state.view?.evaluation?.centroidDistance, 0.28);

    const id = ++requestId;
    const from = probe.posted.length;
    await probe.receive({ type: 'request', id, method: 'keep', params: null } as never);
    const reply = await probe.waitFor((message) => message.type === 'reply' && message.id === id, { from, timeoutMs: 60_000 });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    assert.deepEqual((reply as { result: unknown }).result, { kept: true });
    assert.equal((await entryOf(FROM_VIEWER))?.review?.decision, 'keep');
    const kept = await probe.waitFor((message): message is ViewerState => isState(message) && message.view?.review?.state === 'kept', {
      from,
      timeoutMs: 30_000,
    });
    assert.equal(kept.view?.filename, FROM_VIEWER);
    await waitFor('the tree to follow', async () => (await imageNode(FROM_VIEWER)).item.contextValue === 'image');
    assert.deepEqual(probe.diagnostics, [], 'no CSP violations or page errors');
  });

  it('Plan Review lists what needs review (thumbnail, reason) and keeps through its protocol; the list updates', async () => {
    await vscode.commands.executeCommand('actorStudio.openPlanReview', (await carlNode()).node);
    const probe = (await studio()).planReviewPanel() as PlanReviewPanelProbe;
    assert.ok(probe, 'the panel is open');
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const isState = (message: PlanReviewHostMessage): message is PlanState => message.type === 'state';
    const state = await probe.waitFor((message): message is PlanState => isState(message) && (message.review?.length ?? 0) > 0, { timeoutMs: 30_000 });
    assert.deepEqual(
      state.review?.map((item) => [item.filename, item.reason]),
      [[FROM_PLAN_REVIEW, 'face turned too far (yaw 63°); identity not scored']],
    );
    assert.match(state.review?.[0].thumbnail ?? '', /^data:image\//);
    assert.equal(state.review?.[0].path, undefined, 'no file paths go to the page');

    const refused = ++requestId;
    let from = probe.posted.length;
    await probe.receive({ type: 'request', id: refused, method: 'keepImage', params: { filename: '../manifest.json' } } as never);
    const no = await probe.waitFor((message) => message.type === 'reply' && message.id === refused, { from, timeoutMs: 30_000 });
    assert.ok(no.type === 'reply' && !no.ok, 'a path is refused');

    const id = ++requestId;
    from = probe.posted.length;
    await probe.receive({ type: 'request', id, method: 'keepImage', params: { filename: FROM_PLAN_REVIEW } } as never);
    const reply = await probe.waitFor((message) => message.type === 'reply' && message.id === id, { from, timeoutMs: 60_000 });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    assert.equal((await entryOf(FROM_PLAN_REVIEW))?.review?.decision, 'keep');
    await probe.waitFor((message): message is PlanState => isState(message) && (message.review?.length ?? -1) === 0, { from, timeoutMs: 30_000 });
    assert.doesNotMatch((await carlNode()).description, /need review/);
    assert.deepEqual(probe.diagnostics, [], 'no CSP violations or page errors');
  });
});
