// The Image Viewer in the real extension host, tested at its protocol boundary (like the other
// panels): the test reads the state the host posts and sends the requests the page would send,
// while the real page runs in the workbench. Carl is evaluated first, so the viewer has issues and
// a face distance to show; the workspace is put back afterwards.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeleteImageResult } from '../../../src/commands/deleteImage';
import type { ImageViewerPanelProbe } from '../../../src/webviews/imageViewer/imageViewerPanel';
import type { ImageViewerHostMessage, StateMessage } from '../../../src/webviews/imageViewer/protocol';
import { preserveDataFolder } from '../support/files';
import { children, studio, waitFor, workspaceRoot, PAGE_READY_TIMEOUT_MS } from '../support/studio';

const CARL = '0001_european_35_male';
const HOSTILE = '<b>x</b><script>alert(1)</script>';

const dataDir = () => path.join(workspaceRoot(), 'data');
const trainingDir = () => path.join(dataDir(), 'actors', CARL, 'training_data');
const isState = (message: ImageViewerHostMessage): message is StateMessage => message.type === 'state';
const manifest = async () =>
  JSON.parse(await fs.readFile(path.join(trainingDir(), 'manifest.json'), 'utf8')) as {
    images: Array<{ filename: string; prompt_id?: string; rating?: { stars: number; feedback?: string } }>;
  };

async function carlNode() {
  const carl = (await children(await studio())).find((actor) => actor.label === CARL);
  assert.ok(carl, `${CARL} is in the tree`);
  return carl;
}

async function carlPhotos() {
  const api = await studio();
  const photos = (await children(api, (await carlNode()).node)).find((group) => group.label === 'Photorealistic')!;
  return children(api, photos.node);
}

