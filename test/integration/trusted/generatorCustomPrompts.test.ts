// The Generator panel's custom prompts, free text and base image choice in the real extension
// host, at its protocol boundary (as generatorPanel.test.ts): the test posts what the page would
// post and reads what the host posts, while the real page renders every state it is sent.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActorStudioTestApi } from '../../../src/extension';
import type { GeneratorPanelProbe } from '../../../src/webviews/generator/generatorPanel';
import type { ErrorMessage, GeneratorHostMessage, GenerateMessage, ResultMessage, StateMessage } from '../../../src/webviews/generator/protocol';
import { children, studio, waitFor, workspaceRoot, PAGE_READY_TIMEOUT_MS } from '../support/studio';
import { restoreFiles, snapshotFiles } from '../support/files';

const CARL = '0001_european_35_male';
/** The sample's legacy actor: only the old tool's prompt_metadata.json, in older wording. */
const LEGACY = '0002_mixed_30_nonbinary';

type WithGeneratorPanel = ActorStudioTestApi & { generatorPanel?: () => GeneratorPanelProbe | undefined };

const dataDir = () => path.join(workspaceRoot(), 'data');
const actorDir = (actorId: string) => path.join(dataDir(), 'actors', actorId);
const isState = (message: GeneratorHostMessage): message is StateMessage => message.type === 'state';
const outcomeOf =
  (requestId: string) =>
  (message: GeneratorHostMessage): message is ResultMessage | ErrorMessage =>
    (message.type === 'result' || message.type === 'error') && message.requestId === requestId;

