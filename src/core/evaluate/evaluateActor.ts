import { rewriteManifest, withActorLock } from '../manifest/manifestStore';
import { FileHasher, hashActorImages } from '../plan/planFiles';
import type { ActorRecord } from '../workspace/types';
import type { Evaluator, ImageEvaluation, ImageIssue } from './types';

export interface EvaluateActorRequest {
  dataRoot: string;
  actor: ActorRecord;
  evaluator: Evaluator;
  hasher?: FileHasher;
  signal?: AbortSignal;
}

export interface ActorEvaluation {
  actorId: string;
  evaluator: string;
  evaluations: ImageEvaluation[];
  /** True when every result came from the manifest's cache (nothing was evaluated again). */
  cached: boolean;
  /** Content hashes of the images evaluated, by file name. */
  hashes: Record<string, string>;
}

/**
 * Evaluates an actor's images, cached in the manifest by content hash: when every image is
 * tracked and was evaluated by the same evaluator for the same bytes, nothing runs again.
 * Otherwise all images are evaluated together (duplicates are found across the whole set) and
 * the results of tracked images are stored in their manifest entries.
 */
export async function evaluateActor(request: EvaluateActorRequest): Promise<ActorEvaluation> {
  const { actor, evaluator } = request;
  const hashes = await hashActorImages(actor, request.hasher ?? new FileHasher());
  const present = actor.images.filter((image) => !image.missing);
  const cachedResults = present.map((image) => {
    const stored = image.entry?.evaluation;
    return stored && stored.evaluator === evaluator.id && stored.sha256 === hashes[image.filename] ? fromManifest(image.filename, stored) : undefined;
  });
  if (present.length > 0 && cachedResults.every((result) => result !== undefined)) {
    return { actorId: actor.id, evaluator: evaluator.id, evaluations: cachedResults as ImageEvaluation[], cached: true, hashes };
  }
  const evaluations = await evaluator.evaluate({
    actorId: actor.id,
    baseImagePath: actor.baseImage?.path,
    images: present.map((image) => ({ filename: image.filename, path: image.path, sha256: hashes[image.filename] })),
    signal: request.signal,
  });
  const tracked = new Set(present.filter((image) => image.tracked).map((image) => image.filename));
  const now = new Date().toISOString();
  if (actor.manifestState === 'ok' && evaluations.some((evaluation) => tracked.has(evaluation.filename))) {
    const byName = new Map(evaluations.map((evaluation) => [evaluation.filename, evaluation]));
    await withActorLock(request.dataRoot, actor.id, () =>
      rewriteManifest(request.dataRoot, actor.id, (manifest) => {
        for (const entry of manifest.images) {
          const evaluation = byName.get(entry.filename);
          if (evaluation) {
            entry.evaluation = toManifest(evaluation, now);
          }
        }
      }),
    );
  }
  return { actorId: actor.id, evaluator: evaluator.id, evaluations, cached: false, hashes };
}

type StoredEvaluation = NonNullable<NonNullable<ActorRecord['images'][number]['entry']>['evaluation']>;

function toManifest(evaluation: ImageEvaluation, evaluatedAt: string): StoredEvaluation {
  return {
    evaluator: evaluation.evaluator,
    sha256: evaluation.sha256,
    category: evaluation.category,
    quality: evaluation.quality,
    issues: [...evaluation.issues],
    reasons: [...evaluation.reasons],
    ...(evaluation.duplicateOf ? { duplicate_of: evaluation.duplicateOf } : {}),
    ...(evaluation.identityDistance !== undefined ? { identity_distance: evaluation.identityDistance } : {}),
    evaluated_at: evaluatedAt,
  };
}

function fromManifest(filename: string, stored: StoredEvaluation): ImageEvaluation {
  return {
    filename,
    sha256: stored.sha256 ?? '',
    category: stored.category ?? 'unknown',
    quality: stored.quality ?? 0,
    issues: (stored.issues ?? []) as ImageIssue[],
    reasons: stored.reasons ?? [],
    identityDistance: stored.identity_distance,
    duplicateOf: stored.duplicate_of,
    evaluator: stored.evaluator ?? '',
  };
}
