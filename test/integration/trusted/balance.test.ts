// Balance Actor in the real extension host, on the sample workspace with the offline generator
// (no keys are set): the closed loop plans, generates, evaluates what arrived and plans again until
// Carl is at his targets; the tree shows 13·4·3 and a second plan plans nothing. The budget box and
// the confirmation are skipped through the command's programmatic API (`{ confirm: false }`).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BalanceReport } from '../../../src/core/app/balance';
import { preserveDataFolder } from '../support/files';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';

interface PlanFile {
  deletions: unknown[];
  generations: unknown[];
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

describe('Balance Actor in the editor', function () {
  this.timeout(300_000);
  /** The data folder as the suite found it (the run creates .trash and action_plans), put back after. */
  let preserved: Awaited<ReturnType<typeof preserveDataFolder>> | undefined;

  before(async () => {
    await studio();
    preserved = await preserveDataFolder(dataDir());
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (preserved) {
      await preserved.restore();
      (await studio()).workspace.invalidate();
      await vscode.commands.executeCommand('actorStudio.refresh');
    }
  });

  it('brings Carl to 13·4·3 offline, reports each round, and a second plan plans nothing', async () => {
    const report = await vscode.commands.executeCommand<BalanceReport | undefined>('actorStudio.balanceActor', CARL, undefined, { confirm: false });
    assert.ok(report, 'the balance returned its report (see the Actor Studio log if not)');
    assert.equal(report.stoppedBy, 'balanced');
    assert.equal(report.spentUsd, 0, 'the offline generator costs nothing');
    const [carl] = report.actors;
    assert.equal(carl?.actorId, CARL);
    assert.equal(carl.reached, true);
    assert.ok(carl.accepted.length >= 14, `Carl had 6 images and needs 20: ${carl.accepted.length} accepted`);
    assert.ok(await exists(path.join(dataDir(), 'action_plans', 'balance', `${report.runId}.json`)), 'the loop journals its state, so a killed run resumes');

    const api = await studio();
    await waitFor('the tree to show Carl balanced', async () =>
      (await children(api)).find((actor) => actor.label === CARL)?.description.startsWith('20/20 · 13·4·3') ? true : undefined,
    );

    const carlNode = (await children(api)).find((actor) => actor.label === CARL)!.node;
    await vscode.commands.executeCommand('actorStudio.planActor', carlNode);
    const plan = JSON.parse(await fs.readFile(path.join(dataDir(), 'action_plans', `${CARL}_action_plan.json`), 'utf8')) as PlanFile;
    assert.deepEqual([plan.deletions.length, plan.generations.length], [0, 0]);
  });
});
