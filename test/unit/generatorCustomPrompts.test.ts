import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MAX_PROMPT_TEXT_LENGTH } from '../../src/core/prompts/types';
import { checkGenerateMessage } from '../../src/webviews/generator/generateRequest';
import { choosePrompt, customOptionLabel, FREE_TEXT_CHOICE, toCustomPromptChoice, toPromptChoice } from '../../src/webviews/generator/prompts';
import { REPO_ROOT } from './helpers/tempData';

const CARL = '0001_european_35_male';

describe('Generator panel: custom prompts and free text', () => {
  it('a custom prompt becomes a choice with its badge and the category its words ask for', () => {
    const text = 'Black-and-white ink drawing of the man from the input image on a ferry.';
    assert.deepEqual(toCustomPromptChoice({ id: 'custom:0123456789ab', text, count: 2 }), {
      id: 'custom:0123456789ab',
      text,
      usedByActor: 2,
      badge: '[2x used]',
      category: 'bw_stylized',
    });
    assert.equal(toCustomPromptChoice({ id: 'custom:0123456789ab', text: 'The man by a door.', count: 1 }).category, undefined);
    assert.equal(customOptionLabel({ text: 'Short text.', badge: '[1x used]' }), 'Short text. [1x used]');
    assert.equal(customOptionLabel({ text: 'x'.repeat(100), badge: '[3x used]' }), `${'x'.repeat(59)}… [3x used]`);
  });

  it('keeps a chosen custom prompt or the free text while they exist, else falls back to the library', () => {
    const prompts = [toPromptChoice({ id: 'p1', label: 'P1', category: 'photorealistic', text: 't' }, 1, 1)];
    const custom = [{ id: 'custom:aaaaaaaaaaaa' }];
    assert.equal(choosePrompt(prompts, 'custom:aaaaaaaaaaaa', undefined, custom), 'custom:aaaaaaaaaaaa');
    assert.equal(choosePrompt(prompts, FREE_TEXT_CHOICE, undefined, custom), FREE_TEXT_CHOICE);
    assert.equal(choosePrompt(prompts, 'custom:gone00000000', 'custom:aaaaaaaaaaaa', custom), 'custom:aaaaaaaaaaaa', 'remembered across a reload');
    assert.equal(choosePrompt(prompts, 'custom:aaaaaaaaaaaa', undefined, []), 'p1', 'another actor without it: the library');
  });

  describe('the page’s generate message is checked before anything runs', () => {
    it('accepts a library prompt, or a text with an optional category and base image', () => {
      assert.deepEqual(checkGenerateMessage({ actorId: CARL, promptId: 'bw_woodcut' }), { actorId: CARL, promptId: 'bw_woodcut', promptLabel: 'bw_woodcut' });
      assert.deepEqual(checkGenerateMessage({ actorId: CARL, promptText: 'Photo of the man', category: 'photorealistic', baseImage: 'older.png' }), {
        actorId: CARL,
        promptText: 'Photo of the man',
        category: 'photorealistic',
        baseImage: 'older.png',
        promptLabel: 'custom prompt',
      });
      assert.deepEqual(checkGenerateMessage({ actorId: CARL, promptId: 'bw_woodcut', baseImage: 'older.png' }), {
        actorId: CARL,
        promptId: 'bw_woodcut',
        baseImage: 'older.png',
        promptLabel: 'bw_woodcut',
      });
    });

    it('refuses what it cannot take, saying why', () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ actorId: CARL }, /choose an actor and a prompt first/],
        [{ actorId: '../x', promptId: 'bw_woodcut' }, /choose an actor and a prompt first/],
        [{ actorId: CARL, promptText: '   ' }, /choose an actor and a prompt first/],
        [{ actorId: CARL, promptText: 42 }, /choose an actor and a prompt first/],
        [{ actorId: CARL, promptId: 'bw_woodcut', promptText: 'Photo of the man' }, /not both/],
        [{ actorId: CARL, promptId: 'bw_woodcut', category: 'bw_stylized' }, /a library prompt has its own category/],
        [{ actorId: CARL, promptText: 'Photo of the man', category: 'sepia' }, /unknown category "sepia"/],
        [{ actorId: CARL, promptText: 'Photo of the man', baseImage: '../training_data/manifest.json' }, /base_image folder/],
        [{ actorId: CARL, promptText: 'x'.repeat(MAX_PROMPT_TEXT_LENGTH + 1) }, new RegExp(`at most ${MAX_PROMPT_TEXT_LENGTH}`)],
      ];
      for (const [message, why] of cases) {
        const checked = checkGenerateMessage(message);
        assert.ok('refused' in checked, JSON.stringify(message).slice(0, 80));
        assert.match(checked.refused, why);
      }
    });
  });

  it('what the page bundles for it imports neither vscode nor Node', async () => {
    const files = [
      'src/webviews/generator/generateRequest.ts',
      'src/webviews/generator/ui/ownPrompt.ts',
      'src/core/prompts/promptCategory.ts',
      'src/core/prompts/types.ts',
      'src/core/util/text.ts',
    ];
    for (const file of files) {
      const text = await fs.readFile(path.join(REPO_ROOT, file), 'utf8');
      assert.doesNotMatch(text, /from\s+['"](vscode|node:[a-z/]+|fs|path|crypto)['"]/, file);
    }
  });
});
