// Edit Captions and Undo Caption Edit in the real extension host on the sample workspace: a bulk
// prepend on tree image nodes and on { actorId, filename } targets (as the Actor Gallery passes
// them), written as the user's captions, then undone back to the seeds; Edit Caption on one image.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CaptionEditResult } from '../../../src/commands/editCaptions';
import { restoreFiles, snapshotFiles } from '../support/files';
import { children, studio, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';
const EVA = '0000_european_45_female';

interface ManifestFile {
  images: { filename: string; caption?: string; caption_source?: string }[];
}

const dataDir = () => path.join(workspaceRoot(), 'data');
const manifestFile = (actorId: string) => path.join(dataDir(), 'actors', actorId, 'training_data', 'manifest.json');
const entryOf = async (actorId: string, filename: string) => {
  const manifest = JSON.parse(await fs.readFile(manifestFile(actorId), 'utf8')) as ManifestFile;
  return manifest.images.find((image) => image.filename === filename)!;
};

describe('Captions in the editor', function () {
  this.timeout(60_000);
  let original: Map<string, Buffer>;

  before(async () => {
    original = await snapshotFiles(dataDir());
    (await studio()).workspace.invalidate();
    await vscode.commands.executeCommand('actorStudio.refresh');
  });

  after(async () => {
    await restoreFiles(dataDir(), original);
    await (await studio()).tree.refresh();
  });

  it('declares its commands on image nodes (one and several) and on actors', () => {
    const contributes = vscode.extensions.getExtension('actor-studio.actor-studio')!.packageJSON.contributes;
    const menus = contributes.menus['view/item/context'] as { command: string; when: string }[];
    const whens = (command: string) => menus.filter((entry) => entry.command === command).map((entry) => entry.when);
    assert.ok(whens('actorStudio.editCaption').some((when) => /viewItem =~ \/\^image\//.test(when) && /!listMultiSelection/.test(when)));
    assert.ok(whens('actorStudio.editCaptions').some((when) => /viewItem =~ \/\^image\//.test(when)));
    assert.ok(whens('actorStudio.editCaptions').some((when) => /viewItem == actor\b/.test(when)));
  });

  it('prepends to three tree images, then undoes: the seeds come back, nothing stored', async () => {
    const api = await studio();
    const carl = (await children(api)).find((actor) => actor.label === CARL)!;
    const photos = (await children(api, carl.node)).find((group) => group.label === 'Photorealistic')!;
    const images = (await children(api, photos.node)).slice(0, 3);
    assert.equal(images.length, 3);
    const before = await fs.readFile(manifestFile(CARL), 'utf8');
    const result = await vscode.commands.executeCommand<CaptionEditResult>(
      'actorStudio.editCaptions',
      images[0].node,
      images.map((image) => image.node),
      { edit: { kind: 'prepend', text: 'ohwx man,' }, apply: true },
    );
    assert.equal(result.written, 3);
    for (const change of result.changes) {
      const entry = await entryOf(CARL, change.filename);
      assert.equal(entry.caption, `ohwx man, ${change.before.text}`);
      assert.equal(entry.caption_source, 'user');
    }
    await vscode.commands.executeCommand('actorStudio.undoCaptionEdit');
    for (const image of images) {
      const entry = await entryOf(CARL, image.label);
      assert.equal(entry.caption, undefined);
      assert.equal(entry.caption_source, undefined);
    }
    // The first write may order known keys as the schema does; the captions are what matter.
    assert.deepEqual(JSON.parse(await fs.readFile(manifestFile(CARL), 'utf8')).images, JSON.parse(before).images);
  });

  it('takes { actorId, filename } targets from a panel, across two actors; Edit Caption sets one', async () => {
    const targets = [
      { actorId: CARL, filename: `${CARL}_0.jpg` },
      { actorId: EVA, filename: `${EVA}_1.jpg` },
    ];
    const result = await vscode.commands.executeCommand<CaptionEditResult>('actorStudio.editCaptions', targets[0], targets, {
      edit: { kind: 'replace', find: 'Cinematic', with: 'Moody' },
      apply: true,
    });
    assert.deepEqual(
      result.changes.map((change) => `${change.actorId}/${change.filename}`),
      targets.map((target) => `${target.actorId}/${target.filename}`),
    );
    assert.match((await entryOf(EVA, `${EVA}_1.jpg`)).caption!, /Moody photorealistic film still/);
    const one = await vscode.commands.executeCommand<CaptionEditResult>('actorStudio.editCaption', targets[1], undefined, {
      text: '[trigger] woman on a pier',
    });
    assert.equal(one.written, 1);
    assert.equal((await entryOf(EVA, `${EVA}_1.jpg`)).caption, '[trigger] woman on a pier');
    await vscode.commands.executeCommand('actorStudio.undoCaptionEdit');
    assert.match((await entryOf(EVA, `${EVA}_1.jpg`)).caption!, /Moody photorealistic/, 'undo takes back the newest edit only');
  });
});
