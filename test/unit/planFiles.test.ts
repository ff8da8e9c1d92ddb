import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { actionPlanSchema, planSummarySchema } from '../../src/core/manifest/dataFileSchemas';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import {
  isPlanStale,
  planStaleness,
  planToJson,
  readActorPlan,
  readPlanSummary,
  summaryRow,
  updatePlanSummary,
  writeActorPlan,
  writePlanFile,
} from '../../src/core/plan/planFiles';
import { hashActorImages } from '../../src/core/actors/imageHashes';
import { FileHasher } from '../../src/core/fs/files';
import { actorPlanPath } from '../../src/core/workspace/layout';
import { planActor } from '../../src/core/plan/planner';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { loadActor } from '../../src/core/actors/loadActor';
import { makeTempDir, writeActor } from './helpers/tempData';

const ACTOR = '0003_asian_25_female';

describe('plan files', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let dataRoot: string;

  beforeEach(async () => {
    temp = await makeTempDir();
    dataRoot = path.join(temp.dir, 'data');
  });
  afterEach(() => temp.cleanup());

  async function actorOnDisk(files: Record<string, string>) {
    await writeActor(dataRoot, ACTOR, { extraFiles: files });
    return loadActor(dataRoot, dataRoot, ACTOR);
  }

  function fileOf(name: string): string {
    return path.join(dataRoot, 'actors', ACTOR, 'training_data', name);
  }

  async function plannedActor(files: Record<string, string>) {
    const actor = await actorOnDisk(files);
    const hashes = await hashActorImages(actor, new FileHasher());
    const prompts = BUILTIN_PROMPTS.map((prompt) => ({ ...prompt, source: 'builtin' as const }));
    const plan = planActor({ actor, evaluations: [], targets: categoryTargets(DEFAULT_TARGET), prompts, usage: [], seed: 7, hashes });
    return { actor, plan };
  }

  it('writes a plan valid against its schema, with evaluator, thresholds, seed, time and the hashes seen', async () => {
    const { plan } = await plannedActor({ [`${ACTOR}_1.jpg`]: 'one', [`${ACTOR}_2.jpg`]: 'two' });
    const createdAt = new Date('2026-01-02T03:04:05.000Z');
    const file = await writeActorPlan(dataRoot, plan, { evaluator: 'local', thresholds: { blur: 100, identity: 0.6 }, createdAt });
    assert.equal(file, actorPlanPath(dataRoot, ACTOR));
    const text = await fs.readFile(file, 'utf8');
    const parsed = actionPlanSchema.safeParse(JSON.parse(text));
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    const read = await readActorPlan(dataRoot, ACTOR);
    assert.equal(read.state, 'ok');
    if (read.state !== 'ok') return;
    assert.equal(read.value.evaluator, 'local');
    assert.deepEqual(read.value.thresholds, { blur: 100, identity: 0.6 });
    assert.equal(read.value.seed, 7);
    assert.equal(read.value.created_at, createdAt.toISOString().replace(/Z$/, '+00:00'));
    assert.equal(read.value.seen?.[`${ACTOR}_1.jpg`], createHash('sha256').update('one').digest('hex'));
    assert.equal(read.value.generations.length, plan.generations.length);
    assert.equal(read.value.generations[0].prompt_id, plan.generations[0].promptId);
  });

  it('round-trips hand edits and unknown fields, and refuses an invalid plan', async () => {
    const { plan } = await plannedActor({ [`${ACTOR}_1.jpg`]: 'one' });
    await writeActorPlan(dataRoot, plan);
    const edited = JSON.parse(await fs.readFile(actorPlanPath(dataRoot, ACTOR), 'utf8'));
    edited.reviewer_note = 'checked by hand';
    edited.generations[0].custom = { keep: true };
    edited.generations.pop();
    await writePlanFile(dataRoot, edited);
    const read = await readActorPlan(dataRoot, ACTOR);
    assert.equal(read.state, 'ok');
    if (read.state !== 'ok') return;
    assert.equal(read.value.reviewer_note, 'checked by hand');
    assert.deepEqual(read.value.generations[0].custom, { keep: true });
    assert.equal(read.value.generations.length, plan.generations.length - 1);

    const before = await fs.readFile(actorPlanPath(dataRoot, ACTOR), 'utf8');
    await assert.rejects(writePlanFile(dataRoot, { ...edited, deletions: [{ filename: '../escape.jpg', reason: 'x' }] }));
    await assert.rejects(writePlanFile(dataRoot, { ...edited, actor_id: '../elsewhere' }), /not a valid actor id/);
    assert.equal(await fs.readFile(actorPlanPath(dataRoot, ACTOR), 'utf8'), before, 'a refused plan leaves the file as it was');
  });

  it('reports an invalid plan file with located problems', async () => {
    await fs.mkdir(path.dirname(actorPlanPath(dataRoot, ACTOR)), { recursive: true });
    await fs.writeFile(actorPlanPath(dataRoot, ACTOR), '{\n  "actor_id": "a",\n  "seed": "x"\n}\n');
    const read = await readActorPlan(dataRoot, ACTOR);
    assert.equal(read.state, 'invalid');
    if (read.state !== 'invalid') return;
    assert.equal(read.problems[0].line, 2);
    assert.equal((await readActorPlan(dataRoot, 'nobody')).state, 'missing');
  });

  it('keeps summary.json across actors: rows replaced per actor, others and unknown fields kept', async () => {
    const { plan } = await plannedActor({ [`${ACTOR}_1.jpg`]: 'one' });
    await updatePlanSummary(dataRoot, [summaryRow({ ...plan, actorId: 'b_actor' }), summaryRow(plan)]);
    const file = path.join(dataRoot, 'action_plans', 'summary.json');
    const text = JSON.parse(await fs.readFile(file, 'utf8'));
    text.note = 'kept';
    await fs.writeFile(file, JSON.stringify(text));
    const fewer = { ...plan, generations: plan.generations.slice(0, 2), deletions: [] };
    const summary = await updatePlanSummary(dataRoot, [summaryRow(fewer)]);
    assert.ok(planSummarySchema.safeParse(summary).success);
    const read = await readPlanSummary(dataRoot);
    assert.equal(read.state, 'ok');
    if (read.state !== 'ok') return;
    assert.equal(read.value.note, 'kept');
    assert.deepEqual(
      read.value.actors.map((row) => row.actor_id),
      [ACTOR, 'b_actor'],
    );
    assert.equal(read.value.actors[0].generations, 2);
    assert.equal(read.value.actors[1].generations, plan.generations.length);
    assert.deepEqual(read.value.totals, { actors: 2, deletions: 0, generations: 2 + plan.generations.length });
  });

  it('is stale once a file changes, appears or goes, and fresh while nothing changed', async () => {
    const files = { [`${ACTOR}_1.jpg`]: 'one', [`${ACTOR}_2.jpg`]: 'two', 'untracked.png': 'loose' };
    const { plan } = await plannedActor(files);
    await writeActorPlan(dataRoot, plan);
    const read = await readActorPlan(dataRoot, ACTOR);
    assert.equal(read.state, 'ok');
    if (read.state !== 'ok') return;
    const hasher = new FileHasher();
    const fresh = await loadActor(dataRoot, dataRoot, ACTOR);
    assert.equal(Object.keys(read.value.seen ?? {}).length, 3, 'the untracked file is seen too');
    assert.equal(await isPlanStale(read.value, fresh, hasher), false);
    const hashedOnce = hasher.hashed;
    assert.equal(await isPlanStale(read.value, fresh, hasher), false);
    assert.equal(hasher.hashed, hashedOnce, 'unchanged files are not hashed again');

    await fs.writeFile(fileOf(`${ACTOR}_2.jpg`), 'two, regenerated');
    const changed = await planStaleness(read.value, await loadActor(dataRoot, dataRoot, ACTOR), hasher);
    assert.deepEqual(changed, { stale: true, added: [], removed: [], changed: [`${ACTOR}_2.jpg`] });
    await fs.writeFile(fileOf(`${ACTOR}_2.jpg`), 'two');
    assert.equal(await isPlanStale(read.value, await loadActor(dataRoot, dataRoot, ACTOR), hasher), false, 'same contents again');

    await fs.writeFile(fileOf(`${ACTOR}_3.jpg`), 'three');
    const added = await planStaleness(read.value, await loadActor(dataRoot, dataRoot, ACTOR), hasher);
    assert.deepEqual([added.stale, added.added], [true, [`${ACTOR}_3.jpg`]]);
    await fs.rm(fileOf(`${ACTOR}_3.jpg`));
    await fs.rm(fileOf('untracked.png'));
    const removed = await planStaleness(read.value, await loadActor(dataRoot, dataRoot, ACTOR), hasher);
    assert.deepEqual([removed.stale, removed.removed], [true, ['untracked.png']]);
    assert.equal(await isPlanStale({}, fresh), true, 'a plan without hashes cannot be trusted');
  });

  it('planToJson keeps the planner details as extra keys the schema lets through', async () => {
    const { plan } = await plannedActor({ [`${ACTOR}_1.jpg`]: 'one' });
    const json = planToJson(plan);
    assert.deepEqual(json.unfilled, plan.unfilled);
    assert.deepEqual(json.kept, plan.kept);
    assert.deepEqual(Object.keys(json).slice(0, 3), ['schema_version', 'actor_id', 'created_at']);
  });
});
