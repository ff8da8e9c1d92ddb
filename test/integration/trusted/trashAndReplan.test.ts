// Empty Trash, Execute Plan's "Re-plan and Continue" and the Generator panel's Fill to Target in
// the real extension host, on the sample
// workspace with the offline local generator. The modal dialogs are skipped through the commands'
// programmatic options (`confirm: false`, `replan: true`), which is also what scripts use.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeleteImageResult } from '../../../src/commands/deleteImage';
import type { ExecutePlanResult } from '../../../src/commands/executeCommands';
import type { EmptyTrashOutcome } from '../../../src/core/execute';
import { preserveDataFolder } from '../support/files';
import type { ActorStudioTestApi } from '../../../src/extension';
import type { GeneratorPanelProbe } from '../../../src/webviews/generator/generatorPanel';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';
const MIXED = '0002_mixed_30_nonbinary'; // three old-tool images, no manifest
const dataDir = () => path.join(workspaceRoot(), 'data');
const training = () => path.join(dataDir(), 'actors', CARL, 'training_data');
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

describe('Empty Trash, re-planning a stale plan and Fill to Target in the editor', function () {
  this.timeout(180_000);
  let data: Awaited<ReturnType<typeof preserveDataFolder>> | undefined;

  before(async () => {
    await studio();
    data = await preserveDataFolder(dataDir());
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await data?.restore();
    await vscode.commands.executeCommand('actorStudio.refresh');
  });

  it('Empty Trash keeps runs newer than the cut-off, then deletes the rest for good; undo has nothing left to put back', async () => {
    const deleted = await vscode.commands.executeCommand<DeleteImageResult>(
      'actorStudio.deleteImage',
      { actorId: CARL, filename: `${CARL}_5.jpg` },
      undefined,
      {
        confirm: false,
      },
    );
    const trashed = path.join(dataDir(), '.trash', deleted.runId, 'actors', CARL, 'training_data', `${CARL}_5.jpg`);
    const size = (await fs.stat(trashed)).size;

    const recent = await vscode.commands.executeCommand<EmptyTrashOutcome>('actorStudio.emptyTrash', { olderThanDays: 30, confirm: false });
    assert.deepEqual(recent.emptied, []);
    assert.ok(await exists(trashed), 'a run from today stays');

    const emptied = await vscode.commands.executeCommand<EmptyTrashOutcome>('actorStudio.emptyTrash', { confirm: false });
    assert.deepEqual(
      emptied.emptied.map((run) => run.runId),
      [deleted.runId],
    );
    assert.equal(emptied.files, 1);
    assert.equal(emptied.bytes, size);
    assert.ok(!(await exists(path.join(dataDir(), '.trash', deleted.runId))), 'the run is gone from the trash');
    const manifest = JSON.parse(await fs.readFile(path.join(training(), 'manifest.json'), 'utf8')) as { highest_index?: number };
    assert.ok((manifest.highest_index ?? -1) >= 5, 'number 5 stays used');
    const undone = await vscode.commands.executeCommand('actorStudio.undoLastExecution', { confirm: false });
    assert.equal(undone, undefined, 'nothing to undo: the only run with deletions was emptied');
  });

  it('Execute Plan re-plans a plan made stale by a deletion by hand and goes on (Re-plan and Continue)', async () => {
    const carl = (await children(await studio())).find((actor) => actor.label === CARL);
    assert.ok(carl);
    await vscode.commands.executeCommand('actorStudio.planActor', carl.node);
    await fs.rm(path.join(training(), `${CARL}_4.jpg`));
    await vscode.commands.executeCommand('actorStudio.refresh');

    const skipped = await vscode.commands.executeCommand<ExecutePlanResult>('actorStudio.executePlan', CARL, undefined, {
      mode: 'generate_only',
      confirm: false,
      replan: false,
    });
    assert.equal(skipped.dryRun.actors[0]?.stale, true, 'the dry run says the plan is stale');
    assert.equal(skipped.summary, undefined, 'skipped, nothing ran');

    const result = await vscode.commands.executeCommand<ExecutePlanResult>('actorStudio.executePlan', CARL, undefined, {
      mode: 'generate_only',
      confirm: false,
      replan: true,
    });
    assert.ok(result.summary, 'after re-planning the execution ran');
    assert.deepEqual(result.summary.skippedActors, []);
    assert.equal(result.dryRun.actors[0]?.stale, undefined, 'the dry run after re-planning is current');
    assert.equal(result.summary.done.length, result.dryRun.generations);
    const files = (await fs.readdir(training())).filter((name) => name.endsWith('.jpg'));
    assert.equal(files.length, 4 + result.dryRun.generations, 'four images left (5 was emptied from the trash, 4 deleted by hand), plus the new plan');
    const manifest = JSON.parse(await fs.readFile(path.join(training(), 'manifest.json'), 'utf8')) as { images: { filename: string }[] };
    assert.deepEqual(manifest.images.map((image) => image.filename).sort(), files.sort(), 'the entry of the file deleted by hand left the manifest');
  });

  it("the Generator panel's Fill to Target plans what the actor lacks and generates it; every file ends in the manifest", async () => {
    await vscode.commands.executeCommand('actorStudio.openGenerator', MIXED);
    const api = (await studio()) as ActorStudioTestApi & { generatorPanel: () => GeneratorPanelProbe | undefined };
    const probe = await waitFor('the Generator panel', () => api.generatorPanel());
    const from = probe.posted.length;
    // What the page posts when the button is clicked; the local generator costs nothing, so no dialog.
    await probe.receive({ type: 'request', id: 951, method: 'fillToTarget', params: { actorId: MIXED } });
    const reply = await probe.waitFor((message) => message.type === 'reply' && message.id === 951, { from, timeoutMs: 150_000 });
    assert.deepEqual(reply, { type: 'reply', id: 951, ok: true, result: { ran: true } });
    const plan = JSON.parse(await fs.readFile(path.join(dataDir(), 'action_plans', `${MIXED}_action_plan.json`), 'utf8')) as { generations: unknown[] };
    const mixedTraining = path.join(dataDir(), 'actors', MIXED, 'training_data');
    const files = (await fs.readdir(mixedTraining)).filter((name) => name.endsWith('.jpg')).sort();
    assert.equal(files.length, 3 + plan.generations.length, 'the three old images stay, the plan generated the rest');
    const manifest = JSON.parse(await fs.readFile(path.join(mixedTraining, 'manifest.json'), 'utf8')) as { images: { filename: string }[] };
    assert.deepEqual(manifest.images.map((image) => image.filename).sort(), files, 'the old images were adopted');

    await probe.receive({ type: 'request', id: 952, method: 'fillToTarget', params: { actorId: '../x' } });
    const refused = await probe.waitFor((message) => message.type === 'reply' && message.id === 952, { from });
    assert.equal(refused.type === 'reply' && refused.ok, false, 'only plain actor ids');
  });
});
