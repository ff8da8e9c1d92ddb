// Data file diagnostics, the URL quick fix, Reconcile Data and Import Legacy Data in the real
// extension host, on the sample workspace. Broken files are written into the data folder, opened
// as editors, and their problems read back from the Problems panel (vscode.languages); the
// expected message and position come from the same schema the extension validates with.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ImportLegacyResult } from '../../../src/commands/importLegacyCommand';
import type { ReconcileCommandResult } from '../../../src/commands/reconcileCommands';
import { DATA_FILE_KINDS } from '../../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../../src/core/manifest/jsonFile';
import { MATCHED_KIND_IDS } from '../../../src/providers/dataFileMatcher';
import { DRIFT_BADGE } from '../../../src/providers/actorsTree/decorations';
import type { ActorNode } from '../../../src/providers/actorsTree/nodes';
import { actorUri } from '../../../src/providers/actorsTree/uris';
import { restoreFiles, snapshotFiles } from '../support/files';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';
const MARCUS = '0001_european_35_male';
const LEGACY = '0002_mixed_30_nonbinary';
const SOURCE = 'Actor Studio';

const dataDir = () => path.join(workspaceRoot(), 'data');
const training = (actorId: string) => path.join(dataDir(), 'actors', actorId, 'training_data');
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** Our diagnostics of a file, as the Problems panel has them. */
const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);

