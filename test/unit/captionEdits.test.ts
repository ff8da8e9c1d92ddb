// Caption edits: the pure preview (prepend, append, replace, set), writing it with undo records,
// and undo restoring exactly what was stored, or refusing when a caption changed again since.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import fc from 'fast-check';
import { loadActor } from '../../src/core/actors/loadActor';
import type { ActorImage } from '../../src/core/actors/types';
import { captionSubjects, changeSnippet, compileCaptionEdit, previewCaptionEdit, type CaptionEdit } from '../../src/core/captions/captionEdits';
import { applyCaptionChanges, listCaptionEdits, MAX_UNDO_LEVELS, undoCaptionEdit } from '../../src/core/captions/captionStore';
import { imageCaption } from '../../src/core/captions/imageCaption';
import { InputError } from '../../src/core/errors';
import { loadManifest, updateManifest } from '../../src/core/manifest/manifestStore';
import { actorPaths, captionUndoPath } from '../../src/core/workspace/layout';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EVA = '0000_european_45_female';

function image(filename: string, entry: Partial<NonNullable<ActorImage['entry']>> = {}): ActorImage {
  return {
    filename,
    path: `/data/${filename}`,
    category: 'photorealistic',
    tracked: true,
    missing: false,
    entry: { filename, category: 'photorealistic', ...entry } as ActorImage['entry'],
  };
}
const subject = (img: ActorImage) => ({ actorId: 'a', image: img, descriptor: 'man' });

describe('caption edits: preview', () => {
  const seeded = image('a_1.jpg', { prompt: 'A photo of the man from the input image in the rain.' });
  const stored = image('a_2.jpg', { caption: '[trigger], man at a desk', caption_source: 'user' });

  it('prepend and append join with one space, punctuation without; the seed is what gets edited', () => {
    const seed = imageCaption(seeded, 'man').text;
    const [prepended] = previewCaptionEdit([subject(seeded)], { kind: 'prepend', text: 'ohwx,' });
    assert.equal(prepended.before.text, seed);
    assert.equal(prepended.before.source, 'prompt');
    assert.equal(prepended.after, `ohwx, ${seed}`);
    assert.deepEqual(prepended.stored, {}, 'a seeded caption has nothing stored');
    assert.equal(previewCaptionEdit([subject(stored)], { kind: 'append', text: ', film grain' })[0].after, '[trigger], man at a desk, film grain');
    assert.equal(previewCaptionEdit([subject(stored)], { kind: 'append', text: 'smiling' })[0].after, '[trigger], man at a desk smiling');
  });

  it('replace: plain text literally (every occurrence, "$1" kept), regex with groups; unchanged captions say so', () => {
    const plain = previewCaptionEdit([subject(stored)], { kind: 'replace', find: 'desk', with: '$1 table' });
    assert.equal(plain[0].after, '[trigger], man at a $1 table');
    const regex = previewCaptionEdit([subject(stored)], { kind: 'replace', find: 'man at a (\\w+)', with: 'man by the $1', regex: true });
    assert.equal(regex[0].after, '[trigger], man by the desk');
    const none = previewCaptionEdit([subject(stored)], { kind: 'replace', find: 'beach', with: 'sea' });
    assert.equal(none[0].changed, false);
    assert.equal(none[0].after, none[0].before.text);
  });

  it('a bad regex, an empty search or an empty result is an input error', () => {
    assert.throws(
      () => compileCaptionEdit({ kind: 'replace', find: '(unclosed', with: '', regex: true }),
      (error: Error) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, /not a valid regular expression: \/\(unclosed\//);
        return true;
      },
    );
    assert.throws(() => compileCaptionEdit({ kind: 'replace', find: '', with: 'x' }), InputError);
    assert.throws(() => previewCaptionEdit([subject(stored)], { kind: 'set', text: '   ' }), /would leave the caption of a\/a_2.jpg empty/);
  });

  it('set: one line, no doubled spaces', () => {
    assert.equal(previewCaptionEdit([subject(stored)], { kind: 'set', text: ' [trigger],  man\n in  rain ' })[0].after, '[trigger], man in rain');
  });
});

