import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { estimateCost, estimatePlanCost, formatCost, MODEL_PRICES } from '../../src/core/plan/cost';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { ActionPlanFile } from '../../src/core/plan/planFiles';
import { actorPlanPath } from '../../src/core/workspace/layout';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { buildPlanView, buildReviewItems, deletionRule, describeProblems, loadPlanView, RULE_TEXT } from '../../src/webviews/planReview/planView';
import { markNeedsReview } from './helpers/review';
import { isPlanView, PlanLoad, PlanView } from '../../src/webviews/planReview/protocol';
import { copySampleData } from './helpers/tempData';

const MARTA = '0000_european_45_female';
const FLUX = 'black-forest-labs/flux-kontext-pro';

function planFile(overrides: Partial<ActionPlanFile> = {}): ActionPlanFile {
  return {
    schema_version: 1,
    actor_id: 'a',
    created_at: '2026-01-02T03:04:05.000Z',
    evaluator: 'local',
    seed: 42,
    target: { photorealistic: 13, bw_stylized: 4, color_stylized: 3 },
    kept: { photorealistic: 10, bw_stylized: 4, color_stylized: 1 },
    unfilled: { photorealistic: 0, bw_stylized: 0, color_stylized: 0 },
    unclassified: ['a_20.jpg'],
    deletions: [
      { filename: 'a_1.jpg', reason: 'failed checks: blurry', rule: 'failed_checks' },
      { filename: 'a_2.jpg', reason: 'duplicate of a_3.jpg', rule: 'duplicate' },
      { filename: 'a_4.jpg', reason: 'I do not like it' },
    ],
    generations: [
      { category: 'photorealistic', prompt_id: 'p1', prompt: 'full text one' },
      { category: 'color_stylized', prompt_id: 'c1', prompt: 'colour text' },
      { category: 'photorealistic', prompt_id: 'p2', prompt: 'full text two' },
      { category: 'color_stylized', prompt_id: 'c2' },
      { category: 'photorealistic', prompt_id: 'p3', prompt: 'three' },
    ],
    ...overrides,
  } as ActionPlanFile;
}

function asView(load: PlanLoad): PlanView {
  assert.ok(isPlanView(load), `a plan view, not ${JSON.stringify(load)}`);
  return load;
}

describe('Plan Review: cost estimate', () => {
  it('prices flux-kontext-pro at about $0.04 an image and the local generator at $0, in USD, as an estimate', () => {
    assert.equal(MODEL_PRICES[FLUX].perImage, 0.04);
    assert.equal(MODEL_PRICES['local/augment'].perImage, 0);
    const flux = estimateCost(11, FLUX);
    assert.equal(flux.total, 0.44);
    assert.equal(flux.perImage, 0.04);
    assert.equal(flux.currency, 'USD');
    assert.equal(flux.estimate, true);
    assert.match(flux.note, /estimate/i);
    assert.equal(estimateCost(3, FLUX).total, 0.12, 'no floating-point dust');
    const local = estimateCost(11, 'local/augment');
    assert.equal(local.total, 0);
    assert.equal(formatCost(local.total, local.currency), '$0.00');
  });

  it('has no total for a model without a price, and says so', () => {
    const unknown = estimateCost(5, 'someone/else');
    assert.equal(unknown.total, undefined);
    assert.equal(unknown.perImage, undefined);
    assert.match(unknown.note, /No price is known for someone\/else/);
    assert.equal(formatCost(unknown.total), 'unknown');
  });

  it('formats to cents, or to hundredths of a cent when asked (vision calls cost fractions of one)', () => {
    assert.deepEqual([formatCost(0.045), formatCost(0.12), formatCost(3, 'EUR')], ['$0.04', '$0.12', '3.00 EUR']);
    assert.deepEqual(
      [0.045, 0.165, 0.12, 0, 1.2, 0.0003].map((amount) => formatCost(amount, 'USD', 4)),
      ['$0.045', '$0.165', '$0.12', '$0.00', '$1.20', '$0.0003'],
    );
  });

  it('prices a plan per model, without repeating a model, and never counts negative or fractional images', () => {
    const estimates = estimatePlanCost([1, 2, 3], ['local/augment', FLUX, 'local/augment']);
    assert.deepEqual(
      estimates.map((each) => [each.model, each.images, each.total]),
      [
        ['local/augment', 3, 0],
        [FLUX, 3, 0.12],
      ],
    );
    assert.equal(estimateCost(-2, FLUX).images, 0);
    assert.equal(estimateCost(2.7, FLUX).images, 2);
    assert.equal(formatCost(1.2), '$1.20');
    assert.equal(formatCost(1.2, 'EUR'), '1.20 EUR');
    assert.equal(estimateCost(1, 'constructor').total, undefined, "only the table's own keys are prices");
  });
});

