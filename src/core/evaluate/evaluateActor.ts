import { declaredCategoryOf, promptCategoryOf, sameDeclaredCategory } from '../manifest/categories';
import type { ImageEntry } from '../manifest/manifestSchema';
import { rewriteManifest, withActorLock } from '../manifest/manifestStore';
import { hashActorImages } from '../actors/imageHashes';
import { FileHasher } from '../fs/files';
import { inspectImage } from '../image/imageFiles';
import type { ActorRecord } from '../actors/types';
import type { EvaluationUsage, Evaluator, FaceComparison, ImageEvaluation, ImageIssue } from './types';
import { isoTime } from '../util/time';

export interface EvaluateActorRequest {
  dataRoot: string;
  actor: ActorRecord;
  evaluator: Evaluator;
  hasher?: FileHasher;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ActorEvaluation {
  actorId: string;
  evaluator: string;
  evaluations: ImageEvaluation[];
  /** True when every result came from the manifest's cache (nothing was evaluated again). */
  cached: boolean;
  /** Content hashes of the images evaluated, by file name. */
  hashes: Record<string, string>;
  /** What this evaluation paid for (vision requests); absent when nothing was paid for. */
  usage?: EvaluationUsage;
}

/**
 * Evaluates an actor's images, cached in the manifest by content hash: when every image is
 * tracked and was evaluated by the same evaluator, with the same settings, for the same bytes and
 * against the same declared category (its prompt's, or the user's), nothing runs again. Otherwise all images are evaluated together (duplicates are found across
 * the whole set), with the still-valid earlier results passed along so a vision model is asked
 * only about new or changed images; the results of tracked images go into their manifest entries,
 * with the category they decide (`category`, `category_source`; never over a user's choice).
 */
export async function evaluateActor(request: EvaluateActorRequest): Promise<ActorEvaluation> {
  const { actor, evaluator } = request;
  const hashes = await hashActorImages(actor, request.hasher ?? new FileHasher());
  const present = actor.images.filter((image) => !image.missing);
  const declared = new Map(present.map((image) => [image.filename, declaredCategoryOf(image.entry)]));
  const cachedResults = cachedEvaluations(actor, evaluator, hashes);
  if (present.length > 0 && cachedResults.every((result) => result !== undefined)) {
    return { actorId: actor.id, evaluator: evaluator.id, evaluations: cachedResults as ImageEvaluation[], cached: true, hashes };
  }
  const previous = new Map(cachedResults.filter((result) => result !== undefined).map((result) => [result.filename, result]));
  if (actor.baseImage) {
    // Every comparison starts from the base image: one that cannot be decoded (empty, truncated,
    // a pixel bomb) fails this actor with its file named, before any image is compared.
    await inspectImage(actor.baseImage.path);
  }
  let usage: EvaluationUsage | undefined;
  const evaluations = await evaluator.evaluate({
    actorId: actor.id,
    baseImagePath: actor.baseImage?.path,
    images: present.map((image) => {
      const category = declared.get(image.filename);
      return { filename: image.filename, path: image.path, sha256: hashes[image.filename], ...(category ? { declared: category } : {}) };
    }),
    previous,
    signal: request.signal,
    onProgress: request.onProgress,
    onUsage: (more) => {
      usage = addUsage(usage, more);
    },
  });
  const tracked = new Set(present.filter((image) => image.tracked).map((image) => image.filename));
  const now = isoTime();
  if (actor.manifestState === 'ok' && evaluations.some((evaluation) => tracked.has(evaluation.filename))) {
    const byName = new Map(evaluations.map((evaluation) => [evaluation.filename, evaluation]));
    await withActorLock(request.dataRoot, actor.id, () =>
      rewriteManifest(request.dataRoot, actor.id, (manifest) => {
        for (const entry of manifest.images) {
          const evaluation = byName.get(entry.filename);
          if (evaluation) {
            entry.evaluation = toManifest(evaluation, evaluator.configKey, now);
            recordCategory(entry, evaluation, hashes[entry.filename]);
          }
        }
      }),
    );
  }
  return { actorId: actor.id, evaluator: evaluator.id, evaluations, cached: false, hashes, ...(usage ? { usage } : {}) };
}

/**
 * The manifest's stored result of each present image (in order) when it still holds: the same
 * evaluator and settings, the same bytes, the same declared category; undefined where it does not.
 */
export function cachedEvaluations(
  actor: ActorRecord,
  evaluator: Pick<Evaluator, 'id' | 'configKey'>,
  hashes: Readonly<Record<string, string>>,
): (ImageEvaluation | undefined)[] {
  return actor.images
    .filter((image) => !image.missing)
    .map((image) => {
      const stored = image.entry?.evaluation;
      const valid =
        stored &&
        stored.evaluator === evaluator.id &&
        stored.config === evaluator.configKey &&
        stored.sha256 === hashes[image.filename] &&
        sameDeclaredCategory(stored.declared, declaredCategoryOf(image.entry));
      return valid ? fromManifest(image.filename, stored) : undefined;
    });
}

/**
 * The evaluation's category into the entry, with who decided it. A user's choice is never
 * overwritten; the prompt's category is kept in `prompt_category` when the image counts elsewhere;
 * an evaluation that cannot tell (a colour image without a prompt, no vision model this time)
 * leaves an earlier vision model's category for these same bytes in place.
 */
export function recordCategory(entry: ImageEntry, evaluation: ImageEvaluation, sha256: string | undefined): void {
  if (entry.category_source === 'user') {
    return;
  }
  const prompt = promptCategoryOf(entry);
  if (prompt && evaluation.categorySource !== 'prompt') {
    entry.prompt_category = prompt;
  }
  if (evaluation.categorySource) {
    entry.category = evaluation.category;
    entry.category_source = evaluation.categorySource;
  } else if (!(entry.category_source === 'vision' && sha256 !== undefined && entry.sha256 === sha256)) {
    entry.category = 'unknown';
    delete entry.category_source;
  }
}

function addUsage(total: EvaluationUsage | undefined, more: EvaluationUsage): EvaluationUsage {
  if (!total) {
    return { ...more };
  }
  const cost = total.estimatedCostUsd === null || more.estimatedCostUsd === null ? null : total.estimatedCostUsd + more.estimatedCostUsd;
  return {
    model: more.model,
    requests: total.requests + more.requests,
    promptTokens: total.promptTokens + more.promptTokens,
    completionTokens: total.completionTokens + more.completionTokens,
    estimatedCostUsd: cost,
  };
}

type StoredEvaluation = NonNullable<NonNullable<ActorRecord['images'][number]['entry']>['evaluation']>;

function toManifest(evaluation: ImageEvaluation, config: string, evaluatedAt: string): StoredEvaluation {
  const vision = evaluation.vision;
  return {
    evaluator: evaluation.evaluator,
    config,
    sha256: evaluation.sha256,
    category: evaluation.category,
    ...(evaluation.categorySource ? { category_source: evaluation.categorySource } : {}),
    ...(evaluation.tone ? { tone: evaluation.tone } : {}),
    ...(evaluation.declared ? { declared: { ...evaluation.declared } } : {}),
    quality: evaluation.quality,
    issues: [...evaluation.issues],
    reasons: [...evaluation.reasons],
    ...(evaluation.duplicateOf ? { duplicate_of: evaluation.duplicateOf } : {}),
    ...(evaluation.identityDistance !== undefined ? { identity_distance: evaluation.identityDistance } : {}),
    ...(evaluation.centroidDistance !== undefined ? { centroid_distance: evaluation.centroidDistance } : {}),
    ...(evaluation.face ? { face: faceToManifest(evaluation.face) } : {}),
    ...(vision
      ? {
          vision: {
            model: vision.model,
            category: vision.category,
            quality: vision.quality,
            issues: [...vision.issues],
            keep: vision.keep,
            reason: vision.reason,
            ...(vision.caption ? { caption: vision.caption } : {}),
          },
        }
      : {}),
    evaluated_at: evaluatedAt,
  };
}

function fromManifest(filename: string, stored: StoredEvaluation): ImageEvaluation {
  const vision = stored.vision;
  return {
    filename,
    sha256: stored.sha256 ?? '',
    category: stored.category ?? 'unknown',
    ...(stored.category_source ? { categorySource: stored.category_source } : {}),
    ...(stored.tone ? { tone: stored.tone } : {}),
    ...(stored.declared ? { declared: { category: stored.declared.category, source: stored.declared.source } } : {}),
    quality: stored.quality ?? 0,
    issues: (stored.issues ?? []) as ImageIssue[],
    reasons: stored.reasons ?? [],
    identityDistance: stored.identity_distance,
    duplicateOf: stored.duplicate_of,
    ...(stored.centroid_distance !== undefined ? { centroidDistance: stored.centroid_distance } : {}),
    ...(stored.face ? { face: faceFromManifest(stored.face) } : {}),
    ...(vision ? { vision: { ...vision, issues: vision.issues as ImageIssue[] } } : {}),
    evaluator: stored.evaluator ?? '',
  };
}

type StoredFace = NonNullable<NonNullable<ImageEntry['evaluation']>['face']>;

function faceToManifest(face: FaceComparison): StoredFace {
  return {
    distance: face.distance,
    no_face: face.noFace,
    base_sha256: face.baseSha256,
    ...(face.score != null ? { score: Math.round(face.score * 1000) / 1000 } : {}),
    ...(face.facePixels != null ? { face_pixels: Math.round(face.facePixels) } : {}),
    ...(face.yaw != null ? { yaw: Math.round(face.yaw) } : {}),
    ...(face.baseYaw != null ? { base_yaw: Math.round(face.baseYaw) } : {}),
    ...(face.descriptor ? { descriptor: face.descriptor } : {}),
  };
}

function faceFromManifest(stored: StoredFace): FaceComparison {
  return {
    distance: stored.distance,
    noFace: stored.no_face,
    baseSha256: stored.base_sha256,
    ...(stored.score !== undefined ? { score: stored.score } : {}),
    ...(stored.face_pixels !== undefined ? { facePixels: stored.face_pixels } : {}),
    ...(stored.yaw !== undefined ? { yaw: stored.yaw } : {}),
    ...(stored.base_yaw !== undefined ? { baseYaw: stored.base_yaw } : {}),
    ...(stored.descriptor !== undefined ? { descriptor: stored.descriptor } : {}),
  };
}
