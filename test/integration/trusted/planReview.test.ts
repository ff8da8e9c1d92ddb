// The Plan Review panel in the real extension host, tested at its protocol boundary (like the
// Generator panel): Plan Actor writes the sample actor's plan, the review opens on it, and the
// test reads the state the host posts and sends the requests the page would send, while the
// real page runs in the workbench.
//
// Needs the wiring in activate(): the command `actorStudio.openPlanReview` (an actor node or id)
// and `planReviewPanel()` on the returned API (the open panel's probe).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActorStudioTestApi } from '../../../src/extension';
import { formatCost } from '../../../src/core/plan/cost';
import type { PlanReviewPanelProbe } from '../../../src/webviews/planReview/planReviewPanel';
import { isPlanView, PlanReviewHostMessage, PlanView, StateMessage } from '../../../src/webviews/planReview/protocol';
import { children, studio, waitFor, workspaceRoot, PAGE_READY_TIMEOUT_MS } from '../support/studio';
import { restoreFiles, snapshotFiles } from '../support/files';

const MARTA = '0000_european_45_female';

/** The panel's probe, through the extension API (activate() returns `planReviewPanel`). */
type WithPlanReview = ActorStudioTestApi & { planReviewPanel?: () => PlanReviewPanelProbe | undefined };

const dataDir = () => path.join(workspaceRoot(), 'data');
const trainingDir = (actorId: string) => path.join(dataDir(), 'actors', actorId, 'training_data');
const planFile = (actorId: string) => path.join(dataDir(), 'action_plans', `${actorId}_action_plan.json`);

const isState = (message: PlanReviewHostMessage): message is StateMessage => message.type === 'state';
const planOf = (message: PlanReviewHostMessage): PlanView | undefined => (isState(message) && isPlanView(message.load) ? message.load : undefined);

async function actorItem(api: ActorStudioTestApi, actorId: string) {
  const item = (await children(api)).find((each) => each.label === actorId);
  assert.ok(item, `${actorId} is in the Actors tree`);
  return item;
}

function reviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.label.startsWith('Plan Review'));
}

