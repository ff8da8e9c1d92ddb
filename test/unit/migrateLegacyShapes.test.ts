import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { manifestSchema } from '../../src/core/manifest/manifestSchema';
import { LEGACY_MANIFEST_COPY, migrateActors } from '../../src/core/migrate';
import { actorPaths } from '../../src/core/workspace/layout';
import { cli } from './helpers/cli';
import { copySampleData, snapshot } from './helpers/tempData';

/** The sample's old-format actor (no manifest); each test gives it an old manifest of its own. */
const LEGACY = '0002_mixed_30_nonbinary';
const image = (n: number) => `${LEGACY}_${n}.jpg`;

describe('migrate: old shapes of the fields this project owns', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const manifestFile = () => actorPaths(sample.dataRoot, LEGACY).manifest;
  const writeOldManifest = (value: object) => fs.writeFile(manifestFile(), `${JSON.stringify(value, null, 2)}\n`);
  const readMigrated = async () => {
    const result = validateJsonText(await fs.readFile(manifestFile(), 'utf8'), manifestSchema);
    assert.ok(result.ok, `the migrated manifest is valid: ${JSON.stringify(!result.ok && result.problems)}`);
    return result.value as ReturnType<typeof manifestSchema.parse> & { legacy?: Record<string, unknown> };
  };
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('carries the old top-level sex and type into the actor metadata (they stay at the top too), so the descriptor follows', async () => {
    await writeOldManifest({ sex: 'female', type: 'human', images: [] });
    const before = await new ActorIndex(sample.dataRoot).index();
    assert.equal(before.actors.find((actor) => actor.id === LEGACY)!.info.descriptor, 'woman', 'read before migrating too');

    const [report] = (await migrateActors({ dataRoot: sample.dataRoot, actorIds: [LEGACY] })).actors;
    assert.ok(
      report.imported.includes('actor: sex "female" from the old top-level "sex"; type "human" from the old top-level "type"'),
      report.imported.join('\n'),
    );
    const manifest = await readMigrated();
    assert.deepEqual([manifest.actor.sex, manifest.actor.type], ['female', 'human']);
    assert.deepEqual([(manifest as Record<string, unknown>).sex, (manifest as Record<string, unknown>).type], ['female', 'human']);
    const after = (await new ActorIndex(sample.dataRoot).index()).actors.find((actor) => actor.id === LEGACY)!;
    assert.deepEqual([after.info.sex, after.info.type, after.info.descriptor], ['female', 'human', 'woman']);
  });

  it('moves old values that do not fit to legacy.<field>, imports the rest, keeps the original, and reports each', async () => {
    const old = {
      actor: { id: LEGACY, age: 'thirty', display_name: 'Grace' },
      images: [
        { filename: image(0), prompt: 'An old prompt.', category: 'photorealistic', rating: { stars: 5 } },
        { filename: `nested/${image(1)}`, prompt: 'A path, not a file name.' },
      ],
      generations: [
        { images: [image(0)], created: '2025-01-01' },
        { id: 'kept', images: [image(0)] },
      ],
      highest_index: 'two',
      schema_version: '0.9',
    };
    await writeOldManifest(old);
    const original = await fs.readFile(manifestFile());

    const [report] = (await migrateActors({ dataRoot: sample.dataRoot, actorIds: [LEGACY] })).actors;
    assert.equal(report.changed, true);
    const manifest = await readMigrated();
    assert.deepEqual(manifest.legacy, {
      actor: { age: 'thirty' },
      images: [{ ...old.images[1], category: 'unknown' }], // as the repairs left it; the original is in the copy
      generations: [old.generations[0]],
      highest_index: 'two',
      schema_version: '0.9',
    });
    assert.deepEqual([manifest.actor.id, manifest.actor.display_name, manifest.actor.age], [LEGACY, 'Grace', undefined]);
    assert.deepEqual(
      manifest.generations.map((generation) => generation.id),
      ['kept'],
    );
    const first = manifest.images.find((entry) => entry.filename === image(0))!;
    assert.deepEqual([first.prompt, first.rating?.stars, first.category], ['An old prompt.', 5, 'photorealistic'], 'the entry that fits is imported as it was');
    assert.deepEqual(
      manifest.images.map((entry) => entry.filename),
      [image(0), image(1), image(2)],
      'the files still get their entries',
    );
    assert.equal(manifest.highest_index, 2);
    assert.ok((await fs.readFile(path.join(path.dirname(manifestFile()), LEGACY_MANIFEST_COPY))).equals(original), 'the original, byte for byte');

    const where = `actors/${LEGACY}/training_data/manifest.json`;
    const reasons = Object.fromEntries(report.notImported.map((problem) => [problem.item, problem.reason]));
    assert.match(reasons[`${where} actor.age`], /expected number.*moved to legacy\.actor\.age \(the original stays in manifest\.legacy\.json\)$/);
    assert.match(reasons[`${where} images[1]`], /^filename: must be a plain file name.*; moved to legacy\.images/);
    assert.match(reasons[`${where} generations[0]`], /^id: .*expected string.*; moved to legacy\.generations/);
    assert.match(reasons[`${where} highest_index`], /moved to legacy\.highest_index/);
    assert.match(reasons[`${where} schema_version`], /moved to legacy\.schema_version/);

    const files = await snapshot(sample.dataRoot);
    const again = await migrateActors({ dataRoot: sample.dataRoot, actorIds: [LEGACY] });
    assert.deepEqual([again.actors[0].changed, again.actors[0].notImported], [false, []], 'a second run finds nothing to do');
    assert.deepEqual(await snapshot(sample.dataRoot), files);
  });

  it('actor-studio migrate prints each value it set aside and exits 1', async () => {
    await writeOldManifest({ generations: [{ images: [image(0)] }] });
    const { code, stdout } = await cli(['migrate', '--data', sample.dataRoot, '--actor-id', LEGACY], {}, sample.dir);
    assert.equal(code, 1);
    assert.match(stdout, new RegExp(`^  ! actors/${LEGACY}/training_data/manifest.json generations\\[0\\]: id: .*moved to legacy\\.generations`, 'm'));
    assert.match(stdout, new RegExp(`^${LEGACY}: migrated$`, 'm'));
    assert.equal((await readMigrated()).images.length, 3, 'the rest was imported');
  });
});
