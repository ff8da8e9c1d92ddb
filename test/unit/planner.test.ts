import * as assert from 'node:assert/strict';
import type { ImageEvaluation, ImageIssue } from '../../src/core/evaluate/types';
import { Category, TRAINING_CATEGORIES, TrainingCategory } from '../../src/core/manifest/categories';
import { ActorPlan, planActor, PlanInput } from '../../src/core/plan/planner';
import { DELETING_ISSUES } from '../../src/core/manifest/issues';
import { categoryTargets, CategoryTargets, DEFAULT_TARGET, emptyCounts } from '../../src/core/actors/targets';
import { IMAGE_ISSUES } from '../../src/core/evaluate/types';
import type { LibraryPrompt, PromptUsage } from '../../src/core/prompts/types';
import { mulberry32 } from '../../src/core/util/seededRandom';
import type { ActorImage, ActorRecord } from '../../src/core/actors/types';

const ACTOR = '0007_test_30_female';
const TARGETS = categoryTargets(DEFAULT_TARGET);

interface ImageSpec {
  n: number;
  category?: Category;
  tracked?: boolean;
  missing?: boolean;
  sha256?: string;
}

function sha(n: number): string {
  return n.toString(16).padStart(64, '0');
}

function actorWith(specs: ImageSpec[]): ActorRecord {
  const images: ActorImage[] = specs.map((spec) => {
    const filename = `${ACTOR}_${spec.n}.jpg`;
    const tracked = spec.tracked ?? true;
    return {
      filename,
      path: `/data/actors/${ACTOR}/training_data/${filename}`,
      category: spec.category ?? 'photorealistic',
      number: spec.n,
      tracked,
      missing: spec.missing ?? false,
      ...(tracked ? { entry: { filename, category: spec.category ?? 'photorealistic', sha256: spec.sha256 ?? sha(spec.n) } } : {}),
    } as ActorImage;
  });
  const counts = emptyCounts();
  images.filter((image) => !image.missing).forEach((image) => counts[image.category]++);
  return {
    id: ACTOR,
    dir: `/data/actors/${ACTOR}`,
    manifestPath: `/data/actors/${ACTOR}/training_data/manifest.json`,
    manifestState: 'ok',
    info: { descriptor: 'woman' },
    images,
    counts,
    total: images.length,
    problems: [],
  };
}

function name(n: number): string {
  return `${ACTOR}_${n}.jpg`;
}

function evaluation(n: number, fields: Partial<ImageEvaluation> = {}): ImageEvaluation {
  return { filename: name(n), sha256: sha(n), category: 'photorealistic', quality: 7, issues: [], reasons: [], evaluator: 'test', ...fields };
}

function promptsPer(count: number): LibraryPrompt[] {
  return TRAINING_CATEGORIES.flatMap((category) =>
    Array.from({ length: count }, (_, i) => ({
      id: `${category}_${i}`,
      label: `${category} ${i}`,
      category,
      template: `a {descriptor}, ${category} scene ${i}`,
      source: 'builtin' as const,
    })),
  );
}

function plan(overrides: Partial<PlanInput> & { actor: ActorRecord }): ActorPlan {
  return planActor({ evaluations: [], targets: TARGETS, prompts: promptsPer(30), usage: [], seed: 1, ...overrides });
}

/** n photorealistic images numbered from `from`. */
function photos(count: number, from = 0, category: Category = 'photorealistic'): ImageSpec[] {
  return Array.from({ length: count }, (_, i) => ({ n: from + i, category }));
}

