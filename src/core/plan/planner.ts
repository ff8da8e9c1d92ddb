import { countedCategory, TRAINING_CATEGORIES, TrainingCategory } from '../manifest/categories';
import type { ImageEvaluation, ImageIssue } from '../evaluate/types';
import { fillPrompt } from '../prompts/library';
import { leastUsed } from '../prompts/usage';
import type { LibraryPrompt, PromptUsage } from '../prompts/types';
import { mulberry32 } from '../util/seededRandom';
import type { ActorImage, ActorRecord } from '../actors/types';
import type { CategoryTargets } from '../actors/targets';
import { DELETING_ISSUES } from '../manifest/issues';

/** Quality assumed for an image nobody evaluated: the middle of 0-10, so it is neither kept nor dropped first. */
export const UNEVALUATED_QUALITY = 5;

export type DeletionRule = 'failed_checks' | 'duplicate' | 'over_quota';

export interface PlannedDeletion {
  filename: string;
  reason: string;
  rule: DeletionRule;
  sha256?: string;
}

export interface PlannedGeneration {
  category: TrainingCategory;
  promptId: string;
  /** The prompt filled for this actor's descriptor. */
  prompt: string;
}

export interface ActorPlan {
  actorId: string;
  deletions: PlannedDeletion[];
  generations: PlannedGeneration[];
  seed: number;
  /**
   * Content hash of every image the plan counted, by file name, where a hash was known: pass
   * `hashes` (planFiles.hashActorImages) so untracked files are in it, or the plan reads as stale.
   */
  seen: Record<string, string>;
  target: CategoryTargets;
  /** Images per category after the deletions (unclassified ones are not in any category). */
  kept: Record<TrainingCategory, number>;
  /** Images with no category (neither evaluator nor manifest knows): counted nowhere, never deleted for quota. */
  unclassified: string[];
  /** Generations still needed but with no unused prompt left in the category (never repeated in one plan). */
  unfilled: Record<TrainingCategory, number>;
  /** Evaluations ignored because they were made for other file contents. */
  staleEvaluations: string[];
}

export interface PlanInput {
  actor: ActorRecord;
  evaluations: readonly ImageEvaluation[];
  targets: CategoryTargets;
  prompts: readonly LibraryPrompt[];
  usage: readonly PromptUsage[];
  seed: number;
  /** Content hashes known to the caller (e.g. computed for untracked files), by file name. */
  hashes?: Readonly<Record<string, string>>;
  /** Prompts whose images failed in this balance run: others are tried first (these only when none is left). */
  avoidPromptIds?: ReadonlySet<string>;
}

interface Candidate {
  image: ActorImage;
  evaluation?: ImageEvaluation;
  sha256?: string;
  category: TrainingCategory | undefined;
}

/**
 * Plans one actor: which images to delete (failed checks, duplicates, then over quota, worst
 * first) and which prompts to generate per category. Pure: the same input gives the same plan.
 */
