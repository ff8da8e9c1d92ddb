import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { fillPrompt } from '../../src/core/prompts/library';
import { customPromptId } from '../../src/core/prompts/promptText';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData, REPO_ROOT, SAMPLE_DATA, snapshot } from './helpers/tempData';

const CARL = '0001_european_35_male';
/** The sample's legacy actor: no manifest, one prompt_metadata.json entry in the old tool's wording. */
const LEGACY = '0002_mixed_30_nonbinary';

async function cli(args: string[], cwd = REPO_ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd, isTTY: false, env: {} });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

interface JsonCustomPrompt {
  id: string;
  text: string;
  used: number;
  actors: number;
  badge: string;
  category: string | null;
}

const customOf = async (dataRoot: string, actorId?: string): Promise<JsonCustomPrompt[]> =>
  JSON.parse((await cli(['prompts', '--data', dataRoot, ...(actorId ? ['--actor-id', actorId] : []), '--json'])).stdout).custom_prompts;

describe('CLI: custom prompts in `prompts`', () => {
  it('the legacy actor’s old text that matches no library prompt is its custom prompt, with its count and category', async () => {
    const metadata = JSON.parse(await fs.readFile(path.join(SAMPLE_DATA, 'actors', LEGACY, 'training_data', 'prompt_metadata.json'), 'utf8'));
    const [oldText] = Object.values<{ prompt: string }>(metadata.images).map((record) => record.prompt);
    assert.deepEqual(await customOf(SAMPLE_DATA, LEGACY), [
      { id: customPromptId(oldText), text: oldText, used: 1, actors: 1, badge: '[1x used]', category: 'photorealistic' },
    ]);
    const { code, stdout } = await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', LEGACY]);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^Custom prompts of ${LEGACY} \\(texts that match no library prompt; generate one with --prompt-text\\):$`, 'm'));
    assert.match(stdout, /^USED\s+TEXT$/m);
    assert.match(stdout, new RegExp(`^1\\s+${oldText.slice(0, 60).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*…$`, 'm'));
    // An actor whose every image has a library prompt has none, and no section.
    assert.deepEqual(await customOf(SAMPLE_DATA, CARL), []);
    assert.doesNotMatch((await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', CARL])).stdout, /Custom prompts/);
  });

  describe('in a copy of the sample', () => {
    let sample: Awaited<ReturnType<typeof copySampleData>>;
    beforeEach(async () => (sample = await copySampleData()));
    afterEach(() => sample.cleanup());

    it('old texts saying "woman" where the actor’s descriptor is "person" count for their library prompt', async () => {
      const file = actorPaths(sample.dataRoot, LEGACY).promptMetadata;
      const metadata = JSON.parse(await fs.readFile(file, 'utf8'));
      const manga = BUILTIN_PROMPTS.find((prompt) => prompt.id === 'bw_manga')!;
      metadata.images[`${LEGACY}_1.jpg`] = { prompt: `${fillPrompt(manga.template, 'woman')}\n`, index: 1 };
      metadata.images[`${LEGACY}_2.jpg`] = { prompt: fillPrompt(manga.template, 'Woman').replace(/\.$/, ''), index: 2 };
      await fs.writeFile(file, JSON.stringify(metadata));
      const json = JSON.parse((await cli(['prompts', '--data', sample.dataRoot, '--actor-id', LEGACY, '--json'])).stdout);
      assert.equal(json.descriptor, 'person');
      const row = json.prompts.find((prompt: { id: string }) => prompt.id === 'bw_manga');
      assert.deepEqual([row.used, row.badge], [2, '[2x used]']);
      assert.equal(json.custom_prompts.length, 1, 'the old rooftop wording stays custom');
    });

    it('generate --prompt-text: recorded with no library id, the category from the words; its usage counted by text', async () => {
      const text = 'Watercolour painting of the man from the input image feeding ducks by a pond.';
      const first = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt-text', text, '--json']);
      assert.equal(first.code, 0, first.stderr);
      const result = JSON.parse(first.stdout);
      assert.deepEqual(
        [result.prompt_id, result.prompt, result.category, result.base_image, result.model],
        [null, text, 'color_stylized', null, 'local/augment'],
      );
      const entry = (await loadManifest(actorPaths(sample.dataRoot, CARL).manifest)).images.find((image) => image.filename === result.filename)!;
      assert.deepEqual([entry.prompt_id, entry.prompt, entry.category], [null, text, 'color_stylized']);
      const log = await readGenerationLog(sample.dataRoot);
      assert.deepEqual([log.successes[0].prompt_id, log.successes[0].prompt, log.successes[0].save_method], [null, text, 'manual']);
      assert.deepEqual(await customOf(sample.dataRoot, CARL), [
        { id: customPromptId(text), text, used: 1, actors: 1, badge: '[1x used]', category: 'color_stylized' },
      ]);

      // The same text written differently is the same custom prompt; the human line says what was saved.
      const again = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt-text', `  ${text.toUpperCase()}  `]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`^saved ${CARL}_\\d+\\.jpg \\(custom prompt, color_stylized, local/augment\\)$`, 'm'));
      const [custom] = await customOf(sample.dataRoot, CARL);
      assert.deepEqual([custom.id, custom.used], [customPromptId(text), 2]);
      // Across all actors: the ACTORS column.
      const overall = await cli(['prompts', '--data', sample.dataRoot]);
      assert.match(overall.stdout, /^Custom prompts across all actors .*$/m);
      assert.match(overall.stdout, /^USED\s+ACTORS\s+TEXT$/m);
      assert.match(overall.stdout, /^2\s+1\s+Watercolour painting of the man/m);
    });

    it('--category is taken as given; without one, a text that names no category is refused before anything runs', async () => {
      const text = 'The man from the input image leaning on a red door.';
      const before = await snapshot(sample.dir);
      const refused = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt-text', text]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /does not say which category it is .*--category photorealistic\|bw_stylized\|color_stylized/);
      assert.deepEqual(await snapshot(sample.dir), before);
      const chosen = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt-text', text, '--category', 'photorealistic', '--json']);
      assert.equal(chosen.code, 0, chosen.stderr);
      assert.equal(JSON.parse(chosen.stdout).category, 'photorealistic');
    });

    it('--base-image picks another image of base_image/; the entry names it', async () => {
      const baseDir = actorPaths(sample.dataRoot, CARL).baseImageDir;
      await fs.copyFile(path.join(baseDir, `${CARL}_base.png`), path.join(baseDir, 'older.png'));
      const { code, stdout, stderr } = await cli([
        'generate',
        '--data',
        sample.dataRoot,
        '--actor-id',
        CARL,
        '--prompt',
        'bw_woodcut',
        '--base-image',
        'older.png',
        '--json',
      ]);
      assert.equal(code, 0, stderr);
      assert.equal(JSON.parse(stdout).base_image, 'older.png');
    });

    it('bad flags exit 2 with one line naming the flag, and write nothing', async () => {
      const before = await snapshot(sample.dir);
      const cases: Array<[string[], RegExp]> = [
        [['--prompt', 'bw_woodcut', '--prompt-text', 'Photo of the man'], /one of --prompt or --prompt-text are required/],
        [['--prompt', 'bw_woodcut', '--category', 'bw_stylized'], /--category goes with --prompt-text/],
        [
          ['--prompt-text', 'Photo of the man', '--category', 'sepia'],
          /^actor-studio: --category must be one of photorealistic, bw_stylized, color_stylized, not "sepia"$/m,
        ],
        [['--prompt-text', '   '], /the prompt text is empty/],
        [['--prompt-text', 'Photo of the man', '--base-image', 'missing.png'], /has no base image "missing\.png" in base_image\//],
      ];
      for (const [flags, message] of cases) {
        const result = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, ...flags]);
        assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message, flags.join(' '));
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      }
      assert.deepEqual(await snapshot(sample.dir), before);
    });
  });
});