describe('planner: distribution arithmetic', () => {
  it('splits many totals and shares so parts add up to the total and each is within 1 of exact', () => {
    const random = mulberry32(42);
    for (let round = 0; round < 500; round++) {
      const total = Math.floor(random() * 200);
      const shares = { photorealistic: Math.floor(random() * 100), bw_stylized: Math.floor(random() * 100), color_stylized: Math.floor(random() * 100) };
      const weightSum = shares.photorealistic + shares.bw_stylized + shares.color_stylized;
      const targets = categoryTargets({ total, shares });
      const sum = TRAINING_CATEGORIES.reduce((acc, category) => acc + targets[category], 0);
      assert.equal(sum, weightSum === 0 ? 0 : total, `total ${total} shares ${JSON.stringify(shares)}`);
      for (const category of TRAINING_CATEGORIES) {
        const exact = weightSum === 0 ? 0 : (shares[category] / weightSum) * total;
        assert.ok(Math.abs(targets[category] - exact) < 1, `${category}: ${targets[category]} vs exact ${exact}`);
      }
    }
  });

  it('plans an empty actor up to each target, and a full balanced actor not at all', () => {
    for (const total of [0, 1, 7, 20, 33]) {
      const targets = categoryTargets({ total, shares: DEFAULT_TARGET.shares });
      const empty = plan({ actor: actorWith([]), targets });
      assert.equal(empty.deletions.length, 0);
      for (const category of TRAINING_CATEGORIES) {
        assert.equal(empty.generations.filter((generation) => generation.category === category).length, targets[category], `${total} ${category}`);
      }
      const specs: ImageSpec[] = [];
      TRAINING_CATEGORIES.forEach((category) => specs.push(...photos(targets[category], specs.length, category)));
      const full = plan({ actor: actorWith(specs), targets });
      assert.deepEqual([full.deletions.length, full.generations.length], [0, 0], `total ${total}`);
    }
  });
});

describe('planner: prompt choice', () => {
  const prompts = promptsPer(8);
  const usage = (actorUsed: Record<string, number>, overall: Record<string, number>): PromptUsage[] =>
    prompts.map((prompt) => ({ promptId: prompt.id, actorCount: actorUsed[prompt.id] ?? 0, totalCount: overall[prompt.id] ?? 0 }));

  it('fills the prompt for the actor and never uses a prompt twice in one plan', () => {
    const result = plan({ actor: actorWith([]), prompts, targets: { photorealistic: 8, bw_stylized: 8, color_stylized: 8 } });
    assert.equal(new Set(result.generations.map((generation) => generation.promptId)).size, result.generations.length);
    for (const generation of result.generations) {
      const prompt = prompts.find((candidate) => candidate.id === generation.promptId)!;
      assert.equal(prompt.category, generation.category);
      assert.equal(generation.prompt, prompt.template.replace('{descriptor}', 'woman'));
    }
  });

  it('records what it could not fill rather than repeating a prompt', () => {
    const result = plan({ actor: actorWith([]), prompts, targets: { photorealistic: 11, bw_stylized: 2, color_stylized: 0 } });
    assert.equal(result.generations.filter((generation) => generation.category === 'photorealistic').length, 8);
    assert.deepEqual(result.unfilled, { photorealistic: 3, bw_stylized: 0, color_stylized: 0 });
  });

  it('takes prompts this actor has not used first, then the least used overall', () => {
    const actorUsed: Record<string, number> = { photorealistic_0: 1, photorealistic_1: 2, photorealistic_2: 1, photorealistic_3: 1 };
    const overall: Record<string, number> = { photorealistic_0: 9, photorealistic_2: 3, photorealistic_3: 5, photorealistic_4: 7, photorealistic_5: 1 };
    const rows = usage(actorUsed, overall);
    for (let seed = 0; seed < 20; seed++) {
      const result = plan({ actor: actorWith([]), prompts, usage: rows, seed, targets: { photorealistic: 6, bw_stylized: 0, color_stylized: 0 } });
      const ids = result.generations.map((generation) => generation.promptId);
      const key = (id: string) => [actorUsed[id] ?? 0, overall[id] ?? 0];
      // Non-decreasing by (actor count, overall count): unused first, then least used overall.
      for (let i = 1; i < ids.length; i++) {
        const [a, b] = [key(ids[i - 1]), key(ids[i])];
        assert.ok(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]), `seed ${seed}: ${ids.join(',')}`);
      }
      // The four unused by the actor all come before any used one.
      const unused = prompts.filter((prompt) => prompt.category === 'photorealistic' && !actorUsed[prompt.id]).map((prompt) => prompt.id);
      assert.deepEqual(new Set(ids.slice(0, unused.length)), new Set(unused));
      // Of the used ones, the least used overall (2 then 3) follow.
      assert.deepEqual(ids.slice(unused.length), ['photorealistic_2', 'photorealistic_3']);
    }
  });

  it('is deterministic for a seed, and different seeds shuffle equal-usage prompts differently', () => {
    const actor = actorWith([]);
    const orders = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const first = plan({ actor, prompts, seed });
      const again = plan({ actor, prompts, seed });
      assert.deepEqual(again, first);
      assert.equal(first.seed, seed);
      orders.add(first.generations.map((generation) => generation.promptId).join(','));
    }
    assert.ok(orders.size > 1, 'some seeds give other orders');
  });
});

