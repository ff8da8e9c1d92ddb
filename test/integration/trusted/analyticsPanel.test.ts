// The Analytics panel in the real extension host, on the sample workspace, tested at its protocol
// boundary (like Plan Review): the test reads the state the host posts and sends the requests the
// page would send, while the real page runs (and draws its charts) in the workbench.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { computeAnalytics, loadAnalyticsInput } from '../../../src/core/analytics/analytics';
import { DEFAULT_TARGET } from '../../../src/core/actors/targets';
import { recordFailure, recordSuccess } from '../../../src/core/tracking/generationLog';
import { generationLogPath } from '../../../src/core/workspace/layout';
import type { AnalyticsPanelProbe } from '../../../src/webviews/analytics/analyticsPanel';
import type { AnalyticsHostMessage, StateMessage } from '../../../src/webviews/analytics/protocol';
import { restoreFiles, snapshotFiles } from '../support/files';
import { studio, waitFor, workspaceRoot, PAGE_READY_TIMEOUT_MS } from '../support/studio';

const MARTA = '0000_european_45_female';
const dataDir = () => path.join(workspaceRoot(), 'data');
const isState = (message: AnalyticsHostMessage): message is StateMessage => message.type === 'state';

describe('Analytics panel', function () {
  this.timeout(120_000);
  let probe: AnalyticsPanelProbe;
  let original: Map<string, Buffer>;
  let requestId = 700;

  async function request(method: string, params: unknown) {
    const id = ++requestId;
    const from = probe.posted.length;
    await probe.receive({ type: 'request', id, method, params } as never);
    return probe.waitFor((message) => message.type === 'reply' && message.id === id, { from, timeoutMs: 60_000 });
  }

  before(async () => {
    const api = await studio();
    original = await snapshotFiles(dataDir());
    await vscode.commands.executeCommand('actorStudio.openAnalytics');
    const current = api.analyticsPanel();
    assert.ok(current, 'api.analyticsPanel() returns the open panel');
    probe = current;
  });

  after(async () => {
    // Editors first: an image preview whose file the restore deletes would fail and hold up the next panel.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    probe?.close();
    if (original) {
      await restoreFiles(dataDir(), original);
    }
  });

  it('opens from the command: the real page is ready under a strict CSP and gets the same numbers as core', async () => {
    assert.equal(probe.viewType, 'actorStudio.analytics');
    await waitFor('the page to say ready', () => probe.uiReady, PAGE_READY_TIMEOUT_MS);
    const state = await probe.waitFor((message): message is StateMessage => isState(message) && message.analytics !== undefined);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(probe.html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(probe.html, /analytics\.js"/);

    assert.equal(state.actorId, null);
    assert.deepEqual(state.actorIds, (await fs.readdir(path.join(dataDir(), 'actors'))).sort());
    assert.deepEqual(state.analytics, computeAnalytics(await loadAnalyticsInput(dataDir()), DEFAULT_TARGET));
    // The sample's own facts: seven rated images, no log yet, targets 13/4/3.
    assert.equal(state.analytics!.quality.rated, 7);
    assert.equal(state.analytics!.failures.attempts, 0);
    assert.deepEqual(state.analytics!.balance.target.per_category, { photorealistic: 13, bw_stylized: 4, color_stylized: 3 });
    assert.deepEqual(state.warnings, []);
  });

  it('draws its charts without a CSP violation or a page error', async () => {
    // The page reports violations and uncaught errors (Chart.js included) as diagnostics.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(probe.diagnostics, []);
  });

  it('computes again by itself when the generation log changes', async () => {
    const from = probe.posted.length;
    const attempt = {
      actorId: MARTA,
      promptId: 'photo_golden_hour_rooftop',
      prompt: 'a rooftop at golden hour',
      model: 'black-forest-labs/flux-kontext-pro',
      saveMethod: 'manual' as const,
    };
    await recordSuccess(dataDir(), { ...attempt, resultPath: `actors/${MARTA}/training_data/${MARTA}_1.jpg` });
    await recordFailure(dataDir(), { ...attempt, error: new Error('flagged as sensitive (E005)'), failureReason: 'content_filter' });
    const state = await probe.waitFor((message): message is StateMessage => isState(message) && message.analytics?.failures.attempts === 2, {
      from,
      timeoutMs: 30_000,
    });
    assert.equal(state.analytics!.failures.by_reason.content_filter, 1);
    assert.deepEqual(state.analytics!.failures.by_model, [
      { model: 'black-forest-labs/flux-kontext-pro', successes: 1, failures: 1, cancelled: 0, failure_rate: 50 },
    ]);
    assert.equal(state.analytics!.spend.totals.generation_cost, 0.04);
  });

  it('Patterns: save method, parameters and the success-rate/rating correlation, as core computes them', async () => {
    const from = probe.posted.length;
    const wide = { aspect_ratio: '16:9', output_format: 'jpg', safety_tolerance: 2 };
    const attempt = (promptId: string) => ({
      actorId: MARTA,
      promptId,
      prompt: `${promptId} text`,
      model: 'black-forest-labs/flux-kontext-pro',
      saveMethod: 'auto' as const,
      parameters: wide,
    });
    const image = (number: number) => `actors/${MARTA}/training_data/${MARTA}_${number}.jpg`;
    const failed = (promptId: string) => recordFailure(dataDir(), { ...attempt(promptId), error: new Error('failed'), failureReason: 'model_error' });
    // The golden-hour prompt has a manual success on _1 (4 stars) and a failure from the test before.
    await recordSuccess(dataDir(), { ...attempt('photo_golden_hour_rooftop'), resultPath: image(0) }); // 5 stars
    await recordSuccess(dataDir(), { ...attempt('photo_foggy_harbor'), resultPath: image(7) }); // 3 stars
    await failed('photo_foggy_harbor');
    await recordSuccess(dataDir(), { ...attempt('photo_rain_street_run'), resultPath: image(8) }); // 1 star
    await failed('photo_rain_street_run');
    await failed('photo_rain_street_run');
    const state = await probe.waitFor((message): message is StateMessage => isState(message) && message.analytics?.correlation.n === 3, {
      from,
      timeoutMs: 30_000,
    });
    assert.deepEqual(state.analytics, computeAnalytics(await loadAnalyticsInput(dataDir()), DEFAULT_TARGET));
    const { save_methods: saveMethods, parameters, correlation } = state.analytics!;
    assert.deepEqual(
      saveMethods.map((row) => [row.value, row.attempts, row.success_rate, row.rated, row.mean_rating]),
      [
        ['manual', 2, 50, 1, 4],
        ['auto', 6, 50, 3, 3],
      ],
    );
    assert.deepEqual(
      parameters.aspect_ratio.map((row) => [row.value, row.attempts]),
      [
        ['16:9', 6],
        ['not recorded', 2],
      ],
    );
    // (66.67 %, 4.5), (50 %, 3), (33.33 %, 1): nearly a line.
    assert.deepEqual(
      correlation.points.map((point) => [point.prompt, point.success_rate, point.mean_rating]),
      [
        ['photo_golden_hour_rooftop', 66.67, 4.5],
        ['photo_rain_street_run', 33.33, 1],
        ['photo_foggy_harbor', 50, 3],
      ],
    );
    assert.equal(correlation.pearson_r, 1);
  });

  it('setScope shows one actor; refresh computes again', async () => {
    const from = probe.posted.length;
    const reply = await request('setScope', { actorId: MARTA });
    assert.deepEqual(reply, { type: 'reply', id: requestId, ok: true, result: null });
    const scoped = probe.posted.slice(from).filter(isState).at(-1)!;
    assert.equal(scoped.actorId, MARTA);
    assert.deepEqual(
      scoped.analytics!.balance.actors.map((actor) => actor.actor_id),
      [MARTA],
    );
    assert.equal(scoped.analytics!.quality.rated, 4);

    const bad = await request('setScope', { actorId: '../x' });
    assert.equal(bad.type === 'reply' && bad.ok, false);

    const before = probe.posted.length;
    await request('refresh', null);
    assert.ok(probe.posted.slice(before).some(isState), 'refresh posts a new state');
  });

  it('a corrupt log: the state names the file instead of numbers; the file is left as it is', async () => {
    const file = generationLogPath(dataDir());
    await fs.writeFile(file, '{ "successes": [');
    const from = probe.posted.length;
    await request('refresh', null);
    const state = probe.posted.slice(from).filter(isState).at(-1)!;
    assert.equal(state.analytics, undefined);
    assert.ok(state.problem?.includes(file), state.problem);
    assert.equal(await fs.readFile(file, 'utf8'), '{ "successes": [');
  });
});
