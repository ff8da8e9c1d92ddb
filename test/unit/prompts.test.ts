import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TRAINING_CATEGORIES } from '../../src/core/manifest/categories';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { fillPrompt, loadPromptLibrary, PROMPT_LIBRARY_FILE } from '../../src/core/prompts/library';
import { makeTempDir, SAMPLE_DATA, snapshot } from './helpers/tempData';

const ANGLES = { dutch: /dutch angle/i, low: /low (camera )?angle/i, high: /high (camera )?angle/i, overShoulder: /over-the-shoulder/i };
const PREFIX = { photorealistic: 'photo_', bw_stylized: 'bw_', color_stylized: 'color_' };

/** Every prompt id the sample manifests record, with the category of the image it made. */
async function samplePromptIds(): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const actor of await fs.readdir(path.join(SAMPLE_DATA, 'actors'))) {
    const file = path.join(SAMPLE_DATA, 'actors', actor, 'training_data', 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{"images": []}'));
    for (const image of manifest.images) {
      if (image.prompt_id) {
        ids.set(image.prompt_id, image.category);
      }
    }
  }
  return ids;
}

/** Writes `<dir>/prompts.json` and returns its text, so tests can locate lines in it. */
async function writeLibrary(dir: string, content: unknown): Promise<string> {
  const text = typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
  await fs.writeFile(path.join(dir, PROMPT_LIBRARY_FILE), text);
  return text;
}