describe('Plan Review: view of a plan file', () => {
  it('keeps the header fields and puts rules in words (a row without a rule was added by hand)', () => {
    const view = buildPlanView(planFile(), { imagePath: (name) => `/data/${name}` });
    assert.equal(view.actorId, 'a');
    assert.equal(view.createdAt, '2026-01-02T03:04:05.000Z');
    assert.equal(view.evaluator, 'local');
    assert.equal(view.seed, 42);
    assert.deepEqual(view.stale, { stale: false, added: [], removed: [], changed: [] });
    assert.deepEqual(
      view.deletions.map((each) => [each.filename, each.rule, each.ruleText, each.reason, each.path]),
      [
        ['a_1.jpg', 'failed_checks', RULE_TEXT.failed_checks, 'failed checks: blurry', '/data/a_1.jpg'],
        ['a_2.jpg', 'duplicate', RULE_TEXT.duplicate, 'duplicate of a_3.jpg', '/data/a_2.jpg'],
        ['a_4.jpg', 'manual', RULE_TEXT.manual, 'I do not like it', '/data/a_4.jpg'],
      ],
    );
    assert.equal(deletionRule('something_new'), 'manual');
    assert.equal(deletionRule('over_quota'), 'over_quota');
  });

  it('groups generations per category in plan order, with labels from the library (the id when unknown) and the full text', () => {
    const view = buildPlanView(planFile(), {
      promptLabels: new Map([
        ['p1', 'Diner booth'],
        ['c1', 'Pop art'],
      ]),
      models: ['local/augment'],
    });
    assert.deepEqual(
      view.categories.map((each) => [each.category, each.label, each.kept, each.target, each.generations.map((generation) => generation.promptId)]),
      [
        ['photorealistic', 'Photorealistic', 10, 13, ['p1', 'p2', 'p3']],
        ['bw_stylized', 'B&W stylized', 4, 4, []],
        ['color_stylized', 'Colour stylized', 1, 3, ['c1', 'c2']],
      ],
    );
    assert.deepEqual(view.categories[0].generations[0], { promptId: 'p1', label: 'Diner booth', text: 'full text one' });
    assert.deepEqual(view.categories[0].generations[1], { promptId: 'p2', label: 'p2', text: 'full text two' });
    assert.equal(view.categories[2].generations[1].text, '');
    assert.equal(view.generationCount, 5);
    assert.deepEqual(view.unclassified, ['a_20.jpg']);
    assert.equal(view.cost.length, 1);
    assert.equal(view.cost[0].total, 0);
  });

  it('carries the staleness it is given, and reads a minimal hand-written plan', () => {
    const view = buildPlanView(planFile(), { staleness: { stale: true, added: ['a_9.jpg'], removed: [], changed: [] } });
    assert.deepEqual(view.stale, { stale: true, added: ['a_9.jpg'], removed: [], changed: [] });
    const minimal = buildPlanView({ schema_version: 1, actor_id: 'b', deletions: [], generations: [] } as ActionPlanFile);
    assert.equal(minimal.createdAt, undefined);
    assert.equal(minimal.seed, undefined);
    assert.deepEqual(
      minimal.categories.map((each) => [each.kept, each.target, each.unfilled]),
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    );
    assert.deepEqual(minimal.cost, []);
    assert.equal(minimal.evaluationSpend, undefined, 'nothing was paid for evaluating');
  });

  it('says what evaluating with a vision model cost, when the plan records it', () => {
    const usage = { model: 'gpt-4o', requests: 2, prompt_tokens: 2400, completion_tokens: 600, estimated_cost_usd: 0.012 };
    assert.equal(
      buildPlanView({ ...planFile(), evaluation_usage: usage }).evaluationSpend,
      'Evaluating for this plan: 2 requests to gpt-4o, 3000 tokens, about $0.01.',
    );
    const unpriced = buildPlanView({ ...planFile(), evaluation_usage: { ...usage, model: 'custom', estimated_cost_usd: null } });
    assert.match(unpriced.evaluationSpend ?? '', /no price known for this model/);
  });

  it('tells a view from "missing" and "invalid", and locates schema problems one-based', () => {
    assert.equal(isPlanView(buildPlanView(planFile())), true);
    assert.equal(isPlanView({ missing: true }), false);
    assert.equal(isPlanView({ invalid: 'x' }), false);
    assert.equal(describeProblems([{ file: 'f', severity: 'error', message: 'bad', line: 0, column: 4 }]), '1:5: bad');
  });
});