describe('planner: deletions', () => {
  it('deletes images with issues that make them unusable, and only lowers the rank for the others', () => {
    const issues = [...IMAGE_ISSUES];
    const actor = actorWith(issues.map((_, n) => ({ n })));
    const evaluations = issues.map((issue, n) => evaluation(n, { issues: [issue] }));
    const result = plan({ actor, evaluations, targets: { photorealistic: 100, bw_stylized: 0, color_stylized: 0 } });
    issues.forEach((issue, n) => {
      const deletion = result.deletions.find((candidate) => candidate.filename === name(n));
      assert.equal(Boolean(deletion), DELETING_ISSUES.has(issue as ImageIssue), issue);
      if (deletion) {
        assert.equal(deletion.rule, 'failed_checks');
        assert.match(deletion.reason, new RegExp(issue));
        assert.equal(deletion.sha256, sha(n));
      }
    });
  });

  it('deletes failed checks first, then duplicates, then over quota', () => {
    // 17 photorealistic, target 13: three go for checks and duplication, then one is over quota.
    const actor = actorWith(photos(17));
    const evaluations = [
      evaluation(14, { duplicateOf: name(2), issues: ['near_duplicate'] }),
      evaluation(3, { issues: ['blurry', 'too_dark'], quality: 2 }),
      evaluation(9, { issues: ['identity_drift'] }),
    ];
    const result = plan({ actor, evaluations });
    assert.deepEqual(
      result.deletions.map((deletion) => [deletion.filename, deletion.rule]),
      [
        [name(3), 'failed_checks'],
        [name(9), 'failed_checks'],
        [name(14), 'duplicate'],
        [name(16), 'over_quota'], // the rest are unevaluated (equal), so the highest number goes
      ],
    );
    assert.equal(17 - result.deletions.length, TARGETS.photorealistic);
    assert.match(result.deletions[0].reason, /blurry, too_dark/);
    assert.match(result.deletions[2].reason, new RegExp(`duplicate of ${name(2)}`));
  });

  it('keeps a duplicate when the image it defers to is deleted or not on disk, and keeps the best of a cycle', () => {
    const actor = actorWith([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4, missing: true }, { n: 5 }, { n: 6 }]);
    const evaluations = [
      evaluation(1, { issues: ['artifacts'] }),
      evaluation(2, { duplicateOf: name(1) }),
      evaluation(3, { duplicateOf: name(4) }),
      evaluation(5, { duplicateOf: name(6), quality: 8 }),
      evaluation(6, { duplicateOf: name(5), quality: 4 }),
    ];
    const result = plan({ actor, evaluations });
    assert.deepEqual(
      result.deletions.map((deletion) => [deletion.filename, deletion.rule]),
      [
        [name(1), 'failed_checks'],
        [name(6), 'duplicate'],
      ],
    );
  });

  it('over quota: deletes the worst first (lowest quality, then most issues, then highest number)', () => {
    const actor = actorWith(photos(18));
    const evaluations = [
      evaluation(0, { quality: 3 }),
      evaluation(1, { quality: 4, issues: ['looking_at_camera', 'symmetric_framing'] }),
      evaluation(2, { quality: 4, issues: ['looking_at_camera'] }),
      evaluation(5, { quality: 4, issues: ['looking_at_camera'] }),
    ];
    const result = plan({ actor, evaluations });
    // Unevaluated images count as quality 5, so the next is the highest number among them.
    assert.deepEqual(
      result.deletions.map((deletion) => deletion.filename),
      [name(0), name(1), name(5), name(2), name(17)],
    );
    assert.ok(result.deletions.every((deletion) => deletion.rule === 'over_quota' && /over quota in photorealistic \(18\/13\)/.test(deletion.reason)));
    assert.equal(result.kept.photorealistic, TARGETS.photorealistic);
  });

  it("counts by the evaluator's category, else the manifest's; unclassified images count nowhere and are kept", () => {
    const actor = actorWith([...photos(13), { n: 13, category: 'bw_stylized' }, { n: 14, category: 'unknown' }, { n: 15, category: 'unknown' }]);
    const evaluations = [evaluation(0, { category: 'color_stylized' }), evaluation(13, { category: 'unknown' }), evaluation(15, { category: 'bw_stylized' })];
    const result = plan({ actor, evaluations });
    assert.deepEqual(result.deletions, []);
    assert.deepEqual(result.kept, { photorealistic: 12, bw_stylized: 2, color_stylized: 1 });
    assert.deepEqual(result.unclassified, [name(14)]);
    const wanted: CategoryTargets = { photorealistic: 1, bw_stylized: 2, color_stylized: 2 };
    for (const category of TRAINING_CATEGORIES) {
      assert.equal(result.generations.filter((generation) => generation.category === (category as TrainingCategory)).length, wanted[category]);
    }
  });

  it('ignores missing files and evaluations made for other contents; an untracked file counts nowhere (as in the tree) but a defective one is deleted', () => {
    const specs: ImageSpec[] = [...photos(13), { n: 20, missing: true }, { n: 21, tracked: false }, { n: 22, tracked: false }];
    const actor = actorWith(specs);
    const result = plan({
      actor,
      hashes: { [name(21)]: sha(99), [name(22)]: sha(98) },
      evaluations: [
        evaluation(21, { sha256: sha(99), category: 'bw_stylized', categorySource: 'local' }),
        evaluation(22, { sha256: sha(98), issues: ['blurry'] }),
        evaluation(4, { sha256: sha(1234), issues: ['blurry'] }),
      ],
    });
    assert.deepEqual(
      result.deletions.map((deletion) => [deletion.filename, deletion.rule]),
      [[name(22), 'failed_checks']],
    );
    assert.deepEqual(result.kept, { photorealistic: 13, bw_stylized: 0, color_stylized: 0 });
    assert.deepEqual(result.unclassified, [name(21), name(22)]);
    assert.deepEqual(result.staleEvaluations, [name(4)]);
    assert.equal(result.seen[name(21)], sha(99));
    assert.ok(!(name(20) in result.seen), 'a missing file is not seen');
    assert.equal(Object.keys(result.seen).length, 15);
  });
});

