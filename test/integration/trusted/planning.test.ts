import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';

describe('evaluation and planning in the editor', () => {
  const training = () => path.join(workspaceRoot(), 'data', 'actors', EILEEN, 'training_data');
  let manifest: string;
  before(async () => {
    manifest = await fs.readFile(path.join(training(), 'manifest.json'), 'utf8');
  });
  after(async () => {
    await fs.writeFile(path.join(training(), 'manifest.json'), manifest);
    await fs.rm(path.join(training(), `${EILEEN}_98.jpg`), { force: true });
    await fs.rm(path.join(workspaceRoot(), 'data', 'action_plans'), { recursive: true, force: true });
  });

  const eileen = async () => (await children(await studio())).find((actor) => actor.label === EILEEN)!;

  it('Plan Actor evaluates, writes the plan, and the tree shows -deletions +generations', async () => {
    const api = await studio();
    await vscode.commands.executeCommand('actorStudio.planActor', (await eileen()).node);
    const planFile = path.join(workspaceRoot(), 'data', 'action_plans', `${EILEEN}_action_plan.json`);
    const plan = JSON.parse(await fs.readFile(planFile, 'utf8'));
    assert.ok(
      plan.deletions.some((deletion: { filename: string }) => deletion.filename === `${EILEEN}_8.jpg`),
      'the blurred image goes',
    );
    const expected = `plan -${plan.deletions.length} +${plan.generations.length}`;
    await waitFor(`"${expected}" in the tree`, async () => (await eileen()).description.includes(expected) || undefined);
    const photoreal = (await children(api, (await eileen()).node)).find((group) => group.label === 'Photorealistic')!;
    const blurred = (await children(api, photoreal.node)).find((image) => image.label === `${EILEEN}_8.jpg`)!;
    assert.match(blurred.description, /blurry/);
    const tooltip = api.tree.resolveTreeItem(blurred.item, blurred.node as never).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Evaluation \(local\\\+face\):\* quality \d+\/10/);
    assert.match(tooltip.value, /Laplacian|blur/i);
    // Face identity ran in the worker bundle (dist/faceWorker.js). The other person's photo is the
    // cameraman, his head turned from the base's pose: a face that cannot be scored reliably goes
    // to review, never to the trash on its own.
    assert.ok(!plan.deletions.some((deletion: { filename: string }) => deletion.filename === `${EILEEN}_10.jpg`), 'not deleted without a scored face');
    const wrongPerson = (await children(api, photoreal.node)).find((image) => image.label === `${EILEEN}_10.jpg`)!;
    assert.match(wrongPerson.description, /needs review/);
    const wrongTooltip = api.tree.resolveTreeItem(wrongPerson.item, wrongPerson.node as never).tooltip as vscode.MarkdownString;
    assert.match(wrongTooltip.value, /[Nn]eeds review/);
  });

  it('a file added after planning marks the plan stale', async () => {
    await fs.copyFile(path.join(training(), `${EILEEN}_0.jpg`), path.join(training(), `${EILEEN}_98.jpg`));
    await waitFor('"plan stale" in the tree', async () => (await eileen()).description.includes('plan stale') || undefined);
  });
});