export function planActor(input: PlanInput): ActorPlan {
  const { actor, targets, seed } = input;
  const staleEvaluations: string[] = [];
  const candidates = presentImages(actor, input.evaluations, input.hashes ?? {}, staleEvaluations);
  const byName = new Map(candidates.map((candidate) => [candidate.image.filename, candidate]));
  const deletions: PlannedDeletion[] = [];
  const deleted = new Map<string, DeletionRule>();
  const remove = (candidate: Candidate, rule: DeletionRule, reason: string) => {
    deleted.set(candidate.image.filename, rule);
    deletions.push({ filename: candidate.image.filename, reason, rule, ...(candidate.sha256 ? { sha256: candidate.sha256 } : {}) });
  };

  for (const candidate of candidates) {
    const failing = (candidate.evaluation?.issues ?? []).filter((issue) => DELETING_ISSUES.has(issue));
    const vision = candidate.evaluation?.vision;
    const reasons = [
      ...(failing.length > 0 ? [`failed checks: ${[...new Set(failing)].join(', ')}`] : []),
      // The vision model's "delete" stands on its own: it saw what no local check measures.
      ...(vision && !vision.keep ? [`vision model says delete: ${vision.reason}`] : []),
    ];
    if (reasons.length > 0) {
      remove(candidate, 'failed_checks', reasons.join('; '));
    }
  }

  for (const candidate of candidates) {
    if (deleted.has(candidate.image.filename) || !candidate.evaluation?.duplicateOf) {
      continue;
    }
    const keeper = duplicateKeeper(candidate, byName);
    // Only delete when the copy that stays is really there and usable; otherwise this one stands in.
    if (keeper && keeper !== candidate && !deleted.has(keeper.image.filename)) {
      remove(candidate, 'duplicate', `duplicate of ${keeper.image.filename}`);
    }
  }

  const kept = { photorealistic: 0, bw_stylized: 0, color_stylized: 0 } as Record<TrainingCategory, number>;
  for (const category of TRAINING_CATEGORIES) {
    const inCategory = candidates.filter((candidate) => candidate.category === category && !deleted.has(candidate.image.filename));
    const excess = inCategory.length - targets[category];
    for (const candidate of [...inCategory].sort(worstFirst).slice(0, Math.max(0, excess))) {
      remove(candidate, 'over_quota', `over quota in ${category} (${inCategory.length}/${targets[category]}); quality ${describeQuality(candidate)}`);
    }
    kept[category] = Math.min(inCategory.length, targets[category]);
  }

  const { generations, unfilled } = choosePrompts(input, kept);
  const seen: Record<string, string> = {};
  for (const candidate of candidates) {
    if (candidate.sha256) {
      seen[candidate.image.filename] = candidate.sha256;
    }
  }
  const unclassified = candidates.filter((candidate) => !candidate.category).map((candidate) => candidate.image.filename);
  return { actorId: actor.id, deletions, generations, seed, seen, target: { ...targets }, kept, unclassified, unfilled, staleEvaluations };
}

/** Images on disk (missing manifest entries are left to reconcile), with their evaluation and category. */
function presentImages(
  actor: ActorRecord,
  evaluations: readonly ImageEvaluation[],
  hashes: Readonly<Record<string, string>>,
  staleEvaluations: string[],
): Candidate[] {
  const evaluationByName = new Map(evaluations.map((evaluation) => [evaluation.filename, evaluation]));
  return actor.images
    .filter((image) => !image.missing)
    .map((image) => {
      const known = hashes[image.filename] ?? image.entry?.sha256;
      let evaluation = evaluationByName.get(image.filename);
      if (evaluation && known && evaluation.sha256 && evaluation.sha256 !== known) {
        staleEvaluations.push(image.filename);
        evaluation = undefined;
      }
      // The user's choice, else the evaluation's (the category rule: prompt, pixels, vision model),
      // else the manifest's: the same rule as the tree's counts (loadActor). An untracked file counts
      // nowhere, as in the tree, until Reconcile Data adopts it (its evaluation has no entry to live in).
      const seenAs = image.tracked ? countedCategory(image.entry, evaluation?.category) : 'unknown';
      const category = seenAs === 'unknown' ? undefined : seenAs;
      return { image, evaluation, sha256: known ?? evaluation?.sha256, category };
    });
}

/**
 * The image a duplicate defers to: follow `duplicateOf` to the end of the chain. A cycle (two
 * images each naming the other) keeps the best of the cycle. Undefined when the chain leads to
 * a file that is not on disk.
 */
function duplicateKeeper(start: Candidate, byName: Map<string, Candidate>): Candidate | undefined {
  const chain: Candidate[] = [];
  let current: Candidate | undefined = start;
  while (current && !chain.includes(current)) {
    chain.push(current);
    const next = current.evaluation?.duplicateOf;
    if (!next) {
      return current;
    }
    current = byName.get(next);
  }
  if (!current) {
    return undefined;
  }
  const cycle = chain.slice(chain.indexOf(current));
  return [...cycle].sort(worstFirst)[cycle.length - 1];
}

