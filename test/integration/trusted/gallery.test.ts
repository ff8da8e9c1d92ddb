// The Actor Gallery in the real extension host, tested at its protocol boundary (like the other
// panels): the test reads the state the host posts and sends the requests the page would send,
// while the real page runs in the workbench. The workspace is put back afterwards.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SetCategoryResult } from '../../../src/commands/setCategory';
import type { GalleryPanelProbe } from '../../../src/webviews/gallery/galleryPanel';
import type { GalleryHostMessage, StateMessage } from '../../../src/webviews/gallery/protocol';
import { preserveDataFolder } from '../support/files';
import { children, PAGE_READY_TIMEOUT_MS, studio, waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';

interface ManifestFile {
  images: Array<{ filename: string; category: string; category_source?: string; rating?: { stars: number } | null }>;
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const manifestFile = () => path.join(dataDir(), 'actors', EILEEN, 'training_data', 'manifest.json');
const readManifest = async () => JSON.parse(await fs.readFile(manifestFile(), 'utf8')) as ManifestFile;
const isState = (message: GalleryHostMessage): message is StateMessage => message.type === 'state';

describe('Actor Gallery panel', function () {
  this.timeout(120_000);
  let probe: GalleryPanelProbe;
  let preserved: Awaited<ReturnType<typeof preserveDataFolder>>;
  let requestId = 700;
  /** Thumbnail keys the replies gave, for the state test after them. */
  const thumbnailKeys = new Map<string, string>();

  async function request(method: string, params: unknown) {
    const id = ++requestId;
    const from = probe.posted.length;
    await probe.receive({ type: 'request', id, method, params } as never);
    return probe.waitFor((message) => message.type === 'reply' && message.id === id, { from, timeoutMs: 60_000 });
  }

  const stateWhere = (check: (state: StateMessage) => boolean, from = 0) =>
    probe.waitFor((message): message is StateMessage => isState(message) && check(message), { from, timeoutMs: 30_000 });
  const imageIn = (state: StateMessage, filename: string) => state.view?.images.find((image) => image.filename === filename);

  before(async () => {
    // Regenerating writes the generation log: folders the suite creates go too.
    preserved = await preserveDataFolder(dataDir(), ['.trash', 'action_plans', 'tracking']);
    (await studio()).workspace.invalidate();
    await vscode.commands.executeCommand('actorStudio.refresh');
  });

  after(async () => {
    (await studio()).galleryPanel()?.close();
    await preserved.restore();
    await (await studio()).tree.refresh();
  });

  it('opens from an actor node: the real page is ready, every image with its badges, the counts against the targets, a strict CSP', async () => {
    const api = await studio();
    const eileen = (await children(api)).find((actor) => actor.label === EILEEN);
    assert.ok(eileen, `${EILEEN} is in the tree`);
    await vscode.commands.executeCommand('actorStudio.openGallery', eileen.node);
    const current = api.galleryPanel();
    assert.ok(current, 'api.galleryPanel() returns the open gallery');
    probe = current;
    assert.equal(probe.viewType, 'actorStudio.gallery');
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const state = await stateWhere((message) => message.view !== undefined);
    const view = state.view!;
    const manifest = await readManifest();
    assert.equal(view.actorId, EILEEN);
    assert.equal(view.images.filter((image) => image.tracked).length, manifest.images.length);
    assert.ok(
      view.images.some((image) => !image.tracked),
      'an image on disk but not in the manifest is shown too (untracked)',
    );
    assert.equal(view.baseImage, `${EILEEN}_base.png`);
    assert.equal(view.target, 20);
    assert.deepEqual(
      view.counts.filter((count) => count.target !== undefined).map((count) => count.target),
      [13, 4, 3],
    );
    for (const image of view.images.filter((each) => each.tracked)) {
      const entry = manifest.images.find((each) => each.filename === image.filename)!;
      assert.equal(image.category, entry.category, image.filename);
      assert.equal(image.rating, entry.rating?.stars, image.filename);
      assert.ok(image.caption.text.length > 0 && image.caption.source, `${image.filename} has a caption with its source`);
    }
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(probe.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.ok(
      probe.resourceRoots.length > 0 && probe.resourceRoots.every((root) => root.endsWith(path.join('dist', 'webviews'))),
      `only the built assets are a resource root (thumbnails come in replies): ${probe.resourceRoots.join(', ')}`,
    );
    assert.deepEqual(probe.diagnostics, [], 'no CSP violations or page errors');
  });

  it('replies with thumbnails from the cache as WebP bytes named by their key, and refuses names that are not images of the actor', async () => {
    const filename = `${EILEEN}_0.jpg`;
    const reply = await request('thumbnail', { filename });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply).slice(0, 300));
    const { src, key } = reply.result as { src: string; key: string };
    const prefix = 'data:image/webp;base64,';
    assert.ok(src.startsWith(prefix), `a data: URI (${src.slice(0, 40)}…)`);
    const bytes = Buffer.from(src.slice(prefix.length), 'base64');
    assert.equal(bytes.subarray(0, 4).toString('latin1') + bytes.subarray(8, 12).toString('latin1'), 'RIFFWEBP', 'WebP bytes');
    assert.match(key, /^[0-9a-f]{64}-256\.webp$/, 'keyed by the hash of the image and the size');
    thumbnailKeys.set(filename, key);
    const base = await request('thumbnail', { filename: `${EILEEN}_base.png`, base: true });
    assert.ok(base.type === 'reply' && base.ok);
    thumbnailKeys.set('base', (base.result as { key: string }).key);
    for (const bad of ['../manifest.json', 'manifest.json', `${EILEEN}_base.png`]) {
      const refused = await request('thumbnail', { filename: bad });
      assert.ok(refused.type === 'reply' && !refused.ok, `${bad} is refused`);
    }
  });

  it('a state names the thumbnails ready at once by their key, so a page that holds them shows them without asking', async () => {
    const from = probe.posted.length;
    await probe.receive({ type: 'ready' } as never); // what a page reopened says
    const state = await stateWhere((message) => message.view !== undefined, from);
    assert.equal(imageIn(state, `${EILEEN}_0.jpg`)?.thumbnailKey, thumbnailKeys.get(`${EILEEN}_0.jpg`), 'the thumbnail made above');
    assert.equal(state.view!.baseThumbnailKey, thumbnailKeys.get('base'), 'the base image made above');
    const unasked = state.view!.images.filter((image) => !image.missing && image.filename !== `${EILEEN}_0.jpg`);
    assert.ok(unasked.length > 0 && unasked.every((image) => image.thumbnailKey === undefined || /^[0-9a-f]{64}-256\.webp$/.test(image.thumbnailKey)));
    assert.ok(JSON.stringify(state).length < 100_000, 'the state carries keys, not bytes');
  });

  it('rates a multi-selection through Rate Image (1-5, 0 clears): the manifest and the state follow', async () => {
    const filenames = [`${EILEEN}_1.jpg`, `${EILEEN}_2.jpg`];
    let from = probe.posted.length;
    const reply = await request('rate', { filenames, stars: 4 });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const rated = (await readManifest()).images.filter((image) => filenames.includes(image.filename));
    assert.deepEqual(
      rated.map((image) => image.rating?.stars),
      [4, 4],
    );
    await stateWhere((state) => filenames.every((name) => imageIn(state, name)?.rating === 4), from);
    from = probe.posted.length;
    const cleared = await request('rate', { filenames: [filenames[0]], stars: 0 });
    assert.ok(cleared.type === 'reply' && cleared.ok);
    await stateWhere((state) => imageIn(state, filenames[0])?.rating === undefined && imageIn(state, filenames[1])?.rating === 4, from);
    const refused = await request('rate', { filenames, stars: 7 });
    assert.ok(refused.type === 'reply' && !refused.ok && /0 \(clear\) to 5/.test(refused.message));
    const hostile = await request('rate', { filenames: ['../../x.jpg'], stars: 3 });
    assert.ok(hostile.type === 'reply' && !hostile.ok && /not an image file name/.test(hostile.message));
  });

  it('shows a change made elsewhere: a hand edit of the manifest reaches the open gallery', async () => {
    const filename = `${EILEEN}_3.jpg`;
    const from = probe.posted.length;
    const manifest = await readManifest();
    manifest.images.find((image) => image.filename === filename)!.rating = { stars: 1 };
    await fs.writeFile(manifestFile(), JSON.stringify(manifest, null, 2));
    const state = await stateWhere((message) => imageIn(message, filename)?.rating === 1, from);
    assert.equal(imageIn(state, filename)?.rating, 1);
  });

  it('Set Category takes several { actorId, filename } targets in `nodes` (as the gallery passes them); a path is refused', async () => {
    const targets = [`${EILEEN}_5.jpg`, `${EILEEN}_6.jpg`].map((filename) => ({ actorId: EILEEN, filename }));
    const from = probe.posted.length;
    const result = await vscode.commands.executeCommand<SetCategoryResult>('actorStudio.setCategory', targets[0], targets, { category: 'color_stylized' });
    assert.deepEqual(
      result?.set.map((each) => each.filename),
      targets.map((each) => each.filename),
    );
    const entries = (await readManifest()).images.filter((image) => targets.some((target) => target.filename === image.filename));
    assert.deepEqual(
      entries.map((entry) => [entry.category, entry.category_source]),
      [
        ['color_stylized', 'user'],
        ['color_stylized', 'user'],
      ],
    );
    await stateWhere((state) => targets.every((target) => imageIn(state, target.filename)?.category === 'color_stylized'), from);
    const before = await fs.readFile(manifestFile(), 'utf8');
    const refused = await vscode.commands.executeCommand('actorStudio.setCategory', targets[0], [targets[0], { actorId: EILEEN, filename: '../x.jpg' }], {
      category: 'bw_stylized',
    });
    assert.equal(refused, undefined, 'a target naming a path is an input error (reported, nothing written)');
    assert.equal(await fs.readFile(manifestFile(), 'utf8'), before);
  });

  it("R generates again from each selected image's prompt with the offline generator; the new images join the grid, the originals stay", async () => {
    const source = `${EILEEN}_0.jpg`;
    const before = (await readManifest()).images.length;
    const from = probe.posted.length;
    const reply = await request('regenerate', { filenames: [source], anotherPrompt: false });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const [generated] = (reply.result as { generated: string[] }).generated;
    assert.match(generated, new RegExp(`^${EILEEN}_\\d+\\.jpg$`));
    const images = (await readManifest()).images as Array<{ filename: string; prompt_id?: string }>;
    assert.equal(images.length, before + 1);
    assert.equal(images.find((image) => image.filename === generated)?.prompt_id, images.find((image) => image.filename === source)?.prompt_id);
    await stateWhere((state) => imageIn(state, generated) !== undefined && imageIn(state, source) !== undefined, from);
  });

  it('Enter opens the Image Viewer on the image', async () => {
    const reply = await request('openViewer', { filename: `${EILEEN}_1.jpg` });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const viewer = await waitFor('the Image Viewer', () => (async () => (await studio()).imageViewerPanel())());
    const state = await viewer.waitFor((message) => message.type === 'state' && (message as { filename?: string }).filename === `${EILEEN}_1.jpg`);
    assert.ok(state);
    viewer.close();
  });

  it('Edit Caption(s) runs Edit Captions on the selection (cancelled at its first question)', async () => {
    const pending = request('editCaptions', { filenames: [`${EILEEN}_0.jpg`, `${EILEEN}_1.jpg`] });
    // The command asks which edit first; closing that quick pick cancels it, and the panel's request ends.
    const settled = await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 1500, 'open'))]);
    assert.equal(settled, 'open', 'the command waits for its question');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const reply = await pending;
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    assert.deepEqual(probe.diagnostics, []);
  });
});
