// What the Image Viewer shows of one image, from the actor's record (no vscode: unit-tested).
import { imageCaptionReport } from '../../core/captions/captionLint';
import { CAPTION_SOURCE_LABELS, CATEGORY_LABELS } from '../../core/manifest/categories';
import type { ActorRecord } from '../../core/actors/types';
import { needsReview, reviewReason } from '../../core/tracking/review';
import type { CaptionView, EvaluationView, ImageView, ReviewView } from './protocol';

/**
 * The view of `filename` among the actor's images (tracked, untracked and missing, in the tree's
 * order), with its neighbours for prev/next; undefined when the actor has no such image.
 * `identityThreshold` is the face distance above which an image shows another person.
 */
export function buildImageView(actor: ActorRecord, filename: string, identityThreshold: number): ImageView | undefined {
  const position = actor.images.findIndex((image) => image.filename === filename);
  if (position < 0) {
    return undefined;
  }
  const image = actor.images[position];
  const entry = image.entry;
  const evaluation = entry?.evaluation;
  const evaluationView: EvaluationView | undefined = evaluation
    ? {
        evaluator: evaluation.evaluator,
        quality: evaluation.quality,
        issues: evaluation.issues ?? [],
        reasons: evaluation.reasons ?? [],
        identityDistance: typeof evaluation.identity_distance === 'number' ? evaluation.identity_distance : undefined,
        centroidDistance: typeof evaluation.centroid_distance === 'number' ? evaluation.centroid_distance : undefined,
        identityThreshold,
        evaluatedAt: evaluation.evaluated_at,
      }
    : undefined;
  const review: ReviewView | undefined =
    image.tracked && !image.missing && needsReview(entry)
      ? { state: 'needed', reason: reviewReason(entry) }
      : entry?.review?.decision === 'keep' && evaluation?.issues?.includes('unscorable')
        ? { state: 'kept', reason: reviewReason(entry), at: entry.review.at }
        : undefined;
  const report = image.tracked && !image.missing && image.entry ? imageCaptionReport(actor, image) : undefined;
  const caption: CaptionView | undefined = report && {
    text: report.caption,
    source: report.source,
    sourceLabel: CAPTION_SOURCE_LABELS[report.source],
    findings: report.findings,
  };
  return {
    actorId: actor.id,
    filename,
    path: image.path,
    category: image.category,
    categoryLabel: CATEGORY_LABELS[image.category],
    tracked: image.tracked,
    missing: image.missing,
    promptId: entry?.prompt_id ?? undefined,
    prompt: entry?.prompt ?? undefined,
    model: entry?.model ?? undefined,
    createdAt: entry?.created_at,
    width: entry?.width,
    height: entry?.height,
    rating: entry?.rating ? { stars: entry.rating.stars, feedback: entry.rating.feedback, ratedAt: entry.rating.rated_at } : undefined,
    evaluation: evaluationView,
    review,
    caption,
    position: position + 1,
    count: actor.images.length,
    previous: actor.images[position - 1]?.filename,
    next: actor.images[position + 1]?.filename,
  };
}