function quality(candidate: Candidate): number {
  return candidate.evaluation?.quality ?? UNEVALUATED_QUALITY;
}

/** Lowest quality first, then most issues, then the highest number (the newest), then by name. */
/** Over quota, near clones of the base image go first, and images a person kept on review last. */
function worstFirst(a: Candidate, b: Candidate): number {
  return (
    Number(keptOnReview(a)) - Number(keptOnReview(b)) ||
    Number(hasIssue(b, 'near_clone')) - Number(hasIssue(a, 'near_clone')) ||
    quality(a) - quality(b) ||
    (b.evaluation?.issues.length ?? 0) - (a.evaluation?.issues.length ?? 0) ||
    (b.image.number ?? -1) - (a.image.number ?? -1) ||
    (a.image.filename < b.image.filename ? 1 : a.image.filename > b.image.filename ? -1 : 0)
  );
}

function hasIssue(candidate: Candidate, issue: ImageIssue): boolean {
  return candidate.evaluation?.issues.includes(issue) ?? false;
}

function keptOnReview(candidate: Candidate): boolean {
  return candidate.image.entry?.review?.decision === 'keep';
}

function describeQuality(candidate: Candidate): string {
  return candidate.evaluation ? String(candidate.evaluation.quality) : 'not evaluated';
}

/**
 * Prompts per category in the order of `leastUsed` (unused by this actor first, then least used
 * overall), shuffled within each group of equal usage by the seed, each used at most once.
 */
function choosePrompts(input: PlanInput, kept: Record<TrainingCategory, number>) {
  const random = mulberry32(input.seed);
  const usageById = new Map(input.usage.map((row) => [row.promptId, row]));
  const descriptor = String(input.actor.info.descriptor);
  const generations: PlannedGeneration[] = [];
  const unfilled = { photorealistic: 0, bw_stylized: 0, color_stylized: 0 } as Record<TrainingCategory, number>;
  const used = new Set<string>();
  for (const category of TRAINING_CATEGORIES) {
    const needed = Math.max(0, input.targets[category] - kept[category]);
    if (needed === 0) {
      continue;
    }
    const candidates = leastUsed(input.prompts, input.usage, category, Number.MAX_SAFE_INTEGER).filter((prompt) => !used.has(prompt.id));
    const avoid = input.avoidPromptIds ?? new Set<string>();
    const ordered = [...candidates.filter((prompt) => !avoid.has(prompt.id)), ...candidates.filter((prompt) => avoid.has(prompt.id))];
    const picks = shuffleWithinGroups(
      ordered,
      (prompt) => {
        const row = usageById.get(prompt.id);
        return `${avoid.has(prompt.id) ? 'avoid' : 'try'}:${row?.actorCount ?? 0}:${row?.totalCount ?? 0}`;
      },
      random,
    ).slice(0, needed);
    for (const prompt of picks) {
      used.add(prompt.id);
      generations.push({ category, promptId: prompt.id, prompt: fillPrompt(prompt.template, descriptor) });
    }
    unfilled[category] = needed - picks.length;
  }
  return { generations, unfilled };
}

/** Fisher-Yates within each run of equal keys; the runs keep their order. */
export function shuffleWithinGroups<T>(items: readonly T[], key: (item: T) => string, random: () => number): T[] {
  const result: T[] = [];
  let start = 0;
  while (start < items.length) {
    let end = start + 1;
    while (end < items.length && key(items[end]) === key(items[start])) {
      end++;
    }
    const group = items.slice(start, end);
    for (let position = group.length - 1; position > 0; position--) {
      const other = Math.floor(random() * (position + 1));
      [group[position], group[other]] = [group[other], group[position]];
    }
    result.push(...group);
    start = end;
  }
  return result;
}
