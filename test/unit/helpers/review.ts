// Makes an image need review, as an evaluation that could not score its face would: issues
// ['unscorable'] and a "needs review: …" reason, for the image's current bytes (its sha256).
import { updateManifest } from '../../../src/core/manifest/manifestStore';

export const REVIEW_REASON = 'needs review: no face found; identity not scored';

export async function markNeedsReview(
  dataRoot: string,
  actorId: string,
  filename: string,
  extra: { identity_distance?: number | null; centroid_distance?: number | null; reason?: string } = {},
): Promise<void> {
  await updateManifest(dataRoot, actorId, (manifest) => {
    const entry = manifest.images.find((image) => image.filename === filename);
    if (!entry) {
      throw new Error(`no ${filename} in the manifest of ${actorId}`);
    }
    entry.evaluation = {
      evaluator: 'local+face',
      sha256: entry.sha256,
      category: entry.category,
      quality: 7,
      issues: ['unscorable'],
      reasons: [extra.reason ?? REVIEW_REASON],
      identity_distance: extra.identity_distance ?? null,
      centroid_distance: extra.centroid_distance ?? null,
      evaluated_at: '2026-12-01T10:00:00.000Z',
    };
    delete entry.review;
  });
}
