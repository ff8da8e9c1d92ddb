import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { fillPrompt, loadPromptLibrary } from '../../src/core/prompts/library';
import type { LibraryPrompt, PromptUsage } from '../../src/core/prompts/types';
import { countPromptUsage, customPrompts, leastUsed, usageBadge, usageForPrompts } from '../../src/core/prompts/usage';
import { customPromptId } from '../../src/core/prompts/promptText';
import { descriptorForSex, parseActorId } from '../../src/core/workspace/actorId';
import { indexDataFolder } from '../../src/core/actors/dataIndex';
import { makeTempDir, SAMPLE_DATA, writeActor } from './helpers/tempData';

const LIBRARY: LibraryPrompt[] = BUILTIN_PROMPTS.map((prompt) => ({ ...prompt, source: 'builtin' }));
const builtin = (id: string) => LIBRARY.find((prompt) => prompt.id === id)!;

/**
 * Expected usage read straight from the sample: manifests' `prompt_id`s, and for an actor without
 * a manifest, its prompt_metadata.json texts that equal a built-in filled for its descriptor.
 */
async function sampleUsage(): Promise<{ overall: Map<string, number>; byActor: Map<string, Map<string, number>> }> {
  const overall = new Map<string, number>();
  const byActor = new Map<string, Map<string, number>>();
  for (const actor of await fs.readdir(path.join(SAMPLE_DATA, 'actors'))) {
    const read = (name: string) => fs.readFile(path.join(SAMPLE_DATA, 'actors', actor, 'training_data', name), 'utf8').catch(() => undefined);
    const manifest = await read('manifest.json');
    const legacy = manifest === undefined ? await read('prompt_metadata.json') : undefined;
    const descriptor = descriptorForSex(parseActorId(actor)?.sex);
    const ids: string[] = manifest
      ? JSON.parse(manifest)
          .images.map((image: { prompt_id?: string }) => image.prompt_id)
          .filter(Boolean)
      : Object.values<{ prompt: string }>(legacy ? JSON.parse(legacy).images : {}).flatMap(({ prompt }) =>
          LIBRARY.filter((each) => fillPrompt(each.template, descriptor) === prompt).map((each) => each.id),
        );
    const counts = new Map<string, number>();
    for (const id of ids) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      overall.set(id, (overall.get(id) ?? 0) + 1);
    }
    byActor.set(actor, counts);
  }
  return { overall, byActor };
}

