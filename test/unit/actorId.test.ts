import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import { actorInfo, loadActor } from '../../src/core/actors/loadActor';
import { manifestSchema } from '../../src/core/manifest/manifestSchema';
import { descriptorForSex, parseActorId } from '../../src/core/workspace/actorId';
import { makeTempDir, writeActor } from './helpers/tempData';

describe('actor ids', () => {
  it('parses index, ethnicity, age and sex', () => {
    assert.deepEqual(parseActorId('0000_european_16_male'), { index: 0, ethnicity: 'european', age: 16, sex: 'male' });
    assert.deepEqual(parseActorId('0107_east-asian_72_Female'), { index: 107, ethnicity: 'east-asian', age: 72, sex: 'female' });
  });

  it('parses an ethnicity of several words (joined by underscores in the id, by spaces in the result)', () => {
    assert.deepEqual(parseActorId('0005_south_asian_25_female'), { index: 5, ethnicity: 'south asian', age: 25, sex: 'female' });
    assert.deepEqual(parseActorId('0006_african_american_40_male'), { index: 6, ethnicity: 'african american', age: 40, sex: 'male' });
    assert.equal(actorInfo('0005_south_asian_25_female', undefined).descriptor, 'woman');
    assert.equal(actorInfo('0006_african_american_40_male', undefined).descriptor, 'man');
  });

  it('any <index>_<ethnicity words>_<age>_<sex> parses back to its parts (property)', () => {
    const word = fc.stringMatching(/^[a-z][a-z-]{0,8}$/);
    fc.assert(
      fc.property(fc.nat(99_999), fc.array(word, { minLength: 1, maxLength: 4 }), fc.nat(999), fc.stringMatching(/^[a-z]{1,10}$/), (index, words, age, sex) => {
        const id = `${String(index).padStart(4, '0')}_${words.join('_')}_${age}_${sex}`;
        assert.deepEqual(parseActorId(id), { index, ethnicity: words.join(' '), age, sex });
      }),
    );
  });

  it('whatever parses splits at the right underscores: index first, age and sex last, the rest is the ethnicity (property)', () => {
    const part = fc.stringMatching(/^[a-z0-9-]{0,6}$/);
    fc.assert(
      fc.property(fc.array(part, { maxLength: 7 }), (parts) => {
        const parsed = parseActorId(parts.join('_'));
        if (parsed) {
          assert.deepEqual(parsed, {
            index: Number(parts[0]),
            ethnicity: parts.slice(1, -2).join(' '),
            age: Number(parts.at(-2)),
            sex: parts.at(-1),
          });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the old tool’s top-level sex and type are read when the manifest has no actor metadata', () => {
    const old = manifestSchema.parse({ sex: 'female', type: 'human', images: [] });
    const info = actorInfo('0007_mixed_30_nonbinary', old);
    assert.equal(info.sex, 'female');
    assert.equal(info.type, 'human');
    assert.equal(info.descriptor, 'woman');
    const both = manifestSchema.parse({ sex: 'female', type: 'robot', actor: { sex: 'male', type: 'human' } });
    assert.deepEqual([actorInfo('x', both).sex, actorInfo('x', both).type], ['male', 'human'], 'the actor metadata wins');
    assert.equal(actorInfo('x', manifestSchema.parse({ sex: 42 })).sex, undefined, 'only a string counts');
  });

  it('an actor folder with a multi-word ethnicity loads with its age, sex and descriptor', async () => {
    const temp = await makeTempDir();
    try {
      await fs.mkdir(`${temp.dir}/actors`);
      await writeActor(temp.dir, '0005_south_asian_25_female', { images: ['0005_south_asian_25_female_0.jpg'] });
      const actor = loadActor(temp.dir, temp.dir, '0005_south_asian_25_female');
      assert.deepEqual(
        { ethnicity: actor.info.ethnicity, age: actor.info.age, sex: actor.info.sex, descriptor: actor.info.descriptor },
        { ethnicity: 'south asian', age: 25, sex: 'female', descriptor: 'woman' },
      );
      assert.equal(actor.images[0].number, 0);
    } finally {
      await temp.cleanup();
    }
  });

  it('rejects names that do not follow the convention', () => {
    for (const name of [
      'european_16_male',
      '0000_european_male',
      '0000_european_16',
      'notes',
      '0000__16_male',
      '0000_european_1000_male',
      '0000_south__asian_25_female',
      '0000_south_asian_25',
      '0000_south_4sian_25_female',
    ]) {
      assert.equal(parseActorId(name), undefined, name);
    }
  });

  it('gives the prompt descriptor from the sex', () => {
    assert.equal(descriptorForSex('male'), 'man');
    assert.equal(descriptorForSex('Female'), 'woman');
    assert.equal(descriptorForSex('nonbinary'), 'person');
    assert.equal(descriptorForSex(undefined), 'person');
  });
});
