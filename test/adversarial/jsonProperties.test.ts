// Property tests of the one reader of data files (items 3-5 of the adversarial review): any key
// given twice is found where it is, any nesting depth is a problem rather than a crash, a byte
// order mark changes nothing, and numbers a double cannot hold survive a rewrite byte for byte.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DATA_FILE_KINDS } from '../../src/core/manifest/dataFileSchemas';
import { formatJson, lineAndColumn, parseJsonText, validateJsonText } from '../../src/core/manifest/jsonFile';
import { MAX_JSON_DEPTH } from '../../src/core/manifest/jsonText';
import { manifestSchema } from '../../src/core/manifest/manifestSchema';
import { updateManifest } from '../../src/core/manifest/manifestStore';
import { makeScratch, Scratch } from './support/scratch';

const schemas = fc.constantFrom(...DATA_FILE_KINDS.map((kind) => kind.schema));
const spaces = fc.constantFrom('', ' ', '\n', '\r\n', '\t  ');

/** A key spelt as JSON.stringify does, or with every UTF-16 unit escaped: the same key to JSON. */
function spell(key: string, escaped: boolean): string {
  return escaped ? `"${[...Array(key.length).keys()].map((at) => `\\u${key.charCodeAt(at).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(key);
}

/** `"lab": literal` on a line of its own at that indentation, as the last member or not. */
function hasMember(text: string, indent: string, literal: string): boolean {
  return text.includes(`\n${indent}"lab": ${literal},\n`) || text.includes(`\n${indent}"lab": ${literal}\n`);
}

/** A JSON number literal: any sign, integer part, fraction and exponent, not only what a double prints. */
const numberLiteral = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.bigInt({ min: 0n, max: 10n ** 30n }),
    fc.option(fc.stringMatching(/^[0-9]{1,25}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,4}$/)), { nil: undefined }),
  )
  .map(([sign, whole, fraction, exponent]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent ? exponent.join('') : ''}`);

describe('adversarial: properties of the JSON reader', function () {
  this.timeout(300_000);

  it('item 3: a key given twice, at any depth and however spelt, is a problem at its second occurrence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('[', '{"w":'), { maxLength: 8 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
        fc.tuple(fc.boolean(), fc.boolean()),
        fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        spaces,
        schemas,
        (wrappers, key, [firstEscaped, secondEscaped], [first, second], others, space, schema) => {
          const members = Object.entries(others)
            .filter(([other]) => other !== key)
            .map(([other, value]) => `${JSON.stringify(other)}:${space}${JSON.stringify(value)}`);
          const head = `${wrappers.join(space)}{${space}${spell(key, firstEscaped)}:${JSON.stringify(first)},${space}${members.map((member) => `${member},${space}`).join('')}`;
          const secondOffset = head.length;
          const closers = [...wrappers].reverse().map((opener) => (opener === '[' ? ']' : '}'));
          const text = `${head}${spell(key, secondEscaped)}:${space}${JSON.stringify(second)}${space}}${closers.join(space)}`;
          const result = validateJsonText(text, schema);
          assert.equal(result.ok, false);
          const found = result.ok ? undefined : result.problems.find((problem) => problem.offset === secondOffset);
          assert.ok(found, `no problem at ${secondOffset} in ${text}: ${JSON.stringify(result)}`);
          assert.match(found.message, /duplicate key \(first on line \d+\)/);
          assert.equal(found.line, lineAndColumn(text, secondOffset).line);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('item 3: JSON without a repeated key reads as JSON.parse reads it and is written back the same', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 2);
        const parsed = parseJsonText(text);
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.deepEqual(parsed.value, JSON.parse(text));
        assert.equal(formatJson(parsed.value), `${text}\n`);
      }),
      { numRuns: 300 },
    );
  });

  it('item 4: any depth past the limit, closed or not, is a located problem, never a thrown error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_JSON_DEPTH + 1, max: 60_000 }),
        fc.array(fc.constantFrom('[', '{"a":', '{"images":', '[{"b":'), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        schemas,
        (depth, pattern, closed, bom, schema) => {
          const openers = Array.from({ length: depth }, (_, at) => pattern[at % pattern.length]);
          const closers = closed ? [...openers].reverse().map((opener) => (opener.startsWith('[{') ? '}]' : opener === '[' ? ']' : '}')) : [];
          const text = `${bom ? '\ufeff' : ''}${openers.join('')}1${closers.join('')}`;
          const result = validateJsonText(text, schema);
          assert.equal(result.ok, false);
          assert.match(result.ok ? '' : result.problems[0].message, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('item 4: nesting up to the limit is read', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_JSON_DEPTH }), (depth) => {
        const parsed = parseJsonText(`${'['.repeat(depth)}${']'.repeat(depth)}`);
        assert.ok(parsed.ok);
      }),
    );
  });

  it('item 5: a byte order mark changes nothing for any data file kind', async () => {
    const samples = (await fs.readdir(path.join(__dirname, '../../../sample/data'), { recursive: true }))
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(__dirname, '../../../sample/data', name));
    const texts = await Promise.all(samples.map((file) => fs.readFile(file, 'utf8')));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...texts),
          fc.jsonValue().map((value) => JSON.stringify(value, null, 2)),
        ),
        schemas,
        (text, schema) => {
          assert.deepEqual(validateJsonText(`\ufeff${text}`, schema), validateJsonText(text, schema));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('item 5: any number literal in a field the schema does not know is written back byte for byte', () => {
    fc.assert(
      fc.property(numberLiteral, numberLiteral, (outer, inner) => {
        const text = `{"lab": ${outer}, "images": [{"filename": "a.jpg", "parameters": {"lab": ${inner}}, "lab": [${inner}]}]}`;
        const result = validateJsonText(text, manifestSchema);
        assert.ok(result.ok, JSON.stringify(result));
        const written = formatJson(manifestSchema.parse(result.value));
        assert.ok(hasMember(written, '  ', outer), written);
        assert.ok(hasMember(written, '        ', inner), written);
        assert.ok(written.includes(`"lab": [\n        ${inner}\n`), written);
      }),
      { numRuns: 500 },
    );
  });

  describe('through the manifest store, on a scratch data folder', () => {
    let scratch: Scratch;
    before(async () => {
      scratch = await makeScratch();
    });
    after(async () => {
      await scratch.cleanup();
    });

    it('item 5: a rewrite keeps unknown numbers as written, and the fields it owns as numbers', async () => {
      const actorId = '0000_european_45_female';
      const file = path.join(scratch.data, 'actors', actorId, 'training_data', 'manifest.json');
      const original = JSON.parse(await fs.readFile(file, 'utf8'));
      await fc.assert(
        fc.asyncProperty(numberLiteral, fc.boolean(), async (literal, bom) => {
          const planted = JSON.stringify(original, null, 2)
            .replace('{\n', `{\n  "lab": ${literal},\n`)
            .replace('"seed": ', `"lab": [${literal}],\n      "seed": `);
          await fs.writeFile(file, `${bom ? '\ufeff' : ''}${planted}`);
          const manifest = await updateManifest(scratch.data, actorId, (current) => {
            current.images[0].rating = { stars: 5 };
          });
          const written = await fs.readFile(file, 'utf8');
          assert.ok(hasMember(written, '  ', literal), written.slice(0, 400));
          assert.ok(written.includes(`"lab": [\n        ${literal}\n      ]`), written.slice(0, 2000));
          assert.equal(typeof manifest.images[0].seed, 'number');
          assert.equal(manifest.images[0].rating?.stars, 5);
        }),
        { numRuns: 40 },
      );
      await scratch.unchanged();
    });
  });
});
