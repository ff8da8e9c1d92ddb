// Export Dataset's Preview step in the real extension host, on the sample workspace: the preview
// opens as a read-only Markdown document with captions, buckets and warnings and writes nothing;
// "export after the preview" then writes the set it described.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetExportReport } from '../../../src/core/export/dataset';
import { waitFor, workspaceRoot } from '../support/studio';

const EILEEN = '0000_european_45_female';

/** Every file under a folder with its size and modification time: what "nothing written" compares. */
async function listing(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  return (await Promise.all(files.map(async (file) => `${file} ${(await fs.stat(file)).size} ${(await fs.stat(file)).mtimeMs}`))).sort();
}

describe('Export Dataset preview in the editor', function () {
  this.timeout(120_000);
  let out: string;
  before(async () => {
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-preview-'));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fs.rm(out, { recursive: true, force: true });
  });

  it('Preview opens a read-only document with captions, buckets and warnings, and writes nothing', async () => {
    const dataBefore = await listing(path.join(workspaceRoot(), 'data'));
    const report = await vscode.commands.executeCommand<DatasetExportReport | undefined>('actorStudio.exportDataset', undefined, undefined, {
      actorIds: [EILEEN],
      format: 'kohya',
      trigger: 'ohwx',
      minRating: 0,
      preview: true,
      exportAfterPreview: false,
    });
    assert.equal(report, undefined, 'stopped after the preview');
    const document = await waitFor('the preview document', () =>
      vscode.window.visibleTextEditors.map((editor) => editor.document).find((each) => each.uri.scheme === 'actor-studio-export-preview'),
    );
    assert.equal(document.uri.path, `/Export Preview ${EILEEN}.md`);
    const text = document.getText();
    assert.match(text, /^# Export preview: kohya sd-scripts at 1024/);
    // Other suites share this workspace and may change the actor's images: the sample's are all 16:9.
    assert.match(text, /### Buckets\n\n\| bucket \| images \|\n\| --- \| --- \|\n\| 1344x768 \| \d+ \|/);
    assert.match(text, /class_tokens "ohwx woman" will be ignored because captions exist/);
    assert.match(text, /image\(s\) would be upscaled/);
    assert.match(text, new RegExp(`\\| \`10_ohwx woman/${EILEEN}_\\d+\\.jpg\` \\| 768x432 \\| 1344x768 \\| L10 R11 \\| x1.78 \\| ohwx`));
    assert.deepEqual(await listing(path.join(workspaceRoot(), 'data')), dataBefore, 'nothing written in the data folder');
    assert.deepEqual(await fs.readdir(out), [], 'nor anywhere else');
  });

  it('after the preview, Export writes the set the preview described', async () => {
    const report = await vscode.commands.executeCommand<DatasetExportReport | undefined>('actorStudio.exportDataset', undefined, undefined, {
      actorIds: [EILEEN],
      format: 'ai-toolkit',
      trigger: 'ohwx',
      minRating: 0,
      preview: true,
      exportAfterPreview: true,
      outDir: out,
      resolution: 512,
    });
    assert.ok(report, 'the export ran');
    // The open preview tab is updated in place (its content provider fires a change).
    const document = await waitFor('the ai-toolkit preview in the open tab', () =>
      vscode.window.visibleTextEditors
        .map((editor) => editor.document)
        .find((each) => each.uri.scheme === 'actor-studio-export-preview' && each.getText().startsWith('# Export preview: ai-toolkit at 512')),
    );
    const listed = [...document.getText().matchAll(/^\| `images\/([^`]+)`/gm)].map((match) => match[1]).sort();
    const written = (await fs.readdir(path.join(out, EILEEN, 'images'))).filter((name) => !name.endsWith('.txt')).sort();
    assert.ok(written.length > 0);
    assert.deepEqual(listed, written, 'the preview listed exactly what was written');
    assert.equal(report.exported, written.length);
    assert.match(document.getText(), /\| 640x384 \| \d+ \|/);
  });
});
