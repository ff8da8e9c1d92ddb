import * as assert from 'node:assert/strict';
import Ajv from 'ajv';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DATA_FILE_KINDS, jsonSchemaFor } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { manifestSchema } from '../../src/core/manifest/manifestSchema';
import { isoTime } from '../../src/core/util/time';
import { actorPaths } from '../../src/core/workspace/layout';
import { cli } from './helpers/cli';
import { copySampleData } from './helpers/tempData';

const CARL = '0001_european_35_male';

/**
 * What `datetime.fromisoformat` reads before Python 3.11: YYYY-MM-DDTHH:MM:SS, optional 3 or 6
 * fraction digits, optional ±HH:MM offset; no `Z`.
 */
const PYTHON_310_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?([+-]\d{2}:\d{2})?$/;

describe('timestamps readable by the old Python tool', () => {
  it('isoTime writes UTC with +00:00, the same instant, in a form Python before 3.11 reads (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const text = isoTime(date);
        assert.match(text, PYTHON_310_ISO);
        assert.ok(text.endsWith('+00:00'));
        assert.equal(Date.parse(text), date.getTime());
      }),
    );
    assert.equal(isoTime(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678+00:00');
  });

  describe('on a copy of the sample', () => {
    let sample: Awaited<ReturnType<typeof copySampleData>>;
    beforeEach(async () => {
      sample = await copySampleData();
    });
    afterEach(() => sample.cleanup());

    it('generate and rate write every time with +00:00 (manifest, prompt_metadata.json, generation log)', async () => {
      const generated = await cli(['generate', '--data', sample.dataRoot, '--actor-id', CARL, '--prompt', 'bw_woodcut', '--json']);
      assert.equal(generated.code, 0, generated.stderr);
      const { filename } = JSON.parse(generated.stdout);
      const rated = await cli(['rate', '--data', sample.dataRoot, '--actor-id', CARL, '--image', filename, '--stars', '4']);
      assert.equal(rated.code, 0, rated.stderr);

      const paths = actorPaths(sample.dataRoot, CARL);
      const manifest = JSON.parse(await fs.readFile(paths.manifest, 'utf8'));
      const entry = manifest.images.find((image: { filename: string }) => image.filename === filename);
      const generation = manifest.generations.find((each: { images: string[] }) => each.images.includes(filename));
      const metadata = JSON.parse(await fs.readFile(paths.promptMetadata, 'utf8')).images[filename];
      const log = JSON.parse(await fs.readFile(path.join(sample.dataRoot, 'tracking', 'generation_log.json'), 'utf8'));
      const times = {
        created_at: entry.created_at,
        rated_at: entry.rating.rated_at,
        generation: generation.created_at,
        generated_at: metadata.generated_at,
        ...Object.fromEntries(
          Object.entries(log)
            .filter(([, value]) => Array.isArray(value))
            .flatMap(([kind, entries]) =>
              (entries as { timestamp?: string }[]).filter((each) => each.timestamp).map((each, n) => [`${kind}[${n}]`, each.timestamp]),
            ),
        ),
      };
      assert.ok(Object.keys(times).length >= 6, JSON.stringify(times));
      for (const [field, value] of Object.entries(times)) {
        assert.match(String(value), PYTHON_310_ISO, field);
        assert.ok(String(value).endsWith('+00:00'), `${field}: ${value}`);
      }
    });
  });

  it('readers accept both forms: the manifest schema and every data file’s JSON Schema', () => {
    for (const time of ['2025-06-01T10:00:00.000Z', '2025-06-01T10:00:00.000+00:00', '2025-06-01T10:00:00']) {
      const text = JSON.stringify({
        base_images: [{ filename: 'b.png', added_at: time }],
        images: [{ filename: 'a.jpg', created_at: time, rating: { stars: 3, rated_at: time } }],
      });
      assert.ok(validateJsonText(text, manifestSchema).ok, time);
    }
    const ajv = new Ajv({ strict: false });
    let checked = 0;
    for (const kind of DATA_FILE_KINDS) {
      // Every timestamp field of the JSON Schemas shipped in dist/schemas takes both forms.
      for (const schema of timestampSchemas(jsonSchemaFor(kind))) {
        const validate = ajv.compile(schema);
        assert.ok(validate('2025-06-01T10:00:00.000Z') && validate('2025-06-01T10:00:00.000+00:00'), `${kind.id}: ${JSON.stringify(schema)}`);
        checked++;
      }
    }
    assert.ok(checked > 20, `timestamp fields checked: ${checked}`);
  });
});

/** The sub-schemas of a JSON Schema that describe a timestamp (isoTimestamp's description). */
function timestampSchemas(node: unknown): object[] {
  if (Array.isArray(node)) return node.flatMap(timestampSchemas);
  if (typeof node !== 'object' || node === null) return [];
  const own = (node as { description?: unknown }).description === 'ISO 8601 timestamp' ? [node] : [];
  return [...own, ...Object.values(node).flatMap(timestampSchemas)];
}