describe('prompt usage', () => {
  it('counts the sample manifests per actor and overall', async () => {
    const expected = await sampleUsage();
    assert.equal(expected.overall.get('photo_rain_street_run'), 2, 'the sample uses photo_rain_street_run twice');
    const counts = await countPromptUsage(await indexDataFolder(SAMPLE_DATA), LIBRARY);
    assert.deepEqual(counts.problems, []);
    for (const [actorId, actorCounts] of expected.byActor) {
      assert.deepEqual(Object.fromEntries(counts.byActor.get(actorId)!), Object.fromEntries(actorCounts), actorId);
    }
    assert.deepEqual(Object.fromEntries(counts.overall), Object.fromEntries(expected.overall));
  });

  it('usage rows: the actor count for one actor, the overall count without one', async () => {
    const expected = await sampleUsage();
    const counts = await countPromptUsage(await indexDataFolder(SAMPLE_DATA), LIBRARY);
    const [actorId, actorCounts] = [...expected.byActor].find(([, each]) => each.size > 0)!;
    const rows = usageForPrompts(LIBRARY, counts, actorId);
    assert.deepEqual(
      rows.map((row) => row.promptId),
      LIBRARY.map((prompt) => prompt.id),
    );
    for (const row of rows) {
      assert.equal(row.actorCount, actorCounts.get(row.promptId) ?? 0, row.promptId);
      assert.equal(row.totalCount, expected.overall.get(row.promptId) ?? 0, row.promptId);
    }
    for (const row of usageForPrompts(LIBRARY, counts)) {
      assert.equal(row.actorCount, row.totalCount, row.promptId);
    }
  });

  describe('in a data folder of its own', () => {
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    beforeEach(async () => (temp = await makeTempDir()));
    afterEach(() => temp.cleanup());

    it('entries without a prompt_id count by their text, whatever descriptor fills the slot; other texts are custom prompts', async () => {
      const rooftop = builtin('photo_golden_hour_rooftop');
      const etching = builtin('bw_etching');
      await writeActor(temp.dir, '0000_european_30_female', {
        manifest: {
          images: [
            { filename: 'a.jpg', prompt_id: 'bw_manga', prompt: fillPrompt(rooftop.template, 'woman') },
            // Whitespace differences (a hand edit, a wrapped line) do not matter.
            { filename: 'b.jpg', prompt: `  ${fillPrompt(rooftop.template, 'woman').replace(/ /g, '\n ')}  ` },
            // Filled for another descriptor (the old tool's "man" where the id gives "person"): still the prompt.
            { filename: 'c.jpg', prompt: fillPrompt(etching.template, 'man') },
            { filename: 'd.jpg', prompt: 'A text of its own.' },
            { filename: 'e.jpg', prompt_id: 'photo_retired' },
          ],
        },
      });
      const counts = await countPromptUsage(await indexDataFolder(temp.dir), LIBRARY);
      assert.deepEqual(Object.fromEntries(counts.byActor.get('0000_european_30_female')!), {
        bw_etching: 1,
        bw_manga: 1,
        photo_golden_hour_rooftop: 1,
        photo_retired: 1,
      });
      assert.deepEqual(counts.customByActor.get('0000_european_30_female'), [
        { id: customPromptId('A text of its own.'), text: 'A text of its own.', count: 1, actors: 1 },
      ]);
    });

    it('the manifest’s descriptor wins over the sex in the id', async () => {
      const manga = builtin('bw_manga');
      await writeActor(temp.dir, '0001_european_30_male', {
        manifest: { actor: { descriptor: 'astronaut' }, images: [{ filename: 'a.jpg', prompt: fillPrompt(manga.template, 'astronaut') }] },
      });
      const counts = await countPromptUsage(await indexDataFolder(temp.dir), LIBRARY);
      assert.equal(counts.overall.get('bw_manga'), 1);
    });

    it('actors without a manifest count from the old tool’s prompt_metadata.json; with a manifest it is ignored', async () => {
      const trail = builtin('photo_mountain_trail');
      const legacy = (prompts: string[]) =>
        JSON.stringify({ images: Object.fromEntries(prompts.map((prompt, n) => [`x_${n}.jpg`, { prompt, prompt_preview: prompt.slice(0, 100) }])) });
      await writeActor(temp.dir, '0000_african_40_male', {
        extraFiles: { 'prompt_metadata.json': legacy([fillPrompt(trail.template, 'man'), fillPrompt(trail.template, 'man'), 'unknown text']) },
      });
      await writeActor(temp.dir, '0001_african_40_male', {
        manifest: { images: [] },
        extraFiles: { 'prompt_metadata.json': legacy([fillPrompt(trail.template, 'man')]) },
      });
      const counts = await countPromptUsage(await indexDataFolder(temp.dir), LIBRARY);
      assert.deepEqual(Object.fromEntries(counts.byActor.get('0000_african_40_male')!), { photo_mountain_trail: 2 });
      assert.deepEqual(Object.fromEntries(counts.byActor.get('0001_african_40_male')!), {});
      assert.equal(counts.overall.get('photo_mountain_trail'), 2);
    });

    it('a legacy actor’s old texts count for their prompts whatever subject word they say; the rest are its custom prompts, most used first', async () => {
      const trail = builtin('photo_mountain_trail');
      const manga = builtin('bw_manga');
      const own = 'The woman from the input image as a 1920s aviator, sepia photograph.';
      const other = 'Close-up of the woman laughing.';
      const records = [
        fillPrompt(trail.template, 'woman'),
        `  ${fillPrompt(trail.template, 'Woman').toUpperCase()}\n`,
        fillPrompt(manga.template, 'young woman').replace(/\.$/, ''),
        own,
        own.replace(/ /g, '\n  ').toLowerCase(),
        other,
      ];
      // The old tool's two-word ethnicity: whatever descriptor the id gives, the old texts say "woman".
      await writeActor(temp.dir, '0005_south_asian_25_female', {
        extraFiles: {
          'prompt_metadata.json': JSON.stringify({
            images: Object.fromEntries(records.map((prompt, n) => [`0005_south_asian_25_female_${n}.jpg`, { prompt }])),
          }),
        },
      });
      await writeActor(temp.dir, '0006_european_30_female', { manifest: { images: [{ filename: 'a.jpg', prompt_id: null, prompt: own }] } });
      const counts = await countPromptUsage(await indexDataFolder(temp.dir), LIBRARY);
      assert.deepEqual(Object.fromEntries(counts.byActor.get('0005_south_asian_25_female')!), { photo_mountain_trail: 2, bw_manga: 1 });
      assert.deepEqual(customPrompts(counts, '0005_south_asian_25_female'), [
        { id: customPromptId(own), text: own, count: 2, actors: 1 },
        { id: customPromptId(other), text: other, count: 1, actors: 1 },
      ]);
      assert.deepEqual(customPrompts(counts), [
        { id: customPromptId(own), text: own, count: 3, actors: 2 },
        { id: customPromptId(other), text: other, count: 1, actors: 1 },
      ]);
      assert.deepEqual(customPrompts(counts, 'no_such_actor'), []);
    });

    it('user prompts count too, and an unreadable prompt_metadata.json is a located problem, not a failure', async () => {
      await fs.writeFile(
        path.join(temp.dir, 'prompts.json'),
        JSON.stringify({ prompts: [{ id: 'photo_mine', label: 'Mine', category: 'photorealistic', template: 'The {descriptor} at home.' }] }),
      );
      await writeActor(temp.dir, '0000_asian_25_female', { manifest: { images: [{ filename: 'a.jpg', prompt: 'The woman at home.' }] } });
      await writeActor(temp.dir, '0001_asian_25_female', { extraFiles: { 'prompt_metadata.json': '{\n  "images": []\n}\n' } });
      const { prompts } = await loadPromptLibrary(temp.dir);
      const counts = await countPromptUsage(await indexDataFolder(temp.dir), prompts);
      assert.equal(counts.overall.get('photo_mine'), 1);
      assert.equal(counts.problems.length, 1);
      assert.match(counts.problems[0].file, /0001_asian_25_female\/training_data\/prompt_metadata\.json$/);
      assert.equal(counts.problems[0].line, 1);
      assert.match(counts.problems[0].message, /images/);
    });
  });
});

