// The category rule (prompt, pixels, vision model, user), Set Category in core and in the CLI,
// and the accuracy of categories for images with a prompt on a labelled set built from the sample.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadActor } from '../../src/core/actors/loadActor';
import { InputError } from '../../src/core/errors';
import { evaluateActor } from '../../src/core/evaluate/evaluateActor';
import { withJudgement } from '../../src/core/evaluate/localAndVision';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import type { ImageEvaluation } from '../../src/core/evaluate/types';
import { countedCategory, decideCategory, declaredCategoryOf, type Category, type TrainingCategory } from '../../src/core/manifest/categories';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { migrateActors } from '../../src/core/migrate';
import { planActor } from '../../src/core/plan/planner';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { setImageCategory } from '../../src/core/tracking/categories';
import { rateImage } from '../../src/core/tracking/ratings';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData, makeTempDir, REPO_ROOT, SAMPLE_DATA } from './helpers/tempData';

const CARL = '0001_european_35_male';
const EVA = '0000_european_45_female';
const prompt = { source: 'prompt' } as const;

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: REPO_ROOT, isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const load = (dataRoot: string, actorId: string) => loadActor(dataRoot, dataRoot, actorId);
const entryOf = async (dataRoot: string, actorId: string, filename: string) =>
  (await loadManifest(actorPaths(dataRoot, actorId).manifest)).images.find((image) => image.filename === filename)!;

describe('the category rule', () => {
  it('a prompt the pixels agree with gives the category', () => {
    assert.deepEqual(decideCategory({ category: 'photorealistic', ...prompt }, 'colour'), { category: 'photorealistic', source: 'prompt', mismatch: false });
    assert.deepEqual(decideCategory({ category: 'color_stylized', ...prompt }, 'colour'), { category: 'color_stylized', source: 'prompt', mismatch: false });
    assert.deepEqual(decideCategory({ category: 'bw_stylized', ...prompt }, 'grey'), { category: 'bw_stylized', source: 'prompt', mismatch: false });
    // not decoded: the prompt stands
    assert.deepEqual(decideCategory({ category: 'photorealistic', ...prompt }, undefined), { category: 'photorealistic', source: 'prompt', mismatch: false });
    // the vision model does not overrule a prompt the pixels agree with
    assert.equal(decideCategory({ category: 'photorealistic', ...prompt }, 'colour', 'color_stylized').category, 'photorealistic');
  });

  it('grey pixels from a colour prompt are a mismatch counted as black-and-white, whatever the vision model says', () => {
    for (const category of ['photorealistic', 'color_stylized'] as const) {
      assert.deepEqual(decideCategory({ category, ...prompt }, 'grey'), { category: 'bw_stylized', source: 'local', mismatch: true });
      assert.deepEqual(decideCategory({ category, ...prompt }, 'grey', 'photorealistic'), { category: 'bw_stylized', source: 'local', mismatch: true });
    }
  });

  it('colour pixels from a black-and-white prompt are a mismatch: the vision model decides, else the prompt still counts', () => {
    assert.deepEqual(decideCategory({ category: 'bw_stylized', ...prompt }, 'colour'), { category: 'bw_stylized', source: 'prompt', mismatch: true });
    assert.deepEqual(decideCategory({ category: 'bw_stylized', ...prompt }, 'colour', 'photorealistic'), {
      category: 'photorealistic',
      source: 'vision',
      mismatch: true,
    });
    assert.deepEqual(decideCategory({ category: 'bw_stylized', ...prompt }, 'colour', 'unknown'), {
      category: 'bw_stylized',
      source: 'prompt',
      mismatch: true,
    });
  });

  it('without a prompt: grey is black-and-white, colour is the vision model’s or unclassified (never guessed)', () => {
    assert.deepEqual(decideCategory(undefined, 'grey'), { category: 'bw_stylized', source: 'local', mismatch: false });
    assert.deepEqual(decideCategory(undefined, 'colour'), { category: 'unknown', mismatch: false });
    assert.deepEqual(decideCategory(undefined, 'colour', 'color_stylized'), { category: 'color_stylized', source: 'vision', mismatch: false });
    assert.deepEqual(decideCategory(undefined, 'grey', 'photorealistic'), { category: 'bw_stylized', source: 'local', mismatch: false });
    assert.deepEqual(decideCategory(undefined, undefined), { category: 'unknown', mismatch: false });
  });

  it("the user's choice wins over everything and is never a mismatch", () => {
    assert.deepEqual(decideCategory({ category: 'photorealistic', source: 'user' }, 'grey', 'bw_stylized'), {
      category: 'photorealistic',
      source: 'user',
      mismatch: false,
    });
    const entry = { category: 'color_stylized', category_source: 'user', prompt_category: 'bw_stylized' };
    assert.deepEqual(declaredCategoryOf(entry), { category: 'color_stylized', source: 'user' });
    assert.equal(countedCategory(entry, 'bw_stylized'), 'color_stylized');
  });

  it('reads the declared category of an entry: prompt_category, else a prompt or legacy category, never a local or vision one', () => {
    assert.deepEqual(declaredCategoryOf({ category: 'photorealistic' }), { category: 'photorealistic', source: 'prompt' });
    assert.deepEqual(declaredCategoryOf({ category: 'bw_stylized', category_source: 'local', prompt_category: 'photorealistic' }), {
      category: 'photorealistic',
      source: 'prompt',
    });
    assert.equal(declaredCategoryOf({ category: 'bw_stylized', category_source: 'local' }), undefined);
    assert.equal(declaredCategoryOf({ category: 'color_stylized', category_source: 'vision' }), undefined);
    assert.equal(declaredCategoryOf({ category: 'unknown' }), undefined);
  });

  it('the vision model classifies a colour image without a prompt (source vision), not a grey one', () => {
    const local: ImageEvaluation = {
      filename: 'a.jpg',
      sha256: 'x',
      category: 'unknown',
      tone: 'colour',
      quality: 9,
      issues: [],
      reasons: [],
      evaluator: 'local',
    };
    const judgement = { model: 'm', category: 'color_stylized' as const, quality: 8, issues: [], keep: true, reason: 'ok' };
    const merged = withJudgement(local, judgement, 'local+openai:m');
    assert.equal(merged.category, 'color_stylized');
    assert.equal(merged.categorySource, 'vision');
    const grey = withJudgement({ ...local, tone: 'grey', category: 'bw_stylized', categorySource: 'local' }, { ...judgement, category: 'photorealistic' }, 'e');
    assert.equal(grey.category, 'bw_stylized');
    assert.equal(grey.categorySource, 'local');
  });
});

