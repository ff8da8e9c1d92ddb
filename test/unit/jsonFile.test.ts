import * as assert from 'node:assert/strict';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { manifestSchema } from '../../src/core/manifest/manifestSchema';

function problemsOf(text: string) {
  const result = validateJsonText(text, manifestSchema);
  assert.equal(result.ok, false, 'expected the text to be rejected');
  return result.ok ? [] : result.problems;
}

describe('JSON validation with locations', () => {
  it('locates a syntax error', () => {
    const [problem] = problemsOf('{\n  "images": [\n    { "filename": "a.jpg", }\n  ]\n}\n');
    assert.match(problem.message, /invalid JSON: (value|property name) expected/);
    assert.equal(problem.line, 2);
  });

  it('reports an empty file', () => {
    const [problem] = problemsOf('');
    assert.match(problem.message, /invalid JSON/);
    assert.equal(problem.line, 0);
  });

  it('rejects comments: manifests are strict JSON for every reader', () => {
    const [problem] = problemsOf('{\n  // note\n  "images": []\n}');
    assert.match(problem.message, /invalid JSON/);
    assert.equal(problem.line, 1);
  });

  it('points a wrong type at the value, with its path', () => {
    const text = '{\n  "images": [\n    { "filename": "a.jpg", "index": "three" }\n  ]\n}\n';
    const [problem] = problemsOf(text);
    assert.equal(problem.path, 'images[0].index');
    assert.match(problem.message, /^images\[0\]\.index: .*expected number/);
    assert.equal(problem.line, 2);
    assert.equal(problem.column, text.split('\n')[2].indexOf('"three"'));
    assert.equal(problem.length, '"three"'.length);
  });

  it('points a missing key at the object that lacks it', () => {
    const text = '{\n  "images": [\n    { "index": 3 }\n  ]\n}\n';
    const [problem] = problemsOf(text);
    assert.equal(problem.path, 'images[0].filename');
    assert.equal(problem.line, 2);
    assert.equal(problem.column, 4);
  });

  it('refuses file names that are paths', () => {
    for (const name of ['../../outside.jpg', '/etc/passwd', 'sub/dir.jpg', 'C:\\\\x.jpg', '..']) {
      const [problem] = problemsOf(JSON.stringify({ images: [{ filename: name }] }, null, 2));
      assert.match(problem.message, /images\[0\]\.filename: must be a plain file name/, name);
    }
  });

  it('accepts a valid manifest and keeps unknown fields', () => {
    const result = validateJsonText('{"images":[{"filename":"a_1.jpg","mine":{"x":1}}],"extra":true}', manifestSchema);
    assert.ok(result.ok);
    assert.equal((result.value as Record<string, unknown>).extra, true);
    assert.deepEqual((result.value.images[0] as Record<string, unknown>).mine, { x: 1 });
    assert.equal(result.value.images[0].category, 'unknown');
  });
});

describe('the compiled fast validator agrees with zod', () => {
  const cases: unknown[] = [
    {},
    { images: [] },
    { schema_version: 2 },
    { schema_version: 1, extra: { deep: [1] } },
    { images: [{ filename: 'a.jpg', index: -1 }] },
    { images: [{ filename: 'a.jpg', index: 1.5 }] },
    { images: [{ filename: 'a.jpg', category: 'sepia' }] },
    { images: [{ filename: 'a.jpg', rating: { stars: 0 } }] },
    { images: [{ filename: 'a.jpg', rating: { stars: 6 } }] },
    { images: [{ filename: 'a.jpg', rating: { stars: 5, feedback: 'ok' } }] },
    { images: [{ filename: 'a.jpg', rating: null, evaluation: null, prompt: null, seed: null }] },
    { images: [{ filename: 'a.jpg', sha256: 'ABC' }] },
    { images: [{ filename: 'a.jpg', sha256: 'a'.repeat(64) }] },
    { images: [{ filename: 'a.jpg', s3_url: { Location: 'https://x' } }] },
    { images: [{ filename: 'a.jpg', parameters: { aspect_ratio: '16:9', nested: { x: 1 } } }] },
    { images: [{ filename: 'a.jpg', parameters: [] }] },
    { images: [{ filename: 'a.jpg', source: 'stolen' }] },
    { images: [{ filename: '../x.jpg' }] },
    { images: [{ filename: '' }] },
    { images: 'none' },
    { actor: { age: 200 } },
    { actor: { age: 30, sex: 'female', whatever: true } },
    { base_images: [{ filename: 'b.png', width: 0 }] },
    { generations: [{ id: 'g', images: ['a.jpg'] }] },
    { generations: [{ images: [] }] },
    [],
    'text',
    null,
  ];
  it('accepts and rejects exactly what the zod schema does', () => {
    for (const value of cases) {
      const text = JSON.stringify(value);
      const expected = manifestSchema.safeParse(JSON.parse(text)).success;
      assert.equal(validateJsonText(text, manifestSchema).ok, expected, text);
    }
  });

  it('fills the same defaults as zod', () => {
    const text = '{"images":[{"filename":"a.jpg"}]}';
    const fast = validateJsonText(text, manifestSchema);
    assert.ok(fast.ok);
    assert.deepEqual(JSON.parse(JSON.stringify(fast.value)), JSON.parse(JSON.stringify(manifestSchema.parse(JSON.parse(text)))));
  });
});