describe('leastUsed', () => {
  const photos = LIBRARY.filter((prompt) => prompt.category === 'photorealistic');
  const row = (prompt: LibraryPrompt, actorCount: number, totalCount: number): PromptUsage => ({ promptId: prompt.id, actorCount, totalCount });
  const [p0, p1, p2, p3, ...rest] = photos;
  const usage = [row(p0, 1, 5), row(p1, 0, 4), row(p2, 0, 1), row(p3, 2, 2), ...rest.map((prompt) => row(prompt, 0, 0))];

  it('unused by the actor first, then least used overall, ties in library order', () => {
    const order = leastUsed(LIBRARY, usage, 'photorealistic', photos.length).map((prompt) => prompt.id);
    assert.deepEqual(
      order,
      [...rest, p2, p1, p0, p3].map((prompt) => prompt.id),
    );
  });

  it('keeps to the category, returns at most `count`, and the same input gives the same picks', () => {
    const picks = leastUsed(LIBRARY, usage, 'bw_stylized', 4);
    assert.deepEqual(
      picks.map((prompt) => prompt.id),
      LIBRARY.filter((prompt) => prompt.category === 'bw_stylized')
        .slice(0, 4)
        .map((prompt) => prompt.id),
    );
    assert.deepEqual(leastUsed(LIBRARY, usage, 'bw_stylized', 4), picks);
    assert.equal(leastUsed(LIBRARY, usage, undefined, 100).length, LIBRARY.length);
    assert.deepEqual(leastUsed(LIBRARY, usage, 'photorealistic', 0), []);
  });
});

describe('usageBadge', () => {
  it('uses the old tool’s labels', () => {
    assert.equal(usageBadge(0), '[unused]');
    assert.equal(usageBadge(1), '[1x used]');
    assert.equal(usageBadge(12), '[12x used]');
  });
});