describe('caption edits: apply and undo', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
    // The store writes known keys in the schema's order: start from its formatting, so that
    // "byte for byte" below measures what the edits and undos did.
    for (const id of [CARL, EVA]) {
      await updateManifest(sample.dataRoot, id, () => undefined);
    }
  });
  afterEach(() => sample.cleanup());

  const actor = (id: string) => loadActor(sample.dataRoot, sample.dataRoot, id);
  const entries = async (id: string) => (await loadManifest(actorPaths(sample.dataRoot, id).manifest)).images;
  const manifestText = (id: string) => fs.readFile(actorPaths(sample.dataRoot, id).manifest, 'utf8');
  const edit = async (edit: CaptionEdit, ids = [CARL], filenames?: string[]) => {
    const changes = previewCaptionEdit(
      ids.flatMap((id) => captionSubjects(actor(id), filenames)),
      edit,
    );
    return applyCaptionChanges(sample.dataRoot, changes, 'test edit');
  };

  it("applying stores the edited captions as the user's, keeps other fields, and undo puts the files back byte for byte", async () => {
    const before = { carl: await manifestText(CARL), eva: await manifestText(EVA) };
    const applied = await edit({ kind: 'prepend', text: 'ohwx,' }, [CARL, EVA]);
    assert.ok(applied.written > 0);
    for (const entry of [...(await entries(CARL)), ...(await entries(EVA))]) {
      assert.equal(entry.caption_source, 'user');
      assert.match(entry.caption!, /^ohwx, /);
    }
    assert.ok((await entries(CARL))[0].rating, 'other fields are kept');
    assert.equal((await listCaptionEdits(sample.dataRoot)).length, 1);
    const undone = await undoCaptionEdit(sample.dataRoot);
    assert.equal(undone?.restored, applied.written);
    assert.equal(undone?.remaining, 0);
    assert.equal(await manifestText(CARL), before.carl);
    assert.equal(await manifestText(EVA), before.eva);
    assert.equal(await undoCaptionEdit(sample.dataRoot), undefined, 'nothing left to undo');
  });

  it('several levels: undone newest first, each back to what it replaced', async () => {
    const [first] = captionSubjects(actor(CARL)).map((each) => each.image.filename);
    await edit({ kind: 'set', text: '[trigger], one' }, [CARL], [first]);
    await edit({ kind: 'set', text: '[trigger], two' }, [CARL], [first]);
    await undoCaptionEdit(sample.dataRoot);
    assert.deepEqual(pick((await entries(CARL))[0]), { caption: '[trigger], one', caption_source: 'user' });
    await undoCaptionEdit(sample.dataRoot);
    assert.deepEqual(pick((await entries(CARL))[0]), {});
  });

  it('undo refuses, writing nothing, when a caption was changed again since', async () => {
    const [first, second] = captionSubjects(actor(CARL)).map((each) => each.image.filename);
    await edit({ kind: 'append', text: ', bulk' }, [CARL], [first, second]);
    // Someone edits the second one by hand, outside any undo record.
    const manifest = JSON.parse(await manifestText(CARL));
    manifest.images[1].caption = 'typed by hand';
    await fs.writeFile(actorPaths(sample.dataRoot, CARL).manifest, JSON.stringify(manifest, null, 2));
    const edited = await manifestText(CARL);
    await assert.rejects(undoCaptionEdit(sample.dataRoot), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, new RegExp(`cannot undo: the caption of ${CARL}/${second} was changed again since that edit`));
      return true;
    });
    assert.equal(await manifestText(CARL), edited, 'nothing written');
    assert.equal((await listCaptionEdits(sample.dataRoot)).length, 1, 'the edit stays to undo');
  });

  it('applying refuses an actor whose caption changed after the preview', async () => {
    const changes = previewCaptionEdit(captionSubjects(actor(CARL)), { kind: 'prepend', text: 'x' });
    await edit({ kind: 'set', text: 'meanwhile' }, [CARL], [changes[0].filename]);
    await assert.rejects(applyCaptionChanges(sample.dataRoot, changes, 'late'), /changed since the preview/);
    assert.equal((await entries(CARL))[0].caption, 'meanwhile');
  });

  it(`keeps at most ${MAX_UNDO_LEVELS} edits; an invalid undo file is an input error naming it, not overwritten`, async () => {
    const [first] = captionSubjects(actor(CARL)).map((each) => each.image.filename);
    for (let n = 0; n < MAX_UNDO_LEVELS + 2; n++) {
      await edit({ kind: 'set', text: `v${n}` }, [CARL], [first]);
    }
    assert.equal((await listCaptionEdits(sample.dataRoot)).length, MAX_UNDO_LEVELS);
    const file = captionUndoPath(sample.dataRoot);
    const hostile = JSON.stringify({
      edits: [{ id: 'x', created_at: 'now', description: 'd', changes: [{ actor_id: '../..', filename: 'a.jpg', before: {}, after: {} }] }],
    });
    await fs.writeFile(file, hostile);
    await assert.rejects(undoCaptionEdit(sample.dataRoot), (error: Error) => error instanceof InputError && error.message.includes('caption_undo.json'));
    assert.equal(await fs.readFile(file, 'utf8'), hostile);
  });

  it('property: any sequence of edits on any images, undone in full, restores every manifest byte for byte', async function () {
    this.timeout(120_000);
    const originals = { carl: await manifestText(CARL), eva: await manifestText(EVA) };
    const edits = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), text: fc.string({ minLength: 1, maxLength: 12 }).filter((text) => text.trim() !== '') }),
      fc.record({ kind: fc.constant('prepend' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant('append' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant('replace' as const), find: fc.constantFrom('the', 'a', '[trigger]', ','), with: fc.string({ maxLength: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(edits, fc.subarray([CARL, EVA], { minLength: 1 })), { minLength: 1, maxLength: 4 }), async (steps) => {
        let recorded = 0;
        for (const [step, ids] of steps) {
          try {
            recorded += (await edit(step, ids)).record ? 1 : 0;
          } catch (error) {
            assert.ok(error instanceof InputError, String(error)); // an edit that would empty a caption
          }
        }
        for (let n = 0; n < recorded; n++) {
          assert.ok(await undoCaptionEdit(sample.dataRoot));
        }
        assert.equal(await manifestText(CARL), originals.carl);
        assert.equal(await manifestText(EVA), originals.eva);
      }),
      { numRuns: 15 },
    );
  });
});

function pick(entry: { caption?: string; caption_source?: string }) {
  return { ...(entry.caption !== undefined ? { caption: entry.caption } : {}), ...(entry.caption_source ? { caption_source: entry.caption_source } : {}) };
}

describe('caption edits: change snippet', () => {
  it('shows the words around the change, what went and what came', () => {
    assert.equal(changeSnippet('[trigger], man at a desk', 'ohwx, [trigger], man at a desk'), '⟨+ohwx, ⟩[trigger], man at a desk');
    const long = `${'x'.repeat(40)} old ${'y'.repeat(40)}`;
    assert.equal(changeSnippet(long, long.replace('old', 'new')), `…${'x'.repeat(23)} ⟨−old⟩⟨+new⟩ ${'y'.repeat(23)}…`);
    assert.equal(changeSnippet('same', 'same'), 'same');
  });
});
