// Execution in the real extension host, on the sample workspace with the offline local
// generator (no keys are set): Plan Actor, a dry run that writes nothing, Execute with mode
// Everything, then Undo Last Execution. The mode pick and the confirmation are skipped through
// the commands' programmatic API (`{ mode, confirm: false }`), which is also what scripts use.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExecutePlanResult } from '../../../src/commands/executeCommands';
import type { UndoSummary } from '../../../src/core/execute/types';
import type { CategoryCounts } from '../../../src/core/actors/targets';
import type { ActorNode } from '../../../src/providers/actorsTree/nodes';
import { restoreFiles, snapshotFiles } from '../support/files';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';

interface PlanFile {
  deletions: { filename: string }[];
  generations: { category: 'photorealistic' | 'bw_stylized' | 'color_stylized'; prompt_id: string }[];
}

interface ManifestFile {
  images: { filename: string; category?: keyof CategoryCounts; model?: string; prompt_id?: string }[];
}

/** The description starts with these counts (then the plan state, if any). */
const shows = (description: string, counts: string) => description === counts || description.startsWith(`${counts} · `);

/** How the tree describes an actor's counts: `20/20 · 12·4·2 · 2 unclassified`. */
function balance(counts: CategoryCounts): string {
  const total = counts.photorealistic + counts.bw_stylized + counts.color_stylized + counts.unknown;
  const unclassified = counts.unknown > 0 ? ` · ${counts.unknown} unclassified` : '';
  return `${total}/20 · ${counts.photorealistic}·${counts.bw_stylized}·${counts.color_stylized}${unclassified}`;
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const training = () => path.join(dataDir(), 'actors', EILEEN, 'training_data');
const readJson = async <T>(file: string): Promise<T> => JSON.parse(await fs.readFile(file, 'utf8')) as T;
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

describe('executing plans in the editor', function () {
  this.timeout(180_000);
  let original: Map<string, Buffer>;
  let plan: PlanFile;
  let dryRun: ExecutePlanResult['dryRun'];
  let executed: ExecutePlanResult;
  /** The actor's counts as the tree had them before executing (by manifest category). */
  let countsBeforeExecution: CategoryCounts;
  /** The manifest as the executor found it (planning had added the evaluations). */
  let manifestBeforeExecution: ManifestFile;
  /** Folders the run creates; removed after, so the next suites see the sample as it was. */
  const created = ['.trash', 'action_plans'];
  let existedBefore: boolean[];

  const eileen = async () => {
    const item = (await children(await studio())).find((actor) => actor.label === EILEEN);
    assert.ok(item, `${EILEEN} is in the Actors tree`);
    return item;
  };

  before(async () => {
    await studio();
    original = await snapshotFiles(dataDir());
    existedBefore = await Promise.all(created.map((dir) => exists(path.join(dataDir(), dir))));
  });

  after(async () => {
    // Editors first: an image preview whose file the restore deletes would fail and hold up the next panel.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (original) {
      await restoreFiles(dataDir(), original);
      await Promise.all(created.map((dir, position) => !existedBefore[position] && fs.rm(path.join(dataDir(), dir), { recursive: true, force: true })));
      await vscode.commands.executeCommand('actorStudio.refresh');
    }
  });

  it('Plan Actor, then a dry run lists the exact operations and changes nothing', async () => {
    await vscode.commands.executeCommand('actorStudio.planActor', (await eileen()).node);
    plan = await readJson<PlanFile>(path.join(dataDir(), 'action_plans', `${EILEEN}_action_plan.json`));
    assert.ok(plan.deletions.length > 0 && plan.generations.length > 0, 'the sample actor has something to delete and to generate');

    const before = await snapshotFiles(dataDir());
    const result = await vscode.commands.executeCommand<ExecutePlanResult | undefined>('actorStudio.executePlan', EILEEN, undefined, { mode: 'dry_run' });
    assert.ok(result, 'the dry run returned its result');
    assert.equal(result.summary, undefined, 'a dry run executes nothing');
    dryRun = result.dryRun;
    const [actor] = dryRun.actors;
    assert.equal(actor?.actorId, EILEEN);
    assert.equal(actor.skipReason, undefined);
    assert.deepEqual(actor.trash.map((file) => file.filename).sort(), plan.deletions.map((deletion) => deletion.filename).sort());
    assert.deepEqual(
      actor.create.map((file) => file.promptId),
      plan.generations.map((generation) => generation.prompt_id),
    );
    // Numbers continue from the highest on disk (gaps such as the sample's missing _4 are never reused).
    const highest = Math.max(...(await fs.readdir(training())).map((name) => Number(/_(\d+)\.jpg$/.exec(name)?.[1] ?? -1)));
    assert.deepEqual(
      actor.create.map((file) => file.filename),
      plan.generations.map((_, position) => `${EILEEN}_${highest + 1 + position}.jpg`),
    );
    assert.equal(dryRun.cost.model, 'local/augment');
    assert.equal(dryRun.cost.total, 0);

    const report = await waitFor('the dry run report in an editor', () =>
      vscode.window.visibleTextEditors.find(
        (editor) => editor.document.uri.scheme === 'actor-studio-dry-run' && editor.document.getText().includes(`## ${EILEEN}`),
      ),
    );
    const text = report.document.getText();
    assert.match(text, /^# Dry run: Everything$/m);
    for (const file of [...actor.trash.map((each) => each.filename), ...actor.create.map((each) => each.filename)]) {
      assert.ok(text.includes(`\`${file}\``), `the report names ${file}`);
    }
    assert.deepEqual(await snapshotFiles(dataDir()), before, 'nothing on disk changed');
  });

  it('Execute (Everything) creates the next numbers, moves deletions to data/.trash/<run>, and the tree shows the new balance', async () => {
    manifestBeforeExecution = await readJson<ManifestFile>(path.join(training(), 'manifest.json'));
    countsBeforeExecution = { ...((await eileen()).node as ActorNode).record!.counts };
    const result = await vscode.commands.executeCommand<ExecutePlanResult | undefined>('actorStudio.executePlan', EILEEN, undefined, {
      mode: 'everything',
      confirm: false,
    });
    assert.ok(result?.summary, 'the execution returned its summary (see the Actor Studio log if not)');
    executed = result;
    const { summary } = result;
    assert.equal(summary.status, 'completed');
    assert.deepEqual(
      summary.failed.map((operation) => `${operation.filename}: ${operation.error}`),
      [],
    );
    assert.equal(summary.done.length, plan.deletions.length + plan.generations.length);
    assert.equal(summary.spend.total, 0);

    const manifest = await readJson<ManifestFile>(path.join(training(), 'manifest.json'));
    const entries = new Map(manifest.images.map((entry) => [entry.filename, entry]));
    const [predicted] = dryRun.actors;
    for (const file of predicted!.create) {
      assert.ok(await exists(path.join(training(), file.filename)), `${file.filename} was created with a number the dry run gave`);
      assert.equal(entries.get(file.filename)?.model, 'local/augment', `${file.filename} is in the manifest`);
    }
    // Which prompt gets which of those numbers depends on the order concurrent generations start.
    assert.deepEqual(
      predicted!.create.map((file) => entries.get(file.filename)?.prompt_id).sort(),
      predicted!.create.map((file) => file.promptId).sort(),
      'each planned prompt generated once',
    );
    const trash = path.join(dataDir(), '.trash', summary.runId, 'actors', EILEEN, 'training_data');
    for (const { filename } of plan.deletions) {
      assert.equal(await exists(path.join(training(), filename)), false, `${filename} left the training folder`);
      assert.ok(
        original.get(path.join(training(), filename))?.equals(await fs.readFile(path.join(trash, filename))),
        `${filename} is in the trash, byte for byte`,
      );
      assert.equal(entries.has(filename), false, `${filename} left the manifest`);
    }

    // The tree counts by manifest category: each deletion leaves its category, each generation joins its own.
    const expected = { ...countsBeforeExecution };
    for (const { filename } of plan.deletions) {
      expected[manifestBeforeExecution.images.find((entry) => entry.filename === filename)?.category ?? 'unknown']--;
    }
    plan.generations.forEach((generation) => expected[generation.category]++);
    const item = await waitFor(`"${balance(expected)}" in the tree`, async () => {
      const current = await eileen();
      if (!shows(current.description, balance(expected))) {
        throw new Error(`the tree shows "${current.description}"`); // waitFor reports the last one
      }
      return current;
    });
    const api = await studio();
    const groups = await children(api, item.node);
    const images = (await Promise.all(groups.map((group) => children(api, group.node)))).flat().map((image) => image.label);
    for (const file of predicted!.create) {
      assert.ok(images.includes(file.filename), `${file.filename} shows in the tree`);
    }
    await waitFor('"plan stale" in the tree (the files changed since planning)', async () => (await eileen()).description.endsWith('plan stale') || undefined);
  });

  it('Undo Last Execution puts the deleted files and their manifest entries back; the generated images stay', async () => {
    const runs = await (await studio()).execution.runs();
    const run = runs.find((each) => each.runId === executed.summary!.runId);
    assert.equal(run?.deleted, plan.deletions.length, 'the run is listed with its deletions');

    const undo = await vscode.commands.executeCommand<UndoSummary | undefined>('actorStudio.undoLastExecution', { confirm: false });
    assert.ok(undo, 'the undo returned its summary (see the Actor Studio log if not)');
    assert.equal(undo.runId, executed.summary!.runId);
    assert.deepEqual(undo.failed, []);
    assert.deepEqual(undo.restored.map((file) => file.filename).sort(), plan.deletions.map((deletion) => deletion.filename).sort());

    const manifest = await readJson<ManifestFile>(path.join(training(), 'manifest.json'));
    for (const { filename } of plan.deletions) {
      assert.ok(
        original.get(path.join(training(), filename))?.equals(await fs.readFile(path.join(training(), filename))),
        `${filename} is back, byte for byte`,
      );
      assert.deepEqual(
        manifest.images.find((entry) => entry.filename === filename),
        manifestBeforeExecution.images.find((entry) => entry.filename === filename),
        `${filename}'s manifest entry is back as it was`,
      );
    }
    for (const file of dryRun.actors[0]!.create) {
      assert.ok(await exists(path.join(training(), file.filename)), `${file.filename} stays`);
    }
    const expected = { ...countsBeforeExecution };
    plan.generations.forEach((generation) => expected[generation.category]++);
    await waitFor(`"${balance(expected)}" in the tree`, async () => {
      const { description } = await eileen();
      if (!shows(description, balance(expected))) {
        throw new Error(`the tree shows "${description}"`);
      }
      return true;
    });
    assert.ok((await (await studio()).execution.runs()).find((each) => each.runId === undo.runId)?.undoneAt, 'the run is marked undone');
  });
});