describe('Generator panel: custom prompts, free text, base images', function () {
  this.timeout(120_000);
  let api: WithGeneratorPanel;
  let probe: GeneratorPanelProbe;
  let original: Map<string, Buffer>;

  async function stateFor(actorId: string, until: (state: StateMessage) => boolean = () => true): Promise<StateMessage> {
    const from = probe.posted.length;
    await probe.receive({ type: 'selectActor', actorId });
    return probe.waitFor((message): message is StateMessage => isState(message) && message.selectedActorId === actorId && until(message), { from });
  }

  async function generate(request: Omit<GenerateMessage, 'type'>): Promise<ResultMessage | ErrorMessage> {
    const from = probe.posted.length;
    await probe.receive({ type: 'generate', ...request });
    return probe.waitFor(outcomeOf(request.requestId), { from, timeoutMs: 90_000 });
  }

  async function manifestEntry(actorId: string, filename: string) {
    const manifest = JSON.parse(await fs.readFile(path.join(actorDir(actorId), 'training_data', 'manifest.json'), 'utf8'));
    return (manifest.images as Array<Record<string, unknown>>).find((image) => image.filename === filename);
  }

  before(async () => {
    api = (await studio()) as WithGeneratorPanel;
    original = await snapshotFiles(dataDir());
    const carl = (await children(api)).find((item) => item.label === CARL);
    assert.ok(carl, 'Carl is in the Actors tree');
    await vscode.commands.executeCommand('actorStudio.openGenerator', carl.node);
    const current = api.generatorPanel?.();
    assert.ok(current, 'the panel is open');
    probe = current;
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    api?.generatorPanel?.()?.close();
    if (original) {
      await restoreFiles(dataDir(), original);
      await vscode.commands.executeCommand('actorStudio.refresh');
      const carl = async () => (await children(api)).find((item) => item.label === CARL)?.description;
      await waitFor('Carl back to the sample counts', async () => (await carl()) === '6/20 · 3·2·1');
    }
  });

  it('a legacy actor’s old text that matches no library prompt is offered as its custom prompt, with its count', async () => {
    const metadata = JSON.parse(await fs.readFile(path.join(actorDir(LEGACY), 'training_data', 'prompt_metadata.json'), 'utf8'));
    const [oldText] = Object.values<{ prompt: string }>(metadata.images).map((record) => record.prompt);
    const state = await stateFor(LEGACY);
    assert.equal(state.customPrompts.length, 1);
    const [custom] = state.customPrompts;
    assert.deepEqual([custom.text, custom.usedByActor, custom.badge, custom.category], [oldText, 1, '[1x used]', 'photorealistic']);
    assert.match(custom.id, /^custom:[0-9a-f]{12}$/);
    assert.deepEqual(state.baseImages, [{ filename: `${LEGACY}_base.jpg`, canonical: true }]);
    // The real page rendered the custom group without any CSP violation.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(probe.diagnostics, []);
  });

  it('a free text generates with the category from its words, is recorded with no library id, and becomes a custom prompt', async () => {
    const text = 'Black-and-white charcoal sketch of the man from the input image reading on a night train. <b>not markup</b>';
    await stateFor(CARL);
    const outcome = await generate({ requestId: 'it-free-1', actorId: CARL, promptText: text });
    if (outcome.type === 'error') {
      assert.fail(`generation failed (${outcome.reason}): ${outcome.message}`);
    }
    assert.match(outcome.promptId, /^custom:[0-9a-f]{12}$/);
    assert.equal(outcome.model, 'local/augment');
    const entry = await manifestEntry(CARL, outcome.filename);
    assert.deepEqual([entry?.prompt_id, entry?.prompt, entry?.category], [null, text, 'bw_stylized']);

    const state = await stateFor(CARL, (each) => each.customPrompts.length > 0);
    assert.deepEqual(
      state.customPrompts.map((custom) => [custom.id, custom.text, custom.badge]),
      [[outcome.promptId, text, '[1x used]']],
    );

    // Choosing the custom prompt generates with its text, in the category chosen on the panel.
    const again = await generate({ requestId: 'it-custom-1', actorId: CARL, promptText: state.customPrompts[0].text, category: 'color_stylized' });
    assert.equal(again.type, 'result', again.type === 'error' ? again.message : '');
    const second = await manifestEntry(CARL, (again as ResultMessage).filename);
    assert.deepEqual([second?.prompt_id, second?.category], [null, 'color_stylized']);
    const counted = await stateFor(CARL, (each) => each.customPrompts[0]?.usedByActor === 2);
    assert.equal(counted.customPrompts[0].badge, '[2x used]');
    assert.deepEqual(probe.diagnostics, []);
  });

  it('an actor with several base images: they are offered, its own first, and the chosen one is used and recorded', async () => {
    const baseDir = path.join(actorDir(CARL), 'base_image');
    await fs.copyFile(path.join(baseDir, `${CARL}_base.png`), path.join(baseDir, 'older_look.png'));
    const state = await stateFor(CARL, (each) => each.baseImages.length === 2);
    assert.deepEqual(state.baseImages, [
      { filename: `${CARL}_base.png`, canonical: true },
      { filename: 'older_look.png', canonical: false },
    ]);
    const outcome = await generate({ requestId: 'it-base-1', actorId: CARL, promptId: 'bw_woodcut', baseImage: 'older_look.png' });
    assert.equal(outcome.type, 'result', outcome.type === 'error' ? outcome.message : '');
    assert.equal((await manifestEntry(CARL, (outcome as ResultMessage).filename))?.base_image, 'older_look.png');
  });

  it('refuses with reason "input" what cannot be generated, writing nothing', async () => {
    const before = (await fs.readdir(path.join(actorDir(CARL), 'training_data'))).sort();
    const cases: Array<[Omit<GenerateMessage, 'type' | 'requestId'>, RegExp]> = [
      [{ actorId: CARL, promptText: 'The man from the input image by a door.' }, /does not say which category/],
      [{ actorId: CARL, promptText: 'Photo of the man', baseImage: 'no_such.png' }, /has no base image "no_such\.png"/],
      [{ actorId: CARL, promptId: 'bw_woodcut', promptText: 'Photo of the man' }, /not both/],
    ];
    for (const [position, [request, message]] of cases.entries()) {
      const outcome = await generate({ requestId: `it-refused-${position}`, ...request });
      assert.equal(outcome.type === 'error' && outcome.reason, 'input', JSON.stringify(request));
      assert.match((outcome as ErrorMessage).message, message);
    }
    assert.deepEqual((await fs.readdir(path.join(actorDir(CARL), 'training_data'))).sort(), before);
  });
});