/** The zero-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const line = text.split('\n').findIndex((each) => each.includes(needle));
  assert.ok(line >= 0, `the test file contains ${needle}`);
  return line;
}

/** Writes a file into the data folder and opens it in an editor, as a user would. */
async function writeAndOpen(relative: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(dataDir(), relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

interface BrokenFile {
  what: string;
  kind: string;
  relative: string;
  text: string;
  /** The line (text) the schema's problem must point at. */
  at: string;
  /** What the message says, besides being the schema's. */
  says: RegExp;
}

const manifestWithUrlObjects = async (): Promise<string> => {
  const manifest = JSON.parse(await fs.readFile(path.join(training(MARCUS), 'manifest.json'), 'utf8'));
  // The old tool stored S3's whole response; the object holds exactly one URL.
  manifest.images.slice(0, 3).forEach((image: Record<string, unknown>, position: number) => {
    image.s3_url = { Location: `https://bucket.s3.amazonaws.com/system_actors/${MARCUS}_${position}.jpg`, ETag: '"abc"', Bucket: 'bucket' };
  });
  return `${JSON.stringify(manifest, null, 2)}\n`;
};

const BROKEN_FILES: BrokenFile[] = [
  {
    what: 'an action plan whose deletion reason is a number',
    kind: 'action-plan',
    relative: `action_plans/${MARCUS}_action_plan.json`,
    text: `{\n  "schema_version": 1,\n  "actor_id": "${MARCUS}",\n  "deletions": [\n    {\n      "filename": "${MARCUS}_1.jpg",\n      "reason": 5\n    }\n  ]\n}\n`,
    at: '"reason": 5',
    says: /^deletions\[0\]\.reason: .*expected string/,
  },
  {
    what: 'a prompt library with an id that is not lower-case',
    kind: 'prompt-library',
    relative: 'prompts.json',
    text: '{\n  "prompts": [\n    { "id": "Rainy Street", "category": "photorealistic" }\n  ]\n}\n',
    at: '"Rainy Street"',
    says: /^prompts\[0\]\.id: use lower-case letters, digits, _ \. -$/,
  },
  {
    what: 'a run journal with an unknown mode',
    kind: 'execution-journal',
    relative: 'action_plans/runs/run-test.json',
    text: `{\n  "schema_version": 1,\n  "run_id": "run-test",\n  "mode": "sometimes",\n  "actor_ids": ["${MARCUS}"],\n  "status": "completed",\n  "started_at": "2025-06-01T10:00:00.000Z"\n}\n`,
    at: '"sometimes"',
    says: /^mode: /,
  },
  {
    what: 'a pending upload whose actor id is a path',
    kind: 'pending-uploads',
    relative: 'tracking/pending_uploads.json',
    text: `{\n  "uploads": [\n    {\n      "actor_id": "../elsewhere",\n      "filename": "${MARCUS}_1.jpg",\n      "key": "k",\n      "content_type": "image/jpeg",\n      "queued_at": "2025-06-01T10:00:00.000Z"\n    }\n  ]\n}\n`,
    at: '"../elsewhere"',
    says: /^uploads\[0\]\.actor_id: must be a plain name \(a folder or file name\), not a path$/,
  },
  {
    what: 'prompt metadata whose prompt is a number',
    kind: 'prompt-metadata',
    relative: `actors/${MARCUS}/training_data/prompt_metadata.json`,
    text: `{\n  "images": {\n    "${MARCUS}_0.jpg": {\n      "prompt": 42\n    }\n  }\n}\n`,
    at: '"prompt": 42',
    says: /prompt: .*expected string/,
  },
  {
    what: 'prompt metadata with a key given twice (JSON would keep only the last)',
    kind: 'prompt-metadata',
    relative: `actors/${MARCUS}/training_data/prompt_metadata.json`,
    text: `{\n  "images": {\n    "${MARCUS}_0.jpg": { "prompt": "a" }\n  },\n  "images" : {}\n}\n`,
    at: '"images" : {}',
    says: /^images: duplicate key \(first on line 2\)/,
  },
  {
    what: 'a plan summary with a JSON syntax error (a trailing comma)',
    kind: 'plan-summary',
    relative: 'action_plans/summary.json',
    text: '{\n  "actors": [\n    { "actor_id": "a", }\n  ]\n}\n',
    at: '{ "actor_id": "a", }',
    says: /^invalid JSON: /,
  },
];

describe('data file diagnostics, quick fixes and reconciling', function () {
  this.timeout(120_000);
  let original: Map<string, Buffer>;
  /** Folders these tests create; removed after, so the next suites see the sample as it was. */
  const created = ['action_plans', 'tracking', '.trash'];
  let existedBefore: boolean[];

  before(async () => {
    await studio();
    original = await snapshotFiles(dataDir());
    existedBefore = await Promise.all(created.map((dir) => exists(path.join(dataDir(), dir))));
  });

  after(async () => {
    // Saved or untouched editors only, so closing asks nothing.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (original) {
      await restoreFiles(dataDir(), original);
      await Promise.all(created.map((dir, position) => !existedBefore[position] && fs.rm(path.join(dataDir(), dir), { recursive: true, force: true })));
      await vscode.commands.executeCommand('actorStudio.refresh');
    }
  });

  it('knows where every kind of data file lives inside the data folder', () => {
    assert.deepEqual([...MATCHED_KIND_IDS].sort(), DATA_FILE_KINDS.map((kind) => kind.id).sort());
  });

  for (const broken of BROKEN_FILES) {
    it(`shows the schema's problem at its line: ${broken.what}`, async () => {
      const document = await writeAndOpen(broken.relative, broken.text);
      const schema = DATA_FILE_KINDS.find((kind) => kind.id === broken.kind)!.schema;
      const expected = validateJsonText(broken.text, schema);
      assert.equal(expected.ok, false, 'the test file is broken');
      const problem = expected.ok ? undefined : expected.problems.find((each) => broken.says.test(each.message));
      assert.ok(problem, `the schema reports ${broken.says}`);
      assert.equal(problem.line, lineOf(broken.text, broken.at), 'the schema points at the offending line');

      const diagnostic = await waitFor(`the problem of ${broken.relative} in the Problems panel`, () =>
        ours(document.uri).find((each) => each.message === problem.message),
      );
      assert.equal(diagnostic.range.start.line, problem.line);
      assert.equal(diagnostic.range.start.character, problem.column);
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    });
  }

  it('follows the configured data folder, wherever it is and whatever its name', async () => {
    const api = await studio();
    const config = () => vscode.workspace.getConfiguration('actorStudio');
    const configured = config().inspect<string>('dataFolder')?.workspaceValue;
    const brokenLog = '{\n  "successes": [\n    { "timestamp": "yesterday" }\n  ]\n}\n';
    const inData = await writeAndOpen('tracking/generation_log.json', brokenLog);
    await waitFor('the generation log checked in the data folder', () => ours(inData.uri).length > 0);
    try {
      await config().update('dataFolder', 'studio files', vscode.ConfigurationTarget.Workspace);
      await waitFor('the new data folder', () => api.workspace.dataRoot?.endsWith('studio files') || undefined);
      await waitFor('no check of a file outside the data folder', () => ours(inData.uri).length === 0);
      const moved = path.join(workspaceRoot(), 'studio files', 'prompts.json');
      await fs.mkdir(path.dirname(moved), { recursive: true });
      await fs.writeFile(moved, '{ "prompts": [ { "id": "Not An Id" } ] }\n');
      const inMoved = await vscode.window.showTextDocument(vscode.Uri.file(moved));
      const diagnostic = await waitFor('the prompt library of the moved data folder checked', () => ours(inMoved.document.uri)[0]);
      assert.match(diagnostic.message, /^prompts\[0\]\.id: use lower-case letters/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await config().update('dataFolder', configured, vscode.ConfigurationTarget.Workspace);
      await fs.rm(path.join(workspaceRoot(), 'studio files'), { recursive: true, force: true });
      await waitFor('the sample data folder again', () => api.workspace.dataRoot === dataDir() || undefined);
    }
  });

  it('shows a URL object in a manifest once (document and index agree), and the quick fixes replace it with its URL', async () => {
    const text = await manifestWithUrlObjects();
    const document = await writeAndOpen(`actors/${MARCUS}/training_data/manifest.json`, text);
    const urlProblems = () => ours(document.uri).filter((each) => /s3_url: .*expected string/.test(each.message));
    const first = await waitFor('three URL objects in the Problems panel', () => (urlProblems().length === 3 ? urlProblems() : undefined));
    const urlLines = text.split('\n').flatMap((line, at) => (line.includes('"s3_url": {') ? [at] : []));
    assert.deepEqual(
      first.map((each) => each.range.start.line).sort((a, b) => a - b),
      urlLines,
    );
    // The index reads the same broken file from disk; it must not add a second copy of each problem.
    await vscode.commands.executeCommand('actorStudio.refresh');
    assert.equal(urlProblems().length, 3, 'each problem shows once');

    const actionsAt = (diagnostic: vscode.Diagnostic) =>
      vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      );
    const single = (await actionsAt(first[0]!)).find((action) => action.title.startsWith('Replace the object with its URL'));
    assert.ok(single?.edit, 'a quick fix for the first URL object');
    assert.ok(await vscode.workspace.applyEdit(single.edit));
    assert.equal(JSON.parse(document.getText()).images[0].s3_url, `https://bucket.s3.amazonaws.com/system_actors/${MARCUS}_0.jpg`);
    const left = await waitFor('the fixed problem to go', () => (urlProblems().length === 2 ? urlProblems() : undefined));

    const all = (await actionsAt(left[0]!)).find((action) => action.title.startsWith('Replace every URL object in this file'));
    assert.ok(all?.edit, 'a quick fix for every URL object of the file');
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    const images = JSON.parse(document.getText()).images as { s3_url: unknown }[];
    assert.deepEqual(
      images.slice(0, 3).map((image) => image.s3_url),
      [0, 1, 2].map((position) => `https://bucket.s3.amazonaws.com/system_actors/${MARCUS}_${position}.jpg`),
    );
    await waitFor('every URL problem to go', () => urlProblems().length === 0);
    await document.save();
    await waitFor('no problem left in the saved manifest', () => ours(document.uri).length === 0);
  });

  it('Reconcile Data reports the untracked file and badges the actor; Fix adopts it and the badge clears', async () => {
    const api = await studio();
    await children(api);
    const untracked = `${EILEEN}_12.jpg`;
    const result = await vscode.commands.executeCommand<ReconcileCommandResult | undefined>('actorStudio.reconcileData', EILEEN, undefined, { fix: false });
    assert.ok(result, 'Reconcile Data returned its report (see the Actor Studio log if not)');
    const findings = result.report.actors.find((actor) => actor.actorId === EILEEN)?.findings ?? [];
    assert.ok(
      findings.some((finding) => finding.kind === 'untracked_file' && finding.filename === untracked),
      `the report lists ${untracked} as untracked: ${findings.map((finding) => `${finding.kind} ${finding.filename ?? ''}`).join(', ')}`,
    );
    const report = await waitFor('the reconcile report in an editor', () =>
      vscode.window.visibleTextEditors.find(
        (editor) => editor.document.uri.scheme === 'actor-studio-reconcile' && editor.document.getText().includes(`## ${EILEEN}`),
      ),
    );
    assert.match(report.document.getText(), /### Files not in the manifest \(\d+\)/);
    assert.ok(report.document.getText().includes(`\`${untracked}\``), 'the report names the untracked file');

    const badge = api.decorations.provideFileDecoration(actorUri(EILEEN));
    assert.equal(badge?.badge, DRIFT_BADGE);
    assert.match(String(badge?.tooltip), new RegExp(`${findings.length} drift finding\\(s\\)`));
    const node = api.tree.actorNode(EILEEN) as ActorNode | undefined;
    assert.match(node?.resolveTooltip()?.value ?? '', /Drift \(Reconcile Data\): .*untracked\\?_file ×\d/);

    const fixed = await vscode.commands.executeCommand<ReconcileCommandResult | undefined>('actorStudio.reconcileData', EILEEN, undefined, { fix: true });
    assert.ok(fixed?.fixed, 'Fix ran');
    assert.deepEqual(
      fixed.fixed.summary.failed.map((failure) => failure.reason),
      [],
    );
    const manifest = JSON.parse(await fs.readFile(path.join(training(EILEEN), 'manifest.json'), 'utf8')) as { images: { filename: string }[] };
    assert.ok(
      manifest.images.some((image) => image.filename === untracked),
      `${untracked} is in the manifest now`,
    );
    assert.deepEqual(
      fixed.fixed.after.actors.find((actor) => actor.actorId === EILEEN)?.findings.map((finding) => finding.message),
      [],
      'no drift is left',
    );
    assert.doesNotMatch(String(api.decorations.provideFileDecoration(actorUri(EILEEN))?.tooltip ?? ''), /drift/);
    assert.equal((api.tree.actorNode(EILEEN) as ActorNode | undefined)?.drift, undefined);
  });

  it('Import Legacy Data imports the legacy actor once: a second run has nothing to import', async () => {
    const manifestFile = path.join(training(LEGACY), 'manifest.json');
    assert.equal(await exists(manifestFile), false, 'the legacy sample actor has no manifest');
    // An earlier test left a broken generation log, which the import would (rightly) refuse to touch.
    await fs.rm(path.join(dataDir(), 'tracking', 'generation_log.json'), { force: true });
    const first = await vscode.commands.executeCommand<ImportLegacyResult | undefined>('actorStudio.importLegacyData', { actorIds: [LEGACY], confirm: false });
    assert.ok(first?.imported, 'the import ran');
    assert.equal(first.dryRun.actors[0]?.changed, true, 'the dry run said the manifest would change');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { images: { filename: string }[] };
    assert.deepEqual(
      manifest.images.map((image) => image.filename).sort(),
      [0, 1, 2].map((n) => `${LEGACY}_${n}.jpg`),
    );
    assert.equal(await exists(path.join(training(LEGACY), 'response.json')), true, 'the old files are kept');
    assert.deepEqual(first.imported.log.added, { successes: 1, failures: 0, ratings: 0 }, 'its prompt_metadata.json record went into the generation log');

    const second = await vscode.commands.executeCommand<ImportLegacyResult | undefined>('actorStudio.importLegacyData', { actorIds: [LEGACY], confirm: false });
    assert.ok(second, 'the second import returned its dry run');
    assert.equal(second.dryRun.actors[0]?.changed, false, 'nothing left to import');
    assert.equal(second.dryRun.log.changed, false, 'nothing left for the generation log either');
    assert.equal(second.imported, undefined);
    assert.deepEqual(JSON.parse(await fs.readFile(manifestFile, 'utf8')), manifest, 'the manifest is unchanged');
  });
});