describe('planner: the face policy and Balance', () => {
  it('never deletes an unscorable image; deletes identity drift; a near clone goes first when its category is over quota', () => {
    const actor = actorWith(photos(15));
    const evaluations = Array.from({ length: 15 }, (_, n) =>
      evaluation(n, {
        quality: 9,
        issues: n === 0 ? ['unscorable'] : n === 1 ? ['identity_drift'] : n === 2 ? ['near_clone'] : [],
        ...(n === 2 ? { quality: 10 } : {}),
      }),
    );
    const result = plan({ actor, evaluations });
    const byName = new Map(result.deletions.map((deletion) => [deletion.filename, deletion]));
    assert.ok(!byName.has(name(0)), 'an unscorable image needs review, it is never deleted');
    assert.equal(byName.get(name(1))?.rule, 'failed_checks');
    // 14 photos left for 13 places: the near clone goes, although its quality is the highest.
    assert.equal(byName.get(name(2))?.rule, 'over_quota');
    assert.equal(result.deletions.length, 2);
  });

  it('an image a person kept on review goes last when its category is over quota', () => {
    const actor = actorWith(photos(14));
    const kept = actor.images.find((image) => image.filename === name(13))!;
    kept.entry = { ...kept.entry!, review: { decision: 'keep', at: '2026-12-01T00:00:00.000Z' } };
    const evaluations = Array.from({ length: 14 }, (_, n) => evaluation(n, { quality: n === 13 ? 1 : 8 }));
    const result = plan({ actor, evaluations });
    assert.equal(result.deletions.length, 1);
    assert.notEqual(result.deletions[0].filename, name(13), 'the worst image stays: a person kept it');
  });

  it('Balance: prompts whose images failed are tried last, and only when no other prompt is left', () => {
    const actor = actorWith([]);
    const avoid = new Set(['photorealistic_0', 'photorealistic_1']);
    const many = plan({ actor, prompts: promptsPer(20), avoidPromptIds: avoid });
    assert.ok(!many.generations.some((generation) => avoid.has(generation.promptId)), 'enough other prompts: the failed ones are not used');
    const few = plan({ actor, prompts: promptsPer(14), avoidPromptIds: avoid });
    const photoPicks = few.generations.filter((generation) => generation.category === 'photorealistic').map((generation) => generation.promptId);
    assert.equal(photoPicks.length, 13);
    assert.equal(photoPicks.filter((id) => avoid.has(id)).length, 1, '12 other prompts, then one of the failed ones');
  });
});