/** Zero-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const before = text.slice(0, text.indexOf(needle));
  assert.ok(text.includes(needle), needle);
  return { line: before.split('\n').length - 1, column: before.length - before.lastIndexOf('\n') - 1 };
}

describe('built-in prompts', () => {
  it('has 15 photorealistic, 11 black-and-white and 9 colour prompts with 35 unique ids', () => {
    const perCategory = TRAINING_CATEGORIES.map((category) => BUILTIN_PROMPTS.filter((prompt) => prompt.category === category).length);
    assert.deepEqual(perCategory, [15, 11, 9]);
    assert.equal(new Set(BUILTIN_PROMPTS.map((prompt) => prompt.id)).size, 35);
  });

  it('ids are lower-case snake case with the prefix of their category, in category order', () => {
    for (const prompt of BUILTIN_PROMPTS) {
      assert.match(prompt.id, /^[a-z0-9]+(_[a-z0-9]+)+$/, prompt.id);
      assert.ok(prompt.id.startsWith(PREFIX[prompt.category]), prompt.id);
      assert.ok(prompt.label.trim().length > 0, prompt.id);
    }
    const categoryOrder = BUILTIN_PROMPTS.map((prompt) => TRAINING_CATEGORIES.indexOf(prompt.category));
    assert.deepEqual(
      categoryOrder,
      [...categoryOrder].sort((a, b) => a - b),
    );
  });

  it('every template asks for an angle, off-centre framing, a gaze away, cinematic quality and the identity kept', () => {
    for (const { id, template, category } of BUILTIN_PROMPTS) {
      assert.ok(template.includes('{descriptor}'), id);
      assert.ok(
        Object.values(ANGLES).some((angle) => angle.test(template)),
        `${id}: a dynamic camera angle`,
      );
      assert.match(template, /off-centre/, id);
      assert.match(template, /looking away from the (camera|viewer)/, id);
      assert.match(template, /cinematic/i, id);
      assert.match(template, /identity .*input image|input image.*identity/, id);
      assert.match(template, /face/, id);
      assert.equal(/strictly monochrome/i.test(template), category === 'bw_stylized', `${id}: strictly monochrome exactly when black-and-white`);
      const words = template.split(/\s+/).length;
      assert.ok(words >= 40 && words <= 90, `${id}: ${words} words`);
    }
  });

  it('each category uses all four camera angles, and the photographs vary their lenses', () => {
    for (const category of TRAINING_CATEGORIES) {
      const templates = BUILTIN_PROMPTS.filter((prompt) => prompt.category === category).map((prompt) => prompt.template);
      for (const [name, angle] of Object.entries(ANGLES)) {
        assert.ok(
          templates.some((template) => angle.test(template)),
          `${category}: ${name}`,
        );
      }
    }
    const lenses = BUILTIN_PROMPTS.filter((prompt) => prompt.category === 'photorealistic').map((prompt) => /(\d+)mm/.exec(prompt.template)?.[1]);
    assert.ok(!lenses.includes(undefined), 'every photograph names a lens');
    assert.ok(new Set(lenses).size >= 5, `lenses: ${lenses.join(', ')}`);
  });

  it('every id names what its prompt shows (each word of the id appears in the label or template)', () => {
    for (const { id, label, template } of BUILTIN_PROMPTS) {
      const text = `${label} ${template}`.toLowerCase();
      // Stems, so "harbor" finds "harbour" and "animation" finds "animated".
      const stems = id
        .split('_')
        .slice(1)
        .filter((word) => word !== 'and')
        .map((word) => word.slice(0, 5));
      for (const stem of stems) {
        assert.ok(text.includes(stem), `${id}: "${stem}"`);
      }
    }
  });

  it('contains every prompt id the sample manifests use, in the category of the image it made', async () => {
    const used = await samplePromptIds();
    assert.ok(used.size > 0);
    for (const [id, category] of used) {
      assert.equal(BUILTIN_PROMPTS.find((prompt) => prompt.id === id)?.category, category, id);
    }
  });
});

describe('fillPrompt', () => {
  it('replaces every {descriptor} slot and leaves no braces in any built-in', () => {
    assert.equal(fillPrompt('the {descriptor} and the {descriptor}', 'woman'), 'the woman and the woman');
    for (const prompt of BUILTIN_PROMPTS) {
      const filled = fillPrompt(prompt.template, 'person');
      assert.doesNotMatch(filled, /[{}]/, prompt.id);
      assert.ok(filled.includes('the person from the input image'), prompt.id);
    }
  });

  it('is plain text substitution: replacement patterns in the descriptor stay literal', () => {
    assert.equal(fillPrompt('a {descriptor}.', "$& $1 $$ $'"), "a $& $1 $$ $'.");
    assert.equal(fillPrompt('no slot here', 'man'), 'no slot here');
  });
});

describe('prompt library (built-ins and data/prompts.json)', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => (temp = await makeTempDir()));
  afterEach(() => temp.cleanup());

  it('without prompts.json: the built-ins in their order, no problems', async () => {
    const library = await loadPromptLibrary(temp.dir);
    assert.deepEqual(library.problems, []);
    assert.deepEqual(
      library.prompts.map(({ id, label, category, template }) => ({ id, label, category, template })),
      BUILTIN_PROMPTS.map(({ id, label, category, template }) => ({ id, label, category, template })),
    );
    assert.ok(library.prompts.every((prompt) => prompt.source === 'builtin'));
    assert.equal(library.file, path.join(temp.dir, PROMPT_LIBRARY_FILE));
  });

  it('adds new prompts after the built-ins of their category, overrides given fields, disables', async () => {
    const linocut = BUILTIN_PROMPTS.find((prompt) => prompt.id === 'bw_linocut')!;
    await writeLibrary(temp.dir, {
      prompts: [
        { id: 'color_stained_glass', label: 'Stained Glass', category: 'color_stylized', template: 'Stained glass {descriptor}.' },
        { id: 'photo_train_window', label: 'Train Window', category: 'photorealistic', template: 'The {descriptor} on a train.' },
        { id: 'bw_linocut', label: 'Linocut (bold)' },
        { id: 'photo_desert_highway', category: 'color_stylized' },
        { id: 'photo_rain_street_run', disabled: true },
        { id: 'color_mosaic', label: 'Mosaic', category: 'color_stylized', template: 'A mosaic {descriptor}.', extra: 'kept' },
      ],
    });
    const library = await loadPromptLibrary(temp.dir);
    assert.deepEqual(library.problems, []);
    const ids = library.prompts.map((prompt) => prompt.id);
    const builtinIds = (category: string) =>
      BUILTIN_PROMPTS.filter((prompt) => prompt.category === category && !['photo_rain_street_run', 'photo_desert_highway'].includes(prompt.id)).map(
        (prompt) => prompt.id,
      );
    // Built-ins keep their relative order; a moved built-in sits with the built-ins of its new category.
    const colourBuiltins = BUILTIN_PROMPTS.filter((prompt) => prompt.category === 'color_stylized' || prompt.id === 'photo_desert_highway');
    assert.deepEqual(ids, [
      ...builtinIds('photorealistic'),
      'photo_train_window',
      ...builtinIds('bw_stylized'),
      ...colourBuiltins.map((prompt) => prompt.id),
      'color_stained_glass',
      'color_mosaic',
    ]);
    const overridden = library.prompts.find((prompt) => prompt.id === 'bw_linocut')!;
    assert.deepEqual(overridden, { ...linocut, label: 'Linocut (bold)', source: 'builtin' });
    assert.equal(BUILTIN_PROMPTS.find((prompt) => prompt.id === 'bw_linocut')!.label, linocut.label, 'the built-in itself is unchanged');
    assert.deepEqual(
      library.prompts.find((prompt) => prompt.id === 'color_mosaic'),
      {
        id: 'color_mosaic',
        label: 'Mosaic',
        category: 'color_stylized',
        template: 'A mosaic {descriptor}.',
        source: 'user',
      },
    );
  });

  it('keeps HTML and script in a user template as plain text', async () => {
    const template = '<script>alert("{descriptor}")</script><img src=x onerror="boom()"> &amp; the {descriptor} ${process.exit(1)}';
    await writeLibrary(temp.dir, { prompts: [{ id: 'color_html', label: '<b>bold</b>', category: 'color_stylized', template }] });
    const prompt = (await loadPromptLibrary(temp.dir)).prompts.find((each) => each.id === 'color_html')!;
    assert.equal(prompt.template, template);
    assert.equal(prompt.label, '<b>bold</b>');
    assert.equal(fillPrompt(prompt.template, 'man'), template.split('{descriptor}').join('man'));
  });

  it('a template without {descriptor} is kept, with a warning at the template', async () => {
    const text = await writeLibrary(temp.dir, {
      prompts: [{ id: 'photo_plain', label: 'Plain', category: 'photorealistic', template: 'A person on a bench.' }],
    });
    const library = await loadPromptLibrary(temp.dir);
    assert.ok(library.prompts.some((prompt) => prompt.id === 'photo_plain'));
    assert.equal(library.problems.length, 1);
    const [problem] = library.problems;
    assert.equal(problem.severity, 'warning');
    assert.match(problem.message, /prompts\[0\]\.template: has no \{descriptor\} slot/);
    assert.deepEqual({ line: problem.line, column: problem.column }, positionOf(text, '"A person on a bench."'));
  });

  it('a repeated id is reported and the first entry is used', async () => {
    const text = await writeLibrary(temp.dir, '{"prompts": [\n  {"id": "bw_manga", "label": "First"},\n  {"id": "bw_manga", "label": "Second"}\n]}\n');
    const library = await loadPromptLibrary(temp.dir);
    assert.equal(library.prompts.find((prompt) => prompt.id === 'bw_manga')!.label, 'First');
    assert.equal(library.problems.length, 1);
    assert.match(library.problems[0].message, /prompts\[1\]\.id: "bw_manga" is listed more than once/);
    assert.equal(library.problems[0].line, positionOf(text, '"Second"').line);
  });

  describe('an invalid prompts.json: located problems, the built-ins still work, nothing written', () => {
    /** `followOn`: the parser may add further errors after the first one at the same spot. */
    async function expectProblems(content: string, expectations: Array<{ message: RegExp; at: string }>, followOn = false): Promise<void> {
      const text = await writeLibrary(temp.dir, content);
      const before = await snapshot(temp.dir);
      const library = await loadPromptLibrary(temp.dir);
      assert.deepEqual(await snapshot(temp.dir), before);
      const count = library.problems.length;
      assert.ok(followOn ? count >= expectations.length : count === expectations.length, JSON.stringify(library.problems));
      expectations.forEach((expected, position) => {
        const problem = library.problems[position];
        assert.equal(problem.file, path.join(temp.dir, PROMPT_LIBRARY_FILE));
        assert.equal(problem.severity, 'error');
        assert.match(problem.message, expected.message);
        assert.deepEqual({ line: problem.line, column: problem.column }, positionOf(text, expected.at));
      });
      const builtinIds = BUILTIN_PROMPTS.map((prompt) => prompt.id);
      assert.deepEqual(
        library.prompts.filter((prompt) => prompt.source === 'builtin').map((prompt) => prompt.id),
        builtinIds,
      );
    }

    it('a syntax error', () =>
      expectProblems('{\n  "prompts": [\n    {"id": "bw_manga", "label": "Manga",}\n  ]\n}\n', [{ message: /invalid JSON/, at: '}\n  ]' }], true));

    it('a value of the wrong type', () =>
      expectProblems('{\n  "prompts": [\n    {"id": "bw_manga", "category": "sepia"}\n  ]\n}\n', [{ message: /prompts\[0\]\.category: /, at: '"sepia"' }]));

    it('a new id without its template (the valid entries still apply)', async () => {
      await expectProblems(
        '{\n  "prompts": [\n    {"id": "bw_manga", "label": "Manga!"},\n    {"id": "photo_new", "label": "New", "category": "photorealistic"}\n  ]\n}\n',
        [{ message: /prompts\[1\]\.id: "photo_new" is not a built-in prompt.*missing: template/, at: '"photo_new"' }],
      );
      const library = await loadPromptLibrary(temp.dir);
      assert.equal(library.prompts.find((prompt) => prompt.id === 'bw_manga')!.label, 'Manga!');
      assert.ok(!library.prompts.some((prompt) => prompt.id === 'photo_new'));
    });

    it('an empty template', () =>
      expectProblems('{"prompts": [{"id": "bw_manga", "template": " "}]}', [{ message: /prompts\[0\]\.template: must not be empty/, at: '" "' }]));
  });

  it('never follows a prompts.json link that leads out of the data folder', async () => {
    const outside = await makeTempDir();
    try {
      await writeLibrary(outside.dir, { prompts: [{ id: 'photo_secret', label: 'S', category: 'photorealistic', template: '{descriptor}' }] });
      await fs.symlink(path.join(outside.dir, PROMPT_LIBRARY_FILE), path.join(temp.dir, PROMPT_LIBRARY_FILE));
      const library = await loadPromptLibrary(temp.dir);
      assert.ok(!library.prompts.some((prompt) => prompt.id === 'photo_secret'));
      assert.equal(library.prompts.length, BUILTIN_PROMPTS.length);
      assert.match(library.problems[0].message, /links outside the data folder/);
    } finally {
      await outside.cleanup();
    }
  });
});
