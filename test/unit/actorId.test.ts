import * as assert from 'node:assert/strict';
import { descriptorForSex, parseActorId } from '../../src/core/workspace/actorId';

describe('actor ids', () => {
  it('parses index, ethnicity, age and sex', () => {
    assert.deepEqual(parseActorId('0000_european_16_male'), { index: 0, ethnicity: 'european', age: 16, sex: 'male' });
    assert.deepEqual(parseActorId('0107_east-asian_72_Female'), { index: 107, ethnicity: 'east-asian', age: 72, sex: 'female' });
  });

  it('rejects names that do not follow the convention', () => {
    for (const name of ['european_16_male', '0000_european_male', '0000_european_16', 'notes', '0000__16_male', '0000_european_1000_male']) {
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
