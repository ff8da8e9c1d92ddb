// Export Dataset and Export Prompt Data in the real extension host, on the sample workspace. The
// pickers and the "replace?" question are skipped through the commands' programmatic API
// (`{ format, outDir, confirm: false }`, `{ outFile }`), which is also what scripts use.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportPromptDataResult } from '../../../src/commands/exportPromptData';
import type { DatasetExportReport } from '../../../src/core/export/dataset';
import { workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';
const CARL = '0001_european_35_male';

const listFiles = async (dir: string) => (await fs.readdir(dir)).sort();

describe('exports in the editor', function () {
  this.timeout(120_000);
  let out: string;
  const settingsFile = () => path.join(workspaceRoot(), '.vscode', 'settings.json');
  let settingsBefore: Buffer | undefined;

  before(async () => {
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-export-'));
    settingsBefore = await fs.readFile(settingsFile()).catch(() => undefined);
  });
  after(async () => {
    await fs.rm(out, { recursive: true, force: true });
    await vscode.workspace.getConfiguration('actorStudio').update('export.minRating', undefined, vscode.ConfigurationTarget.Workspace);
    if (settingsBefore) {
      await fs.writeFile(settingsFile(), settingsBefore);
    }
  });

  it('Export Dataset writes a kohya set with the trigger and class word first in every caption', async () => {
    const report = await vscode.commands.executeCommand<DatasetExportReport | undefined>('actorStudio.exportDataset', undefined, undefined, {
      actorIds: [CARL],
      format: 'kohya',
      outDir: out,
      trigger: 'ohwx',
      confirm: false,
    });
    assert.ok(report, 'the export ran');
    assert.equal(report.exported, 6, 'every image of the sample actor (none failed a check)');
    assert.deepEqual(await listFiles(out), [CARL]);
    assert.deepEqual(await listFiles(path.join(out, CARL)), ['10_ohwx man', 'dataset.toml', 'metadata.jsonl']);
    const folder = path.join(out, CARL, '10_ohwx man');
    const files = await listFiles(folder);
    const images = files.filter((name) => name.endsWith('.jpg'));
    assert.deepEqual(images, [0, 1, 2, 3, 4, 5].map((n) => `${CARL}_${n}.jpg`).sort());
    for (const image of images) {
      const caption = await fs.readFile(path.join(folder, image.replace(/\.jpg$/, '.txt')), 'utf8');
      assert.match(caption, /^ohwx man, /, `${image}'s caption starts with the trigger and the class word`);
    }
    const rows = (await fs.readFile(path.join(out, CARL, 'metadata.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(rows.length, 6);
  });

  it('the minimum rating setting applies, and a non-empty folder is replaced actor by actor with confirm: false', async () => {
    await vscode.workspace.getConfiguration('actorStudio').update('export.minRating', 5, vscode.ConfigurationTarget.Workspace);
    await fs.writeFile(path.join(out, 'notes.txt'), 'mine');
    const report = await vscode.commands.executeCommand<DatasetExportReport | undefined>('actorStudio.exportDataset', undefined, undefined, {
      actorIds: [EILEEN, CARL],
      format: 'ai-toolkit',
      outDir: out,
      confirm: false,
    });
    assert.ok(report, 'the export ran');
    assert.deepEqual(
      report.actors.map((actor) => [actor.actorId, actor.trigger, actor.exported]),
      [
        [EILEEN, EILEEN, 1],
        [CARL, CARL, 1],
      ],
    );
    assert.deepEqual(await listFiles(out), [EILEEN, CARL, 'notes.txt'].sort(), 'the other file stays');
    assert.deepEqual(await listFiles(path.join(out, CARL)), ['control', 'images', 'metadata.jsonl'], 'the kohya export of CARL was replaced');
    assert.deepEqual(await listFiles(path.join(out, CARL, 'images')), [`${CARL}_5.jpg`, `${CARL}_5.txt`], 'only the 5-star image');
    assert.deepEqual(await listFiles(path.join(out, CARL, 'control')), [`${CARL}_5.jpg`], 'its Kontext control image');
    assert.deepEqual(await listFiles(path.join(out, EILEEN, 'images')), [`${EILEEN}_0.jpg`, `${EILEEN}_0.txt`]);
    assert.match(await fs.readFile(path.join(out, EILEEN, 'images', `${EILEEN}_0.txt`), 'utf8'), new RegExp(`^${EILEEN} woman, `));
  });

  it('Export Dataset refuses a folder inside the data folder, writing nothing', async () => {
    const inside = path.join(workspaceRoot(), 'data', 'export-here');
    const report = await vscode.commands.executeCommand<DatasetExportReport | undefined>('actorStudio.exportDataset', undefined, undefined, {
      actorIds: [CARL],
      format: 'kohya',
      outDir: inside,
      trigger: 'ohwx',
      confirm: false,
    });
    assert.equal(report, undefined, 'the error went to a notification');
    assert.equal(await fs.stat(inside).catch(() => undefined), undefined);
  });

  it('Export Prompt Data writes the curated prompts of the generation log: good, hand-saved, bad and failed', async () => {
    const tracking = path.join(workspaceRoot(), 'data', 'tracking');
    const logFile = path.join(tracking, 'generation_log.json');
    const logBefore = await fs.readFile(logFile).catch(() => undefined);
    const at = '2026-02-01T10:00:00.000Z';
    const success = (id: string, prompt: string, file: string) => ({
      id,
      timestamp: at,
      actor_id: CARL,
      prompt_id: null,
      prompt,
      model: 'local/augment',
      result_path: `actors/${CARL}/training_data/${file}`,
    });
    const log = {
      successes: [
        {
          id: 's1',
          timestamp: at,
          actor_id: CARL,
          prompt_id: 'p1',
          prompt: 'The man on a pier',
          model: 'local/augment',
          result_path: `actors/${CARL}/training_data/${CARL}_5.jpg`,
        },
        // Unrated in the sample's manifest, but saved by hand: a good example.
        { ...success('s2', 'The man in the rain', `${CARL}_1.jpg`), save_method: 'manual' },
        // Rated 3 in the sample's manifest: a bad example.
        success('s3', 'The man as a comic hero', `${CARL}_2.jpg`),
      ],
      failures: [{ id: 'f1', timestamp: at, prompt: 'A nude man', model: 'local/augment', error_message: 'flagged (E005)', failure_reason: 'content_filter' }],
      ratings: [{ timestamp: at, actor_id: CARL, filename: `${CARL}_5.jpg`, stars: 5 }],
    };
    await fs.mkdir(tracking, { recursive: true });
    await fs.writeFile(logFile, JSON.stringify(log));
    try {
      const outFile = path.join(out, 'prompts.json');
      const result = await vscode.commands.executeCommand<ExportPromptDataResult | undefined>('actorStudio.exportPromptData', { outFile });
      assert.ok(result, 'the export ran');
      const written = JSON.parse(await fs.readFile(outFile, 'utf8'));
      assert.deepEqual(written, JSON.parse(JSON.stringify(result.data)));
      assert.deepEqual(
        written.good_prompts.map((good: { prompt: string; rating: number }) => [good.prompt, good.rating]),
        [
          ['The man on a pier', 5],
          ['The man in the rain', null],
        ],
      );
      assert.deepEqual(
        written.good_prompts.map((good: { qualified_by: string }) => good.qualified_by),
        ['rating', 'manual_save'],
      );
      assert.deepEqual(
        written.bad_prompts.map((bad: { prompt: string; rating: number }) => [bad.prompt, bad.rating]),
        [['The man as a comic hero', 3]],
      );
      assert.deepEqual(Object.keys(written.failed_prompts_by_category), ['content_filter']);
      assert.equal(written.analysis.success_rate, 0.75);
    } finally {
      if (logBefore) {
        await fs.writeFile(logFile, logBefore);
      } else {
        await fs.rm(logFile, { force: true });
        await fs.rmdir(tracking).catch(() => undefined); // only when this test made it (empty)
      }
    }
  });
});
