// Caption lint: trigger, class word, identity, medium and length, each a finding with a code.
import * as assert from 'node:assert/strict';
import { estimateClipTokens, lintCaption, type CaptionLintOptions } from '../../src/core/captions/captionLint';

const photo: CaptionLintOptions = { classWord: 'woman', category: 'photorealistic' };
const codes = (caption: string, options: CaptionLintOptions = photo) => lintCaption(caption, options).map((finding) => finding.code);

describe('caption lint', () => {
  it('a good caption has no findings', () => {
    assert.deepEqual(codes('[trigger] woman, walking in the rain at night, street lights'), []);
    assert.deepEqual(codes('[trigger] woman, black-and-white ink drawing, portrait', { ...photo, category: 'bw_stylized' }), []);
    assert.deepEqual(codes('ohwx woman, watercolor illustration of a market', { ...photo, category: 'color_stylized', trigger: 'ohwx' }), []);
  });

  it('trigger missing is an error; not first is a warning; the chosen trigger word counts as the trigger', () => {
    const missing = lintCaption('a woman in the rain', photo);
    assert.deepEqual(
      missing.map((finding) => [finding.code, finding.severity]),
      [['trigger_missing', 'error']],
    );
    assert.deepEqual(codes('a woman, [trigger], in the rain'), ['trigger_not_first']);
    assert.deepEqual(codes('ohwx woman in the rain', { ...photo, trigger: 'ohwx' }), []);
    assert.deepEqual(codes('ohwxy woman in the rain', { ...photo, trigger: 'ohwx' }), ['trigger_missing'], 'a whole word, not a prefix');
  });

  it('class word: the descriptor or a given class, whole word, plural allowed', () => {
    assert.deepEqual(codes('[trigger], in the rain'), ['class_missing']);
    assert.deepEqual(codes('[trigger] with two other women'), []);
    assert.deepEqual(codes('[trigger] womanly pose'), ['class_missing']);
    assert.deepEqual(codes('[trigger] person, in the rain', { ...photo, classWord: 'person' }), []);
    assert.match(lintCaption('[trigger], rain', photo)[0].message, /kohya ignores class_tokens/);
  });

  it('identity: eye colour, face shape, skin tone, ethnicity and nationality next to a person; a place is not flagged', () => {
    const findings = lintCaption('[trigger] woman, blue eyes, oval face, olive skin, a Japanese woman, asian features', photo);
    assert.deepEqual(
      findings.map((finding) => finding.code),
      ['identity_described'],
    );
    for (const phrase of ['blue eyes', 'oval face', 'olive skin', 'japanese woman', 'asian']) {
      assert.ok(findings[0].message.includes(phrase), `${phrase} in ${findings[0].message}`);
    }
    assert.deepEqual(codes('[trigger] woman in a Japanese garden, French café'), []);
    assert.deepEqual(codes('[trigger] woman, black-and-white photo', photo), [], '"black" of black-and-white is not a skin tone');
  });

  it('hair colour is its own finding, informative only', () => {
    const [hair] = lintCaption('[trigger] woman with blonde hair', photo);
    assert.equal(hair.code, 'hair_colour_described');
    assert.equal(hair.severity, 'info');
  });

  it('a stylized image must name its medium; a photo need not', () => {
    assert.deepEqual(codes('[trigger] woman, portrait', { ...photo, category: 'bw_stylized' }), ['medium_missing']);
    assert.deepEqual(codes('[trigger] woman, portrait', { ...photo, category: 'color_stylized' }), ['medium_missing']);
    assert.deepEqual(codes('[trigger] woman, monochrome portrait', { ...photo, category: 'bw_stylized' }), []);
    assert.deepEqual(codes('[trigger] woman, oil painting', { ...photo, category: 'color_stylized' }), []);
    assert.deepEqual(codes('[trigger] woman, portrait', { ...photo, category: 'unknown' }), []);
  });

  it('too long: over 75 estimated tokens by default, or the limit given', () => {
    const long = `[trigger] woman, ${Array.from({ length: 80 }, (_, n) => `word${n % 2 ? '' : 's'}`).join(' ')}`;
    assert.ok(codes(long).includes('too_long'));
    assert.match(lintCaption(long, photo).find((finding) => finding.code === 'too_long')!.message, /the trainer reads 75/);
    assert.ok(!codes(long, { ...photo, maxTokens: 225 }).includes('too_long'));
  });

  it('the token estimate follows CLIP: a common word one token, digits each, punctuation each, long rare words several', () => {
    assert.equal(estimateClipTokens('a woman in the rain'), 5);
    assert.equal(estimateClipTokens('1984, noir'), 6);
    assert.equal(estimateClipTokens('supercalifragilistic'), 3);
    assert.equal(estimateClipTokens(''), 0);
  });
});