describe('categories through evaluation, planning and Set Category (copy of the sample)', function () {
  this.timeout(60_000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const evaluator = new LocalChecksEvaluator();
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  it('the grey _2 from a photorealistic prompt is a mismatch, counted black-and-white; the tinted photos keep their prompt; tree and plan agree; the cache holds', async () => {
    const result = await evaluateActor({ dataRoot: sample.dataRoot, actor: load(sample.dataRoot, CARL), evaluator });
    const byName = new Map(result.evaluations.map((evaluation) => [evaluation.filename, evaluation]));
    const grey = byName.get(`${CARL}_2.jpg`)!;
    assert.equal(grey.category, 'bw_stylized');
    assert.equal(grey.categorySource, 'local');
    assert.ok(grey.issues.includes('category_mismatch'), grey.reasons.join('; '));
    assert.ok(grey.reasons.some((reason) => /category mismatch: generated from a photorealistic prompt, but the pixels are grey/.test(reason)));
    assert.equal(grey.quality, 8, 'the mismatch takes 2 points off');
    for (const n of [0, 1]) {
      const tinted = byName.get(`${CARL}_${n}.jpg`)!;
      assert.deepEqual([tinted.category, tinted.categorySource, tinted.issues.includes('category_mismatch')], ['photorealistic', 'prompt', false]);
    }
    assert.equal(byName.get(`${CARL}_5.jpg`)!.category, 'color_stylized');

    const entry = await entryOf(sample.dataRoot, CARL, `${CARL}_2.jpg`);
    assert.deepEqual([entry.category, entry.category_source, entry.prompt_category], ['bw_stylized', 'local', 'photorealistic']);
    assert.equal((await entryOf(sample.dataRoot, CARL, `${CARL}_0.jpg`)).category_source, 'prompt');

    const actor = load(sample.dataRoot, CARL);
    assert.deepEqual(actor.counts, { photorealistic: 2, bw_stylized: 3, color_stylized: 1, unknown: 0 });
    const plan = planActor({
      actor,
      evaluations: result.evaluations,
      targets: { photorealistic: 13, bw_stylized: 4, color_stylized: 3 },
      prompts: [],
      usage: [],
      seed: 1,
    });
    assert.deepEqual(plan.kept, { photorealistic: 2, bw_stylized: 3, color_stylized: 1 });
    assert.ok(!plan.deletions.some((deletion) => deletion.filename === `${CARL}_2.jpg`), 'a mismatch never deletes by itself');
    const overQuota = planActor({
      actor,
      evaluations: result.evaluations,
      targets: { photorealistic: 13, bw_stylized: 2, color_stylized: 3 },
      prompts: [],
      usage: [],
      seed: 1,
    });
    assert.deepEqual(
      overQuota.deletions.map((deletion) => deletion.filename),
      [`${CARL}_2.jpg`],
      'over quota, the mismatch goes first',
    );

    const again = await evaluateActor({ dataRoot: sample.dataRoot, actor: load(sample.dataRoot, CARL), evaluator });
    assert.equal(again.cached, true);
    assert.deepEqual(
      again.evaluations.map((evaluation) => [evaluation.filename, evaluation.category, evaluation.categorySource ?? null]),
      result.evaluations.map((evaluation) => [evaluation.filename, evaluation.category, evaluation.categorySource ?? null]),
    );
  });

  it("a user's category is never overwritten by evaluation, planning or migrate; the stored mismatch is settled and evaluated again", async () => {
    await evaluateActor({ dataRoot: sample.dataRoot, actor: load(sample.dataRoot, CARL), evaluator });
    const outcome = await setImageCategory(sample.dataRoot, { actorId: CARL, filename: `${CARL}_2.jpg`, category: 'photorealistic' });
    assert.deepEqual(outcome.previous, { category: 'bw_stylized', source: 'local' });
    let entry = await entryOf(sample.dataRoot, CARL, `${CARL}_2.jpg`);
    assert.deepEqual([entry.category, entry.category_source, entry.prompt_category], ['photorealistic', 'user', 'photorealistic']);
    assert.ok(!entry.evaluation?.issues?.includes('category_mismatch'));
    assert.equal(load(sample.dataRoot, CARL).counts.photorealistic, 3, 'the tree counts it where the user put it');

    const result = await evaluateActor({ dataRoot: sample.dataRoot, actor: load(sample.dataRoot, CARL), evaluator });
    assert.equal(result.cached, false, 'the declared category changed, so the image is evaluated again');
    const evaluation = result.evaluations.find((each) => each.filename === `${CARL}_2.jpg`)!;
    assert.deepEqual([evaluation.category, evaluation.categorySource], ['photorealistic', 'user']);
    assert.ok(!evaluation.issues.includes('category_mismatch'));
    assert.equal(evaluation.quality, 10);
    const actor = load(sample.dataRoot, CARL);
    const plan = planActor({
      actor,
      evaluations: result.evaluations,
      targets: { photorealistic: 1, bw_stylized: 4, color_stylized: 3 },
      prompts: [],
      usage: [],
      seed: 1,
    });
    assert.equal(plan.kept.photorealistic, 1);
    await migrateActors({ dataRoot: sample.dataRoot, actorIds: [CARL] });
    entry = await entryOf(sample.dataRoot, CARL, `${CARL}_2.jpg`);
    assert.deepEqual([entry.category, entry.category_source], ['photorealistic', 'user']);
    assert.equal(load(sample.dataRoot, CARL).counts.photorealistic, 3);
  });

  it('Set Category keeps unknown fields, works under the lock beside ratings, and names the manifest for an unknown image', async () => {
    const manifestPath = actorPaths(sample.dataRoot, EVA).manifest;
    const raw = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
    raw.custom_top = { kept: true };
    raw.images.find((image: { filename: string }) => image.filename === `${EVA}_13.jpg`).custom_field = 'mine';
    await fs.writeFile(manifestPath, JSON.stringify(raw, null, 2));
    // Both writers at once, many times: each takes the actor's lock, so neither change is lost.
    await Promise.all([
      ...[1, 2, 3, 4, 5].map((stars) => rateImage(sample.dataRoot, { actorId: EVA, filename: `${EVA}_13.jpg`, stars })),
      ...(['photorealistic', 'bw_stylized', 'color_stylized'] as const).map((category) =>
        setImageCategory(sample.dataRoot, { actorId: EVA, filename: `${EVA}_7.jpg`, category }),
      ),
      setImageCategory(sample.dataRoot, { actorId: EVA, filename: `${EVA}_13.jpg`, category: 'color_stylized' }),
    ]);
    const after = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
    const thirteen = after.images.find((image: { filename: string }) => image.filename === `${EVA}_13.jpg`);
    assert.deepEqual(after.custom_top, { kept: true });
    assert.equal(thirteen.custom_field, 'mine');
    assert.equal(thirteen.category, 'color_stylized');
    assert.equal(thirteen.category_source, 'user');
    assert.ok(thirteen.rating.stars >= 1);
    assert.equal(after.images.find((image: { filename: string }) => image.filename === `${EVA}_7.jpg`).category_source, 'user');

    await assert.rejects(
      setImageCategory(sample.dataRoot, { actorId: EVA, filename: `${EVA}_12.jpg`, category: 'photorealistic' }),
      (error: unknown) =>
        error instanceof InputError && error.file === manifestPath && error.message.includes(manifestPath) && error.message.includes(`${EVA}_12.jpg`),
    );
    await assert.rejects(setImageCategory(sample.dataRoot, { actorId: EVA, filename: `${EVA}_7.jpg`, category: 'sepia' }), InputError);
    await assert.rejects(setImageCategory(sample.dataRoot, { actorId: 'nobody', filename: 'x.jpg', category: 'photorealistic' }), InputError);
  });

  it('actor-studio set-category: exit 0 with --json or text, 2 for bad input', async () => {
    const data = ['--data', sample.dataRoot];
    const ok = await cli(['set-category', ...data, '--actor-id', EVA, '--image', `${EVA}_13.jpg`, '--category', 'color_stylized', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), {
      actor_id: EVA,
      filename: `${EVA}_13.jpg`,
      category: 'color_stylized',
      category_source: 'user',
      previous: { category: 'unknown', category_source: null },
      prompt_category: null,
    });
    const text = await cli(['set-category', ...data, '--actor-id', CARL, '--image', `${CARL}_2.jpg`, '--category', 'bw_stylized']);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, `${CARL}/${CARL}_2.jpg: B&W stylized (user) (was Photorealistic)`);
    assert.equal((await entryOf(sample.dataRoot, CARL, `${CARL}_2.jpg`)).prompt_category, 'photorealistic');

    const bad = await cli(['set-category', ...data, '--actor-id', EVA, '--image', `${EVA}_13.jpg`, '--category', 'sepia']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /category must be one of photorealistic, bw_stylized, color_stylized/);
    const missing = await cli(['set-category', ...data, '--actor-id', EVA, '--image', `${EVA}_12.jpg`, '--category', 'photorealistic']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /manifest\.json: no image "0000_european_45_female_12\.jpg"/);
    const usage = await cli(['set-category', ...data, '--actor-id', EVA]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--actor-id, --image and --category are required/);
  });
});

