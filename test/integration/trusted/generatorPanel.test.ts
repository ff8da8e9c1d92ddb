// The Generator panel in the real extension host, tested at its protocol boundary: the test
// posts what the page would post and reads what the host posts, while the real page runs in the
// workbench meanwhile (its `ready` and any CSP violation it reports are checked too).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActorStudioTestApi } from '../../../src/extension';
import type { GeneratorPanelProbe } from '../../../src/webviews/generator/generatorPanel';
import type { ErrorMessage, GeneratorHostMessage, ResultMessage, StateMessage } from '../../../src/webviews/generator/protocol';
import { children, studio, waitFor, workspaceRoot, PAGE_READY_TIMEOUT_MS } from '../support/studio';
import { restoreFiles, snapshotFiles } from '../support/files';

const CARL = '0001_european_35_male';
const MARTA = '0000_european_45_female';

/** The panel's probe, through the extension API (activate() returns `generatorPanel`). */
type WithGeneratorPanel = ActorStudioTestApi & { generatorPanel?: () => GeneratorPanelProbe | undefined };

const dataDir = () => path.join(workspaceRoot(), 'data');
const trainingDir = (actorId: string) => path.join(dataDir(), 'actors', actorId, 'training_data');

const isState = (message: GeneratorHostMessage): message is StateMessage => message.type === 'state';
const outcomeOf =
  (requestId: string) =>
  (message: GeneratorHostMessage): message is ResultMessage | ErrorMessage =>
    (message.type === 'result' || message.type === 'error') && message.requestId === requestId;

async function actorItem(api: ActorStudioTestApi, actorId: string) {
  const item = (await children(api)).find((each) => each.label === actorId);
  assert.ok(item, `${actorId} is in the Actors tree`);
  return item;
}

/** Prompt ids of the images in each actor's manifest (the sample's usage, as written). */
async function manifestPromptIds(): Promise<Map<string, string[]>> {
  const byActor = new Map<string, string[]>();
  for (const actorId of await fs.readdir(path.join(dataDir(), 'actors'))) {
    const text = await fs.readFile(path.join(trainingDir(actorId), 'manifest.json'), 'utf8').catch(() => undefined);
    if (text) {
      const manifest = JSON.parse(text) as { images: Array<{ prompt_id?: string | null }> };
      byActor.set(
        actorId,
        manifest.images.flatMap((image) => (image.prompt_id ? [image.prompt_id] : [])),
      );
    }
  }
  return byActor;
}

const count = (ids: string[], id: string) => ids.filter((each) => each === id).length;

function generatorTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.label.startsWith('Generator'));
}