describe('Image Viewer panel', function () {
  this.timeout(180_000);
  let probe: ImageViewerPanelProbe;
  let preserved: Awaited<ReturnType<typeof preserveDataFolder>>;
  let requestId = 900;

  async function request(method: string, params: unknown) {
    const id = ++requestId;
    const from = probe.posted.length;
    await probe.receive({ type: 'request', id, method, params } as never);
    return probe.waitFor((message) => message.type === 'reply' && message.id === id, { from, timeoutMs: 120_000 });
  }

  /** The newest state posted from `from` on that satisfies `check`. */
  const stateWhere = (check: (state: StateMessage) => boolean, from = 0) =>
    probe.waitFor((message): message is StateMessage => isState(message) && check(message), { from, timeoutMs: 30_000 });

  before(async () => {
    preserved = await preserveDataFolder(dataDir(), ['.trash', 'action_plans', 'tracking']);
  });

  after(async () => {
    // Editors first: an image preview whose file the restore deletes would fail and hold up the next panel.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    (await studio()).imageViewerPanel()?.close();
    await preserved.restore();
    await vscode.commands.executeCommand('actorStudio.refresh');
  });

  it('opens from an image node: real page ready, strict CSP, the image as its bytes in a reply, prompt, rating and evaluation', async () => {
    await vscode.commands.executeCommand('actorStudio.evaluateActor', (await carlNode()).node);
    const [first] = await carlPhotos();
    await vscode.commands.executeCommand('actorStudio.openImageViewer', first.node);
    const api = await studio();
    const current = api.imageViewerPanel();
    assert.ok(current, 'api.imageViewerPanel() returns the open viewer');
    probe = current;
    assert.equal(probe.viewType, 'actorStudio.imageViewer');
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const state = await stateWhere((message) => message.view !== undefined);
    const view = state.view!;
    assert.equal(view.filename, `${CARL}_0.jpg`);
    assert.equal(view.promptId, 'photo_golden_hour_rooftop');
    assert.match(view.prompt ?? '', /rooftop/);
    assert.equal(view.rating?.stars, 4);
    assert.equal(view.path, undefined, 'no file paths go to the page');
    assert.match(view.pictureKey ?? '', /^\d+-[\d.]+-\d+$/, 'the key of the bytes: size, time, inode');
    const picture = await request('picture', { filename: `${CARL}_0.jpg` });
    assert.ok(picture.type === 'reply' && picture.ok, JSON.stringify(picture).slice(0, 300));
    const { src, key } = picture.result as { src: string; key: string };
    const prefix = 'data:image/jpeg;base64,';
    assert.ok(src.startsWith(prefix), `a data: URI (${src.slice(0, 40)}…)`);
    assert.ok(Buffer.from(src.slice(prefix.length), 'base64').equals(await fs.readFile(path.join(trainingDir(), `${CARL}_0.jpg`))), "the file's bytes");
    assert.equal(key, view.pictureKey);
    const stale = await request('picture', { filename: `${CARL}_1.jpg` });
    assert.ok(stale.type === 'reply' && stale.ok && 'broken' in (stale.result as object), 'only the image shown is served');
    assert.ok(
      probe.resourceRoots.length > 0 && probe.resourceRoots.every((root) => root.endsWith(path.join('dist', 'webviews'))),
      `only the built assets are a resource root: ${probe.resourceRoots.join(', ')}`,
    );
    assert.ok(view.evaluation, 'the evaluation from the manifest cache');
    assert.equal(view.evaluation.identityThreshold, 0.65, 'the identity drift setting (0.65, measured)');
    assert.equal(typeof view.evaluation.identityDistance, 'number', 'the face distance to the base image');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(probe.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.deepEqual(probe.diagnostics, [], 'no CSP violations or page errors');
  });

  it('the star widget and the feedback box rate through Rate Image: manifest, state and tree follow; markup stays text', async () => {
    const from = probe.posted.length;
    const reply = await request('rate', { stars: 2 });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    await stateWhere((state) => state.view?.rating?.stars === 2, from);
    const withFeedback = await request('rate', { stars: 2, feedback: HOSTILE });
    assert.ok(withFeedback.type === 'reply' && withFeedback.ok);
    const state = await stateWhere((message) => message.view?.rating?.feedback === HOSTILE, from);
    assert.equal(state.view?.rating?.stars, 2);
    const entry = (await manifest()).images.find((image) => image.filename === `${CARL}_0.jpg`)!;
    assert.deepEqual([entry.rating?.stars, entry.rating?.feedback], [2, HOSTILE]);
    await waitFor('the tree to show two stars', async () => (await carlPhotos())[0].description.startsWith('★★☆☆☆'));
    const refused = await request('rate', { stars: 9 });
    assert.ok(refused.type === 'reply' && !refused.ok && /1 to 5/.test(refused.message));
    assert.deepEqual(probe.diagnostics, []);
  });

  it("shows the caption with its source and findings; Save Caption writes it as the user's through Edit Caption; markup stays text", async () => {
    const shown = await stateWhere((state) => state.view?.filename === `${CARL}_0.jpg` && state.view.caption !== undefined);
    assert.equal(shown.view?.caption?.source, 'prompt');
    assert.match(shown.view?.caption?.text ?? '', /^\[trigger\] (?:woman|man|person), /);
    // The seed leads with trigger and class word; Carl's long Kontext prompt is over CLIP's 75 tokens.
    assert.deepEqual(
      shown.view?.caption?.findings.map((finding) => finding.code),
      ['too_long'],
    );
    const from = probe.posted.length;
    const text = `[trigger] man, ${HOSTILE}`;
    const reply = await request('setCaption', { text });
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const state = await stateWhere((message) => message.view?.caption?.source === 'user', from);
    assert.equal(state.view?.caption?.text, text);
    const entry = (await manifest()).images.find((image) => image.filename === `${CARL}_0.jpg`) as { caption?: string; caption_source?: string };
    assert.deepEqual([entry.caption, entry.caption_source], [text, 'user']);
    const empty = await request('setCaption', { text: '  ' });
    assert.ok(empty.type === 'reply' && !empty.ok && /cannot be empty/.test(empty.message));
    await vscode.commands.executeCommand('actorStudio.undoCaptionEdit');
    await stateWhere((message) => message.view?.caption?.source === 'prompt', from);
    assert.deepEqual(probe.diagnostics, []);
  });

  it("prev/next move through the actor's images", async () => {
    const from = probe.posted.length;
    await request('show', { filename: `${CARL}_1.jpg` });
    const state = await stateWhere((message) => message.view?.filename === `${CARL}_1.jpg`, from);
    assert.equal(state.view?.previous, `${CARL}_0.jpg`);
    assert.equal(state.view?.position, 2);
  });

  it('Regenerate makes a new image from the same prompt with the offline generator and shows it; the original stays', async () => {
    const promptId = (await manifest()).images.find((image) => image.filename === `${CARL}_1.jpg`)!.prompt_id;
    const from = probe.posted.length;
    const reply = await request('regenerate', null);
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const filename = (reply as { result: { filename: string } }).result.filename;
    assert.equal(filename, `${CARL}_6.jpg`);
    const state = await stateWhere((message) => message.view?.filename === filename, from);
    assert.equal(state.view?.promptId, promptId);
    assert.equal(state.regeneration?.state, 'done');
    const images = (await manifest()).images;
    assert.equal(images.find((image) => image.filename === filename)?.prompt_id, promptId);
    assert.ok(
      images.some((image) => image.filename === `${CARL}_1.jpg`),
      'the original stays',
    );
    await fs.access(path.join(trainingDir(), filename));
  });

  it('Delete asks first (a refused dialog deletes nothing); confirmed, the image goes to the trash and the viewer says it is gone', async () => {
    const shown = `${CARL}_6.jpg`;
    const refused = await request('delete', null);
    assert.ok(refused.type === 'reply' && refused.ok && !(refused as { result: { deleted: boolean } }).result.deleted, 'no confirmation, no deletion');
    await fs.access(path.join(trainingDir(), shown));

    const from = probe.posted.length;
    const result = await vscode.commands.executeCommand<DeleteImageResult>('actorStudio.deleteImage', { actorId: CARL, filename: shown }, undefined, {
      confirm: false,
    });
    assert.deepEqual(result.moved, [{ actorId: CARL, filename: shown }]);
    await assert.rejects(fs.access(path.join(trainingDir(), shown)));
    await fs.access(path.join(dataDir(), '.trash', result.runId, 'actors', CARL, 'training_data', shown));
    assert.ok(!(await manifest()).images.some((image) => image.filename === shown));
    const state = await stateWhere((message) => message.problem !== undefined || message.view?.filename !== shown, from);
    assert.match(state.problem ?? '', /no longer among the images/, 'the viewer says the shown image is gone');
  });

  it('Regenerate on an image of a custom prompt (a text, no library id) generates again from its text, in its category', async () => {
    const file = path.join(trainingDir(), 'manifest.json');
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as { images: Array<Record<string, unknown>> };
    const custom = data.images.find((image) => image.filename === `${CARL}_2.jpg`)!;
    custom.prompt_id = null;
    await fs.writeFile(file, JSON.stringify(data, null, 2));
    await vscode.commands.executeCommand('actorStudio.refresh');
    let from = probe.posted.length;
    await request('show', { filename: `${CARL}_2.jpg` });
    await stateWhere((message) => message.view?.filename === `${CARL}_2.jpg` && message.view.promptId === undefined && !!message.view.prompt, from);
    from = probe.posted.length;
    const reply = await request('regenerate', null);
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const filename = (reply as { result: { filename: string } }).result.filename;
    const state = await stateWhere((message) => message.view?.filename === filename && message.regeneration?.state === 'done', from);
    assert.match(state.regeneration?.message ?? '', /generated from its custom prompt/);
    const made = (await manifest()).images.find((image) => image.filename === filename) as Record<string, unknown> | undefined;
    assert.deepEqual([made?.prompt_id, made?.prompt, made?.category], [null, custom.prompt, custom.category]);
    assert.deepEqual(probe.diagnostics, []);
  });

  it('an actor whose training folder links outside the data folder: the page gets no resource root outside, and says it cannot show the image', async () => {
    const linked = '0009_linked_30_male';
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-outside-'));
    const actorDir = path.join(dataDir(), 'actors', linked);
    try {
      await fs.copyFile(path.join(trainingDir(), `${CARL}_0.jpg`), path.join(outside, `${linked}_0.jpg`));
      await fs.writeFile(path.join(outside, 'manifest.json'), JSON.stringify({ actor_id: linked, images: [{ filename: `${linked}_0.jpg` }] }));
      await fs.mkdir(actorDir, { recursive: true });
      await fs.symlink(outside, path.join(actorDir, 'training_data'));
      await vscode.commands.executeCommand('actorStudio.refresh');

      const from = probe.posted.length;
      await vscode.commands.executeCommand('actorStudio.openImageViewer', { actorId: linked, filename: `${linked}_0.jpg` });
      const state = await stateWhere((message) => message.actorId === linked, from);
      assert.equal(state.view, undefined, 'no view reaches the page');
      assert.match(state.problem ?? '', /links outside the data folder/);
      const outsidePicture = await request('picture', { filename: `${linked}_0.jpg` });
      assert.ok(outsidePicture.type === 'reply' && outsidePicture.ok, JSON.stringify(outsidePicture).slice(0, 300));
      assert.match((outsidePicture.result as { broken?: string }).broken ?? '', /links outside the data folder/, 'no bytes of the outside file');
      const realOutside = await fs.realpath(outside);
      for (const root of probe.resourceRoots) {
        assert.ok(!root.startsWith(outside) && !root.startsWith(realOutside), `resource root ${root} is not outside the data folder`);
        assert.ok(!root.startsWith(actorDir), `no resource root in the linked actor's folder: ${root}`);
      }

      // Back on Carl, his picture comes again (the guard did not just refuse every image).
      const back = probe.posted.length;
      await vscode.commands.executeCommand('actorStudio.openImageViewer', { actorId: CARL, filename: `${CARL}_0.jpg` });
      await stateWhere((message) => message.actorId === CARL && message.view !== undefined, back);
      const carlPicture = await request('picture', { filename: `${CARL}_0.jpg` });
      assert.ok(carlPicture.type === 'reply' && carlPicture.ok && 'src' in (carlPicture.result as object), "Carl's picture");
    } finally {
      await fs.rm(actorDir, { recursive: true, force: true });
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});
