import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { DESCRIPTOR_SLOT, fillPrompt } from '../../src/core/prompts/library';
import { categoryFromPromptText } from '../../src/core/prompts/promptCategory';
import { customPromptId, isCustomPromptId, normalisePromptText, PromptTextMatcher } from '../../src/core/prompts/promptText';
import type { LibraryPrompt } from '../../src/core/prompts/types';

const LIBRARY: LibraryPrompt[] = BUILTIN_PROMPTS.map((prompt) => ({ ...prompt, source: 'builtin' }));
const WITH_SLOT = LIBRARY.filter((prompt) => prompt.template.includes(DESCRIPTOR_SLOT));

/** A descriptor-like phrase: one to four words of letters (some accented), digits and inner hyphens. */
const descriptorArb = fc.array(fc.stringMatching(/^[a-zà-ö][a-zà-ö0-9-]{0,9}$/), { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));
/** What a hand edit or a wrapped line puts between words. */
const whitespaceArb = fc.stringMatching(/^[ \t\n\r]{1,4}$/);
/** What may stand at the ends: nothing, spaces, a different final punctuation. */
const endsArb = fc.constantFrom(['', ''], ['  ', '\n'], ['"', '"'], ['', ' !'], ['\t', '...']);

/** The text with every space replaced by a whitespace run, case changed at random, and different ends. */
function scramble(text: string, runs: string[], upper: boolean[], ends: readonly string[]): string {
  let run = 0;
  const spaced = text.replace(/ /g, () => runs[run++ % runs.length]);
  const cased = [...spaced].map((char, position) => (upper[position % upper.length] ? char.toUpperCase() : char)).join('');
  return `${ends[0]}${cased.replace(/\.$/, '')}${ends[1]}`;
}

describe('prompt texts matched to the library', () => {
  const matcher = new PromptTextMatcher(LIBRARY);

  it('a template filled with any descriptor, with extra whitespace, other case and ends, still matches its prompt', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WITH_SLOT),
        descriptorArb,
        fc.constantFrom('man', 'woman', 'person'),
        fc.array(whitespaceArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }),
        endsArb,
        (prompt, descriptor, actorDescriptor, runs, upper, ends) => {
          const text = scramble(fillPrompt(prompt.template, descriptor), runs, upper, ends);
          assert.equal(matcher.match(text, actorDescriptor), prompt.id, text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every built-in filled for the actor’s own descriptor matches exactly, whatever the descriptor', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LIBRARY), fc.string({ minLength: 1, maxLength: 30 }), (prompt, descriptor) => {
        assert.equal(matcher.match(fillPrompt(prompt.template, descriptor), descriptor), prompt.id);
      }),
      { numRuns: 200 },
    );
  });

  it('an unrelated text does not match', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('man', 'woman', 'person'), (text, descriptor) => {
        assert.equal(matcher.match(text, descriptor), undefined, text);
      }),
      { numRuns: 300 },
    );
    assert.equal(matcher.match('A cinematic portrait of the man on a beach.', 'man'), undefined);
  });

  it('a library text with a word of its own changed does not match, nor one with two different descriptors', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WITH_SLOT), fc.nat(), (prompt, pick) => {
        const words = fillPrompt(prompt.template, 'woman').split(' ');
        const at = pick % words.length;
        words[at] = words[at] === 'zebra' ? 'giraffe' : 'zebra';
        assert.equal(matcher.match(words.join(' '), 'woman'), undefined, words.join(' '));
      }),
      { numRuns: 200 },
    );
    const twoSubjects = WITH_SLOT.find((prompt) => prompt.template.split(DESCRIPTOR_SLOT).length > 2)!;
    const [first, ...rest] = twoSubjects.template.split(DESCRIPTOR_SLOT);
    assert.equal(matcher.match(`${first}woman${rest.join('man')}`, 'person'), undefined);
  });

  it('normalises whitespace, case and the ends only', () => {
    assert.equal(normalisePromptText('  The  Man\n\tRuns.  '), 'the man runs');
    assert.equal(normalisePromptText('"Keep: the man\'s face!"'), "keep: the man's face");
    assert.equal(normalisePromptText('...'), '');
  });

  it('custom prompt ids: the same for texts that normalise alike, different otherwise, never a library id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.array(whitespaceArb, { minLength: 1 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (text, runs, upper) => {
          const id = customPromptId(text);
          assert.ok(isCustomPromptId(id), id);
          assert.equal(customPromptId(scramble(`${text}.`, runs, upper, ['  ', ' '])), customPromptId(`${text}.`));
        },
      ),
    );
    assert.notEqual(customPromptId('the man runs'), customPromptId('the man walks'));
    assert.ok(LIBRARY.every((prompt) => !isCustomPromptId(prompt.id)));
  });
});

describe('the category a prompt text asks for', () => {
  it('every built-in prompt, filled with any descriptor, gives its own category', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LIBRARY), descriptorArb, (prompt, descriptor) => {
        assert.equal(categoryFromPromptText(fillPrompt(prompt.template, descriptor)), prompt.category, prompt.id);
      }),
      { numRuns: 300 },
    );
  });

  it('black and white first, then a photograph, then the medium of a drawing or painting', () => {
    const cases: Array<[string, string | undefined]> = [
      ['A black and white photograph of the man from the input image on a pier', 'bw_stylized'],
      ['Monochrome street scene with the woman', 'bw_stylized'],
      ['B&W portrait of the person', 'bw_stylized'],
      ['Photo of the woman at a café table, morning light', 'photorealistic'],
      ['Charcoal drawing of the man reading', 'bw_stylized'],
      ['Colourful charcoal and pastel drawing of the man', 'color_stylized'],
      ['Watercolor of the woman in a garden', 'color_stylized'],
      ['Anime key visual of the person on a train', 'color_stylized'],
      ['Cinematic shot of the man in the rain, shallow depth of field, bokeh', 'photorealistic'],
      ['The man standing by a door', undefined],
    ];
    for (const [text, category] of cases) {
      assert.equal(categoryFromPromptText(text), category, text);
    }
  });
});
