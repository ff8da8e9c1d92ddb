import * as assert from 'node:assert/strict';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';

describe('category targets (largest remainder)', () => {
  it('splits 20 at 65/20/15 into 13/4/3', () => {
    assert.deepEqual(categoryTargets(DEFAULT_TARGET), { photorealistic: 13, bw_stylized: 4, color_stylized: 3 });
  });

  it('always adds up to the total', () => {
    for (let total = 0; total <= 60; total++) {
      const targets = categoryTargets({ total, shares: { photorealistic: 65, bw_stylized: 20, color_stylized: 15 } });
      assert.equal(targets.photorealistic + targets.bw_stylized + targets.color_stylized, total, `total ${total}`);
    }
  });

  it('gives the remainder to the largest fractions, ties to the first category', () => {
    // 10 at 65/20/15 = 6.5/2/1.5: both halves tie, so photorealistic gets the one left over.
    assert.deepEqual(categoryTargets({ total: 10, shares: { photorealistic: 65, bw_stylized: 20, color_stylized: 15 } }), {
      photorealistic: 7,
      bw_stylized: 2,
      color_stylized: 1,
    });
    assert.deepEqual(categoryTargets({ total: 3, shares: { photorealistic: 1, bw_stylized: 1, color_stylized: 1 } }), {
      photorealistic: 1,
      bw_stylized: 1,
      color_stylized: 1,
    });
  });

  it('treats weights that are not percentages, and all-zero weights, sensibly', () => {
    assert.deepEqual(categoryTargets({ total: 20, shares: { photorealistic: 13, bw_stylized: 4, color_stylized: 3 } }), {
      photorealistic: 13,
      bw_stylized: 4,
      color_stylized: 3,
    });
    assert.deepEqual(categoryTargets({ total: 5, shares: { photorealistic: 0, bw_stylized: 0, color_stylized: 0 } }), {
      photorealistic: 0,
      bw_stylized: 0,
      color_stylized: 0,
    });
  });
});