describe('Plan Review panel', function () {
  this.timeout(120_000);
  let api: WithPlanReview;
  let probe: PlanReviewPanelProbe;
  let original: Map<string, Buffer>;
  let requestId = 500;

  const panel = (): PlanReviewPanelProbe => {
    const current = api.planReviewPanel?.();
    assert.ok(current, 'api.planReviewPanel() returns the open panel (wire it in activate())');
    return current;
  };

  async function request(method: string, params: unknown) {
    const id = ++requestId;
    const from = probe.posted.length;
    await probe.receive({ type: 'request', id, method, params } as never);
    return probe.waitFor((message) => message.type === 'reply' && message.id === id, { from, timeoutMs: 90_000 });
  }

  before(async () => {
    api = (await studio()) as WithPlanReview;
    original = await snapshotFiles(dataDir());
  });

  after(async () => {
    // Editors first: an image preview whose file the restore deletes would fail and hold up the next panel.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    api?.planReviewPanel?.()?.close();
    if (original) {
      await restoreFiles(dataDir(), original);
      await vscode.commands.executeCommand('actorStudio.refresh');
    }
  });

  it('Plan Actor writes the plan; the review opens on it: real page ready, strict CSP, header fields', async () => {
    const marta = await actorItem(api, MARTA);
    await vscode.commands.executeCommand('actorStudio.planActor', marta.node);
    await waitFor('the plan file', () => fs.stat(planFile(MARTA)).then(() => true));

    await vscode.commands.executeCommand('actorStudio.openPlanReview', marta.node);
    probe = panel();
    assert.equal(probe.viewType, 'actorStudio.planReview');
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const state = await probe.waitFor((message): message is StateMessage => isState(message) && isPlanView(message.load));
    assert.equal(state.actorId, MARTA);
    assert.deepEqual(
      reviewTabs().map((tab) => tab.label),
      [`Plan Review: ${MARTA}`],
    );

    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(probe.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

    const plan = planOf(state)!;
    const written = JSON.parse(await fs.readFile(planFile(MARTA), 'utf8')) as { created_at: string; seed: number; evaluator: string };
    assert.equal(plan.createdAt, written.created_at);
    assert.equal(plan.seed, written.seed);
    assert.equal(plan.evaluator, 'local+face');
    assert.equal(plan.stale.stale, false);
  });

  it('lists the blurred _8 and the dark _9 with reasons, rules in words and thumbnails', async () => {
    const plan = planOf(probe.posted.filter(isState).at(-1)!)!;
    const byName = new Map(plan.deletions.map((deletion) => [deletion.filename, deletion]));
    const blurred = byName.get(`${MARTA}_8.jpg`);
    const dark = byName.get(`${MARTA}_9.jpg`);
    assert.ok(blurred, `_8 is deleted (deletions: ${[...byName.keys()].join(', ')})`);
    assert.ok(dark, '_9 is deleted');
    assert.match(blurred.reason, /blurry/);
    assert.match(dark.reason, /too_dark/);
    assert.equal(blurred.rule, 'failed_checks');
    assert.equal(blurred.ruleText, 'Failed a quality check');
    for (const deletion of plan.deletions) {
      assert.match(deletion.thumbnail ?? '', /^data:image\/jpeg;base64,[A-Za-z0-9+/]{100,}={0,2}$/, `${deletion.filename}: a data URI thumbnail`);
      assert.equal(deletion.path, undefined, 'no file paths go to the page');
    }
  });

  it('generations per category with labels and full text add up with what is kept to 13/4/3; local costs $0.00', async () => {
    const plan = planOf(probe.posted.filter(isState).at(-1)!)!;
    assert.deepEqual(
      plan.categories.map((category) => category.target),
      [13, 4, 3],
    );
    assert.deepEqual(
      plan.categories.map((category) => category.kept + category.generations.length + category.unfilled),
      [13, 4, 3],
    );
    assert.equal(
      plan.generationCount,
      plan.categories.reduce((sum, category) => sum + category.generations.length, 0),
    );
    const ids = plan.categories.flatMap((category) => category.generations.map((generation) => generation.promptId));
    assert.equal(new Set(ids).size, ids.length, 'no prompt twice');
    for (const generation of plan.categories.flatMap((category) => category.generations)) {
      assert.ok(generation.label && generation.label !== generation.promptId, `${generation.promptId} has a label`);
      assert.match(generation.text, /\bwoman\b/, 'the full prompt, descriptor filled in');
    }
    const [current] = plan.cost;
    assert.equal(current.model, 'local/augment', 'no keys: the offline generator');
    assert.equal(formatCost(current.total, current.currency), '$0.00');
    assert.equal(current.estimate, true);
    assert.match(current.note, /estimate/i);
  });

  it('opening the same actor again reveals the one panel', async () => {
    await vscode.commands.executeCommand('actorStudio.openPlanReview', MARTA);
    assert.equal(panel().html, probe.html, 'the same panel, not re-rendered');
    assert.deepEqual(
      reviewTabs().map((tab) => tab.label),
      [`Plan Review: ${MARTA}`],
    );
  });

  it('Dry Run opens the report of this actor beside the panel and changes nothing; bad modes are refused', async () => {
    const before = await snapshotFiles(dataDir());
    const reply = await request('runExecution', { mode: 'dry-run' });
    assert.deepEqual(reply, { type: 'reply', id: requestId, ok: true, result: { ran: true } });
    const report = await waitFor('the dry run report', () =>
      vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'actor-studio-dry-run' && document.getText().includes(`## ${MARTA}`)),
    );
    assert.match(report.getText(), new RegExp(`${MARTA}_8\\.jpg\` → \`\\.trash/`), 'the blurred image would go to the trash');
    assert.deepEqual(await snapshotFiles(dataDir()), before, 'a dry run writes nothing');
    assert.deepEqual(
      reviewTabs().map((tab) => tab.label),
      [`Plan Review: ${MARTA}`],
      'the panel stays open',
    );
    const bad = await request('runExecution', { mode: 'now' });
    assert.equal((bad as { ok: boolean }).ok, false);
  });

  it('Open Plan File opens the plan in an editor', async () => {
    const reply = await request('openPlanFile', null);
    assert.deepEqual(reply, { type: 'reply', id: requestId, ok: true, result: null });
    await waitFor('the plan file in an editor', () => vscode.window.visibleTextEditors.some((editor) => editor.document.uri.fsPath === planFile(MARTA)));
  });

  it('turns stale when an image changes, naming it; Re-plan makes it current again', async () => {
    const from = probe.posted.length;
    const image = path.join(trainingDir(MARTA), `${MARTA}_0.jpg`);
    await fs.appendFile(image, Buffer.from([0]));
    await vscode.commands.executeCommand('actorStudio.refresh');
    const stale = await probe.waitFor((message) => planOf(message)?.stale.stale === true, { from, timeoutMs: 30_000 });
    assert.deepEqual(planOf(stale)!.stale.changed, [`${MARTA}_0.jpg`]);

    const replanFrom = probe.posted.length;
    const reply = await request('replan', null);
    assert.deepEqual(reply, { type: 'reply', id: requestId, ok: true, result: null });
    const fresh = await probe.waitFor((message) => planOf(message)?.stale.stale === false, { from: replanFrom, timeoutMs: 30_000 });
    assert.equal(planOf(fresh)!.actorId, MARTA);
  });

  it('the page reported no CSP violation or error', () => {
    assert.deepEqual(probe.diagnostics, []);
  });
});