describe('Plan Review: loading a plan of the sample', function () {
  this.timeout(60_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;

  before(async () => {
    sample = await copySampleData();
  });
  after(() => sample?.cleanup());

  async function actor() {
    const index = await new ActorIndex(sample.dataRoot).index();
    const record = index.actors.find((each) => each.id === MARTA);
    assert.ok(record);
    return record;
  }

  it('says "missing" before planning', async () => {
    assert.deepEqual(await loadPlanView({ dataRoot: sample.dataRoot, actorId: MARTA, actor: await actor(), models: ['local/augment'] }), { missing: true });
  });

  it('shows the blurred _8 and the dark _9 with reasons, kept + generations reaching 13/4/3, $0.00 with the local generator', async () => {
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: MARTA,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 5,
    });
    const view = asView(await loadPlanView({ dataRoot: sample.dataRoot, actorId: MARTA, actor: await actor(), models: ['local/augment', FLUX] }));
    assert.equal(view.actorId, MARTA);
    assert.equal(view.evaluator, 'local');
    assert.equal(view.seed, 5);
    assert.equal(view.stale.stale, false);
    const byName = new Map(view.deletions.map((each) => [each.filename, each]));
    assert.match(byName.get(`${MARTA}_8.jpg`)?.reason ?? '', /blurry/);
    assert.match(byName.get(`${MARTA}_9.jpg`)?.reason ?? '', /too_dark/);
    assert.equal(byName.get(`${MARTA}_8.jpg`)?.ruleText, RULE_TEXT.failed_checks);
    const trainingDir = path.join(sample.dataRoot, 'actors', MARTA, 'training_data');
    assert.equal(byName.get(`${MARTA}_8.jpg`)?.path, path.join(trainingDir, `${MARTA}_8.jpg`));
    assert.deepEqual(
      view.categories.map((each) => each.kept + each.generations.length + each.unfilled),
      [13, 4, 3],
    );
    assert.deepEqual(
      view.categories.map((each) => each.target),
      [13, 4, 3],
    );
    for (const generation of view.categories.flatMap((each) => each.generations)) {
      assert.ok(generation.text.length > 40, 'the full prompt text');
      assert.notEqual(generation.label, generation.promptId, 'built-in prompts have labels');
    }
    assert.equal(view.cost[0].model, 'local/augment');
    assert.equal(formatCost(view.cost[0].total, view.cost[0].currency), '$0.00');
    assert.equal(view.cost[1].total, Math.round(view.generationCount * 0.04 * 10_000) / 10_000);
  });

  it('is stale, naming the file, once an image changed after planning', async () => {
    const file = path.join(sample.dataRoot, 'actors', MARTA, 'training_data', `${MARTA}_0.jpg`);
    await fs.appendFile(file, Buffer.from([0]));
    const view = asView(await loadPlanView({ dataRoot: sample.dataRoot, actorId: MARTA, actor: await actor(), models: [] }));
    assert.deepEqual(view.stale, { stale: true, added: [], removed: [], changed: [`${MARTA}_0.jpg`] });
  });

  it('says "invalid" with the located problem for a plan that fails its schema', async () => {
    const file = actorPlanPath(sample.dataRoot, MARTA);
    await fs.writeFile(file, JSON.stringify({ actor_id: MARTA, deletions: 'all of them' }, null, 2));
    const load = await loadPlanView({ dataRoot: sample.dataRoot, actorId: MARTA, models: [] });
    assert.ok('invalid' in load, JSON.stringify(load));
    assert.match(load.invalid, /^\d+:\d+: /);
  });

  it("lists the actor's images that need review, with the reason and the path for the thumbnail, until kept", async function () {
    this.timeout(60000);
    const sample = await copySampleData();
    try {
      const carl = '0001_european_35_male';
      await markNeedsReview(sample.dataRoot, carl, `${carl}_4.jpg`, { reason: 'needs review: face turned too far (yaw 61°); identity not scored' });
      const items = buildReviewItems(new ActorIndex(sample.dataRoot).actor(carl));
      assert.deepEqual(
        items.map(({ path: file, ...item }) => ({ ...item, file: path.basename(file ?? '') })),
        [{ filename: `${carl}_4.jpg`, reason: 'face turned too far (yaw 61°); identity not scored', file: `${carl}_4.jpg` }],
      );
      const manifestFile = path.join(sample.dataRoot, 'actors', carl, 'training_data', 'manifest.json');
      const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
      manifest.images.find((entry: { filename: string }) => entry.filename === `${carl}_4.jpg`).review = { decision: 'keep', at: '2026-12-06T09:00:00.000Z' };
      await fs.writeFile(manifestFile, JSON.stringify(manifest));
      assert.deepEqual(buildReviewItems(new ActorIndex(sample.dataRoot).actor(carl)), []);
      assert.deepEqual(buildReviewItems(undefined), []);
    } finally {
      await sample.cleanup();
    }
  });
});
