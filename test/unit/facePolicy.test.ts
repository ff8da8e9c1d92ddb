import * as assert from 'node:assert/strict';
import { measureAgainstCentroid, unscorableReason } from '../../src/core/evaluate/localChecks';
import { DEFAULT_LOCAL_CHECK_THRESHOLDS } from '../../src/core/evaluate/thresholds';
import type { ImageEvaluation } from '../../src/core/evaluate/types';

const limits = DEFAULT_LOCAL_CHECK_THRESHOLDS;
const face = (fields: Partial<{ noFace: boolean; facePixels: number; yaw: number; score: number }>) => ({
  distance: 0.3,
  noFace: false,
  baseSha256: 'a'.repeat(64),
  facePixels: 200,
  yaw: 5,
  score: 0.95,
  ...fields,
});

function withDescriptor(filename: string, descriptor: number[], issues: ImageEvaluation['issues'] = []): ImageEvaluation {
  return {
    filename,
    sha256: 'b'.repeat(64),
    category: 'photorealistic',
    quality: 9,
    issues,
    reasons: [],
    evaluator: 'test',
    face: { distance: 0.3, noFace: false, baseSha256: 'a'.repeat(64), descriptor },
  };
}

describe('face policy: what can be scored', () => {
  it('a face is unscorable when none is found, or it is too small, turned too far or found with low confidence', () => {
    assert.equal(unscorableReason(face({}), limits), undefined);
    assert.equal(unscorableReason(face({ noFace: true }), limits), 'no face found');
    assert.match(unscorableReason(face({ facePixels: 40 }), limits)!, /face too small to score \(40 px high, under 64\)/);
    assert.match(unscorableReason(face({ yaw: -57 }), limits)!, /face turned too far from the base image.s to score \(about 57°, over 45°\)/);
    assert.match(unscorableReason(face({ score: 0.3 }), limits)!, /low confidence \(0\.30, under 0\.5\)/);
    // The turn is judged against the base face's, and a mirrored turn is the same pose.
    assert.equal(unscorableReason({ ...face({ yaw: 50 }), baseYaw: 40 }, limits), undefined);
    assert.equal(unscorableReason({ ...face({ yaw: -50 }), baseYaw: 40 }, limits), undefined, 'mirrored');
    assert.match(unscorableReason({ ...face({ yaw: 0 }), baseYaw: 57 }, limits)!, /about 57°/);
    // At the limits the face still counts.
    assert.equal(unscorableReason(face({ facePixels: 64, yaw: 45, score: 0.5 }), limits), undefined);
  });

  it('distance to the centroid of the other accepted faces: leave-one-out, drift and unscorable faces left out', () => {
    const evaluations = [
      withDescriptor('a.jpg', [0, 0]),
      withDescriptor('b.jpg', [2, 0]),
      withDescriptor('c.jpg', [0, 2]),
      withDescriptor('far.jpg', [10, 10], ['identity_drift']),
      withDescriptor('unsure.jpg', [5, 5], ['unscorable']),
    ];
    measureAgainstCentroid(evaluations);
    const distance = (name: string) => evaluations.find((evaluation) => evaluation.filename === name)!.centroidDistance;
    // a: the others' centroid is (1, 1); never itself.
    assert.equal(distance('a.jpg'), Math.round(Math.SQRT2 * 1000) / 1000);
    // b: centroid of a and c is (0, 1): distance sqrt(4 + 1).
    assert.equal(distance('b.jpg'), Math.round(Math.sqrt(5) * 1000) / 1000);
    // A drifting face is measured against all accepted faces (2/3, 2/3) but does not move their centroid.
    assert.equal(distance('far.jpg'), Math.round(Math.hypot(10 - 2 / 3, 10 - 2 / 3) * 1000) / 1000);
    assert.equal(distance('unsure.jpg'), null, 'an unscorable face is not measured');
  });

  it('too few other faces give no centroid distance', () => {
    const evaluations = [withDescriptor('a.jpg', [0, 0]), withDescriptor('b.jpg', [1, 0])];
    measureAgainstCentroid(evaluations);
    assert.deepEqual(
      evaluations.map((evaluation) => evaluation.centroidDistance),
      [null, null],
    );
  });
});