/**
 * A labelled set: sample images (whose true category is known, sample/README.md) as generated
 * from a library prompt of their category, plus images whose prompt their pixels contradict.
 */
describe('category accuracy on a labelled set (images with a prompt)', function () {
  this.timeout(60_000);
  const ACTOR = '0100_labelled_30_female';
  type Label = { source: string; truth: TrainingCategory; prompt: TrainingCategory };
  const A = (n: number) => `${EVA}/${EVA}_${n}.jpg`;
  const C = (n: number) => `${CARL}/${CARL}_${n}.jpg`;
  const M = (n: number) => `0002_mixed_30_nonbinary/0002_mixed_30_nonbinary_${n}.jpg`;
  const consistent: Label[] = [
    ...[A(0), A(1), A(2), A(8), A(9), A(10), A(11), A(12), C(0), C(1), M(0)].map((source) => ({
      source,
      truth: 'photorealistic' as const,
      prompt: 'photorealistic' as const,
    })),
    ...[A(5), A(6), C(3), C(4), M(1)].map((source) => ({ source, truth: 'bw_stylized' as const, prompt: 'bw_stylized' as const })),
    ...[A(7), A(13), C(5), M(2)].map((source) => ({ source, truth: 'color_stylized' as const, prompt: 'color_stylized' as const })),
  ];
  // The pixels contradict the prompt: grey from colour prompts (truly black-and-white), a colour photo from a black-and-white prompt.
  const contradicting: Label[] = [
    { source: C(2), truth: 'bw_stylized', prompt: 'photorealistic' },
    { source: A(3), truth: 'photorealistic', prompt: 'bw_stylized' },
  ];
  const greyForColour: Label = { source: C(4), truth: 'bw_stylized', prompt: 'color_stylized' };
  const labels = [...consistent, ...contradicting, greyForColour];
  let temp: { dir: string; cleanup: () => Promise<void> };
  let counted: Map<string, Category>;
  let evaluations: Map<string, ImageEvaluation>;
  const name = (position: number) => `${ACTOR}_${position}.jpg`;

  before(async () => {
    temp = await makeTempDir();
    const paths = actorPaths(temp.dir, ACTOR);
    await fs.mkdir(paths.trainingDir, { recursive: true });
    const promptOf = (category: TrainingCategory) => BUILTIN_PROMPTS.find((each) => each.category === category)!;
    const images = [];
    for (const [position, label] of labels.entries()) {
      await fs.copyFile(
        path.join(SAMPLE_DATA, 'actors', label.source.split('/')[0], 'training_data', label.source.split('/')[1]),
        path.join(paths.trainingDir, name(position)),
      );
      const library = promptOf(label.prompt);
      images.push({ filename: name(position), index: position, category: label.prompt, category_source: 'prompt', source: 'generated', prompt_id: library.id });
    }
    await fs.writeFile(paths.manifest, JSON.stringify({ schema_version: 1, images }, null, 2));
    const result = await evaluateActor({ dataRoot: temp.dir, actor: load(temp.dir, ACTOR), evaluator: new LocalChecksEvaluator() });
    evaluations = new Map(result.evaluations.map((evaluation) => [evaluation.filename, evaluation]));
    counted = new Map(load(temp.dir, ACTOR).images.map((image) => [image.filename, image.category]));
  });

  after(() => temp?.cleanup());

  it('is at least 95% right, flags every contradiction and no consistent image; the tree counts what the evaluation decided', () => {
    const right = labels.filter((label, position) => counted.get(name(position)) === label.truth).length;
    const flagged = labels.map((_, position) => evaluations.get(name(position))!.issues.includes('category_mismatch'));
    const consistentFlags = flagged.slice(0, consistent.length).filter(Boolean).length;
    const contradictionFlags = flagged.slice(consistent.length).filter(Boolean).length;
    const consistentRight = consistent.filter((label, position) => counted.get(name(position)) === label.truth).length;
    // With a vision model (its answer taken as the truth) the colour image from a black-and-white prompt is counted right too.
    const withVision = labels.filter((label, position) => {
      const evaluation = evaluations.get(name(position))!;
      return decideCategory(evaluation.declared, evaluation.tone, label.truth).category === label.truth;
    }).length;
    const accuracy = right / labels.length;
    console.log(
      `      category accuracy (images with a prompt): ${right}/${labels.length} = ${(accuracy * 100).toFixed(1)}% ` +
        `(consistent ${consistentRight}/${consistent.length}; contradictions flagged ${contradictionFlags}/${labels.length - consistent.length}, ` +
        `false flags ${consistentFlags}/${consistent.length}; with a vision model ${withVision}/${labels.length})`,
    );
    assert.equal(consistentRight, consistent.length);
    assert.equal(contradictionFlags, labels.length - consistent.length);
    assert.equal(consistentFlags, 0);
    assert.ok(accuracy >= 0.95, `accuracy ${accuracy}`);
    assert.equal(withVision, labels.length);
    for (const [position] of labels.entries()) {
      assert.equal(counted.get(name(position)), evaluations.get(name(position))!.category, name(position));
    }
  });

  it('without prompts: grey images are black-and-white, colour ones stay unclassified, none is wrong', async () => {
    const noPrompt = new LocalChecksEvaluator();
    const images = labels.map((_label, position) => ({
      filename: name(position),
      path: path.join(actorPaths(temp.dir, ACTOR).trainingDir, name(position)),
      sha256: String(position),
    }));
    const results = await noPrompt.evaluate({ actorId: ACTOR, images });
    const right = results.filter((result, position) => result.category === labels[position].truth).length;
    const unclassified = results.filter((result) => result.category === 'unknown').length;
    const wrong = results.length - right - unclassified;
    console.log(`      without a prompt: ${right} right, ${unclassified} unclassified, ${wrong} wrong of ${results.length}`);
    assert.equal(wrong, 0);
  });
});