describe('Generator panel', function () {
  this.timeout(120_000);
  let api: WithGeneratorPanel;
  let probe: GeneratorPanelProbe;
  let original: Map<string, Buffer>;
  let generated: ResultMessage | undefined;

  const panel = (): GeneratorPanelProbe => {
    const current = api.generatorPanel?.();
    assert.ok(current, 'api.generatorPanel() returns the open panel (wire it in activate())');
    return current;
  };

  /** Sends `selectActor` and returns the state the host answers with. */
  async function stateFor(actorId: string): Promise<StateMessage> {
    const from = probe.posted.length;
    await probe.receive({ type: 'selectActor', actorId });
    return probe.waitFor((message): message is StateMessage => isState(message) && message.selectedActorId === actorId, { from });
  }

  async function generate(requestId: string, actorId: string, promptId: string) {
    const from = probe.posted.length;
    await probe.receive({ type: 'generate', requestId, actorId, promptId });
    const outcome = await probe.waitFor(outcomeOf(requestId), { from, timeoutMs: 90_000 });
    return { from, outcome };
  }

  before(async () => {
    api = (await studio()) as WithGeneratorPanel;
    original = await snapshotFiles(dataDir());
  });

  after(async () => {
    // Editors first: an image preview whose file the restore deletes would fail and hold up the next panel.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    api?.generatorPanel?.()?.close();
    if (original) {
      await restoreFiles(dataDir(), original);
      await vscode.commands.executeCommand('actorStudio.refresh');
      await waitFor('Carl back to the sample counts', async () => (await actorItem(api, CARL)).description === '6/20 · 3·2·1');
    }
  });

  it('opens from the actor command on that actor: real page ready, strict CSP, prompts grouped with badges from the sample data', async () => {
    const carl = await actorItem(api, CARL);
    assert.equal(carl.description, '6/20 · 3·2·1');
    await vscode.commands.executeCommand('actorStudio.openGenerator', carl.node);
    probe = panel();
    assert.equal(probe.viewType, 'actorStudio.generator');

    // The page's script ran under the CSP and said `ready`; the host answered with its state.
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const state = await probe.waitFor((message): message is StateMessage => isState(message) && message.selectedActorId === CARL);
    assert.deepEqual(
      generatorTabs().map((tab) => tab.label),
      [`Generator: ${CARL}`],
    );

    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(probe.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

    assert.equal(state.provider, 'local (offline)', 'no keys are set: the offline provider');
    assert.deepEqual(state.actors.map((actor) => actor.id).sort(), [MARTA, CARL, '0002_mixed_30_nonbinary']);
    assert.equal(state.actors.find((actor) => actor.id === CARL)?.hasBaseImage, true);
    assert.equal(state.busy, undefined);

    const usage = await manifestPromptIds();
    const carlIds = usage.get(CARL) ?? [];
    const allIds = [...usage.values()].flat();
    assert.ok(state.prompts.length >= 8, `the library has prompts (${state.prompts.length})`);
    assert.deepEqual([...new Set(state.prompts.map((prompt) => prompt.category))].sort(), ['bw_stylized', 'color_stylized', 'photorealistic']);
    for (const prompt of state.prompts) {
      assert.equal(prompt.usedByActor, count(carlIds, prompt.id), `${prompt.id}: Carl's count`);
      assert.ok(prompt.usedTotal >= count(allIds, prompt.id) && prompt.usedTotal >= prompt.usedByActor, `${prompt.id}: total ${prompt.usedTotal}`);
      assert.equal(prompt.badge, prompt.usedByActor === 0 ? '[unused]' : `[${prompt.usedByActor}x used]`);
      assert.equal(prompt.categoryLabel, { photorealistic: 'Photorealistic', bw_stylized: 'B&W stylized', color_stylized: 'Colour stylized' }[prompt.category]);
      assert.doesNotMatch(prompt.text, /\{descriptor\}/, `${prompt.id}: descriptor filled in`);
    }
    // Carl is male: the prompts say "man".
    assert.ok(
      state.prompts.every((prompt) => /\bman\b/.test(prompt.text)),
      'every prompt names the subject "man"',
    );
    const used = state.prompts.find((prompt) => prompt.id === 'photo_golden_hour_rooftop');
    assert.equal(used?.badge, '[1x used]');
    assert.ok((used?.usedTotal ?? 0) >= 2, 'Marta used it too');
  });

  it('generates with the local provider: a result with a preview, the file in the data folder, one more image in the tree, the badge now [1x used]', async () => {
    const state = (await stateFor(CARL)).prompts;
    const prompt = state.find((each) => each.usedByActor === 0 && each.category === 'photorealistic');
    assert.ok(prompt, 'an unused photorealistic prompt');
    assert.equal(prompt.badge, '[unused]');

    const { from, outcome } = await generate('it-generate-1', CARL, prompt.id);
    if (outcome.type === 'error') {
      assert.fail(`generation failed (${outcome.reason}): ${outcome.message}`);
    }
    generated = outcome;
    assert.ok(
      probe.posted.slice(from).some((message) => message.type === 'progress' && message.requestId === 'it-generate-1'),
      'progress was reported',
    );
    assert.equal(outcome.actorId, CARL);
    assert.equal(outcome.promptId, prompt.id);
    assert.equal(outcome.model, 'local/augment');
    assert.match(outcome.filename, new RegExp(`^${CARL}_\\d+\\.(jpg|png)$`));
    assert.match(outcome.imageDataUri, /^data:image\/jpeg;base64,[A-Za-z0-9+/]{100,}={0,2}$/);
    assert.ok((await fs.stat(path.join(trainingDir(CARL), outcome.filename))).size > 1000, 'the image is in the data folder');

    await waitFor('the tree to count one more image for Carl', async () => (await actorItem(api, CARL)).description.startsWith('7/20'));

    // The model said it changed; the panel sent its state again, with the new usage.
    const updated = await probe.waitFor(
      (message): message is StateMessage => isState(message) && message.prompts.some((each) => each.id === prompt.id && each.badge === '[1x used]'),
      { from },
    );
    const after = updated.prompts.find((each) => each.id === prompt.id)!;
    assert.equal(after.usedByActor, 1);
    assert.equal(after.usedTotal, prompt.usedTotal + 1);
    for (const other of updated.prompts.filter((each) => each.id !== prompt.id)) {
      assert.equal(other.badge, state.find((each) => each.id === other.id)?.badge, `${other.id} unchanged`);
    }
  });

  it('opens the generated image in an editor through a request with a reply; refuses names outside the folder', async () => {
    assert.ok(generated, 'the previous test generated an image');
    let from = probe.posted.length;
    await probe.receive({ type: 'request', id: 901, method: 'openImage', params: { actorId: CARL, filename: generated.filename } });
    const reply = await probe.waitFor((message) => message.type === 'reply' && message.id === 901, { from });
    assert.deepEqual(reply, { type: 'reply', id: 901, ok: true, result: null });
    const file = path.join(trainingDir(CARL), generated.filename);
    await waitFor('an editor on the image', () =>
      vscode.window.tabGroups.all.flatMap((group) => group.tabs).some((tab) => (tab.input as { uri?: vscode.Uri } | undefined)?.uri?.fsPath === file),
    );

    from = probe.posted.length;
    await probe.receive({ type: 'request', id: 902, method: 'openImage', params: { actorId: CARL, filename: '../training_data/manifest.json' } });
    const refused = await probe.waitFor((message) => message.type === 'reply' && message.id === 902, { from });
    assert.equal(refused.type === 'reply' && refused.ok, false);

    from = probe.posted.length;
    await probe.receive({ type: 'request', id: 903, method: 'deleteEverything', params: {} } as never);
    const unknown = await probe.waitFor((message) => message.type === 'reply' && message.id === 903, { from });
    assert.equal(unknown.type === 'reply' && !unknown.ok && unknown.message, 'unknown request "deleteEverything"');

    // Where the image opened in the panel's group it hid the panel, whose page is then dropped:
    // bring it back for the next tests.
    if (!probe.uiReady) {
      await vscode.commands.executeCommand('actorStudio.openGenerator');
      await waitFor('the panel page to be back', () => probe.uiReady);
    }
  });

  it('refuses bad input with reason "input", one generation at a time, and Cancel gives "cancelled" without a new file', async () => {
    const bad = await generate('it-bad-prompt', CARL, 'no_such_prompt');
    assert.equal(bad.outcome.type, 'error');
    assert.equal((bad.outcome as ErrorMessage).reason, 'input');
    assert.match((bad.outcome as ErrorMessage).message, /no_such_prompt/);

    const filesBefore = (await fs.readdir(trainingDir(CARL))).sort();
    const prompt = (await stateFor(CARL)).prompts.find((each) => each.category === 'bw_stylized')!;
    const from = probe.posted.length;
    await probe.receive({ type: 'generate', requestId: 'it-cancel', actorId: CARL, promptId: prompt.id });
    await probe.receive({ type: 'generate', requestId: 'it-second', actorId: CARL, promptId: prompt.id });
    await probe.receive({ type: 'cancel', requestId: 'it-cancel' });
    const second = await probe.waitFor(outcomeOf('it-second'), { from });
    assert.equal(second.type === 'error' && second.reason, 'input');
    assert.match((second as ErrorMessage).message, /already running/);
    const cancelled = await probe.waitFor(outcomeOf('it-cancel'), { from, timeoutMs: 90_000 });
    assert.equal(cancelled.type, 'error', 'the cancelled request did not produce an image');
    assert.equal((cancelled as ErrorMessage).reason, 'cancelled');
    assert.deepEqual((await fs.readdir(trainingDir(CARL))).sort(), filesBefore, 'nothing was written');
  });

  it('passes prompts with markup through as text: the page renders them without creating elements (no CSP violation)', async () => {
    const library = {
      prompts: [
        {
          id: 'zz_markup_probe',
          label: '<img src=x onerror="document.title=1">Markup probe',
          category: 'color_stylized',
          template: '<script>document.title="pwned"</script> The {descriptor} & "friends" <b>bold</b>',
        },
      ],
    };
    await fs.writeFile(path.join(dataDir(), 'prompts.json'), JSON.stringify(library, null, 2));
    const state = await stateFor(CARL);
    const probePrompt = state.prompts.find((each) => each.id === 'zz_markup_probe');
    assert.ok(probePrompt, 'the user library prompt is offered');
    assert.equal(probePrompt.label, library.prompts[0].label);
    assert.equal(probePrompt.text, '<script>document.title="pwned"</script> The man & "friends" <b>bold</b>');
    assert.equal(probePrompt.badge, '[unused]');
    // The real page got this state and rendered the option labels; markup parsed as HTML would
    // have tripped the CSP (inline handler), which the page reports as a diagnostic.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(probe.diagnostics, []);
    await fs.rm(path.join(dataDir(), 'prompts.json'), { force: true });
  });

  it('one instance: the command on another actor reveals the same panel on that actor', async () => {
    const marta = await actorItem(api, MARTA);
    const from = probe.posted.length;
    await vscode.commands.executeCommand('actorStudio.openGenerator', marta.node);
    await probe.waitFor((message): message is StateMessage => isState(message) && message.selectedActorId === MARTA, { from });
    assert.deepEqual(
      generatorTabs().map((tab) => tab.label),
      [`Generator: ${MARTA}`],
    );
    await stateFor(CARL);
  });

  it('rebuilds the page after it was hidden: ready again, then the state and the last outcome are replayed', async () => {
    // A text editor in the same group hides the panel; its page is dropped (no retained context).
    const document = await vscode.workspace.openTextDocument({ content: 'hide the panel' });
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Active, preview: false });
    await waitFor('the page to be dropped', () => !probe.uiReady || undefined);

    const from = probe.posted.length;
    await vscode.commands.executeCommand('actorStudio.openGenerator');
    await waitFor('the rebuilt page to say ready', () => probe.uiReady);
    const state = await probe.waitFor(isState, { from });
    assert.equal(state.selectedActorId, CARL, 'the panel kept its actor');
    const replayed = await probe.waitFor((message) => message.type === 'result' || message.type === 'error', { from });
    assert.equal(replayed.type === 'error' && replayed.requestId, 'it-cancel', 'the last outcome (the cancelled request) is shown again');
    assert.deepEqual(probe.diagnostics, []);
  });

  it('closing the panel disposes it', async () => {
    probe.close();
    await waitFor('the panel to be gone', () => api.generatorPanel?.() === undefined || undefined);
    await waitFor('its tab to close', () => generatorTabs().length === 0 || undefined);
  });
});
