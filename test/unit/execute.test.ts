import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { dryRunPlans, executePlans, listRuns, undoRun, type ExecuteRequest, type ExecutionEvent } from '../../src/core/execute';
import { LocalChecksEvaluator } from '../../src/core/evaluate/localChecks';
import { LocalGenerator } from '../../src/core/generate/localGenerator';
import { GenerationError, type GenerationRequest, type GenerationResult, type Generator } from '../../src/core/generate/types';
import { executionJournalSchema } from '../../src/core/manifest/dataFileSchemas';
import { validateJsonText } from '../../src/core/manifest/jsonFile';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { planActorToDisk } from '../../src/core/plan/planActorToDisk';
import { readActorPlan } from '../../src/core/plan/planFiles';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import { imageNumber } from '../../src/core/workspace/layout';
import { copySampleData, snapshot } from './helpers/tempData';

const EILEEN = '0000_european_45_female';

/** The offline generator, counting calls and the most requests in flight at once; can fail some prompts. */
class CountingGenerator implements Generator {
  readonly provider = 'local' as const;
  readonly model: string;
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly inner = new LocalGenerator();

  constructor(private readonly options: { delayMs?: number; failPrompts?: Set<string> } = {}) {
    this.model = this.inner.model;
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.options.delayMs ?? 5));
      request.signal?.throwIfAborted();
      if (this.options.failPrompts?.has(request.promptId)) {
        throw new GenerationError('Replicate rate limit (HTTP 429)', 'rate_limit');
      }
      return await this.inner.generate(request);
    } finally {
      this.inFlight--;
    }
  }
}

describe('executor: carrying out plans', function () {
  this.timeout(60000);
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  const training = () => path.join(sample.dataRoot, 'actors', EILEEN, 'training_data');
  const manifestOf = () => loadManifest(path.join(training(), 'manifest.json'));

  beforeEach(async () => {
    sample = await copySampleData();
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: EILEEN,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets(DEFAULT_TARGET),
      seed: 7,
    });
  });
  afterEach(() => sample.cleanup());

  const execute = (generator: Generator, extra: Partial<ExecuteRequest> = {}) =>
    executePlans({ dataRoot: sample.dataRoot, actorIds: [EILEEN], mode: 'everything', generator, ...extra });

  it('dry run lists exactly what execution then does, and writes nothing', async () => {
    const before = await snapshot(sample.dataRoot);
    const dry = await dryRunPlans({ dataRoot: sample.dataRoot, actorIds: [EILEEN], mode: 'everything', model: 'local/augment' });
    assert.deepEqual(await snapshot(sample.dataRoot), before, 'a dry run changes nothing');
    const plan = await readActorPlan(sample.dataRoot, EILEEN);
    assert.ok(plan.state === 'ok');
    assert.equal(dry.deletions, plan.value.deletions.length);
    assert.equal(dry.generations, plan.value.generations.length);
    assert.equal(dry.cost.total, 0);
    // The sample's highest number is 13 (_4 is missing on purpose): new images start at 14.
    assert.equal(dry.actors[0].create[0].filename, `${EILEEN}_14.jpg`);

    const summary = await execute(new CountingGenerator());
    assert.equal(summary.status, 'completed');
    const created = summary.done.filter((operation) => operation.kind === 'generate').map((operation) => [operation.filename, operation.promptId]);
    const announced = dry.actors[0].create.map((entry) => [entry.filename, entry.promptId]);
    assert.deepEqual(created.sort(), announced.sort(), 'each prompt got the name the dry run gave it');
    const trashed = summary.done
      .filter((operation) => operation.kind === 'delete')
      .map((operation) => operation.filename)
      .sort();
    assert.deepEqual(trashed, dry.actors[0].trash.map((entry) => entry.filename).sort());
  });

  it('reaches the plan: new images with the next numbers, deletions in the trash, manifest and files in step', async () => {
    const plan = await readActorPlan(sample.dataRoot, EILEEN);
    assert.ok(plan.state === 'ok');
    const events: ExecutionEvent[] = [];
    const summary = await execute(new CountingGenerator(), { onEvent: (event) => events.push(event) });
    assert.equal(summary.failed.length, 0);
    assert.equal(summary.done.length, plan.value.deletions.length + plan.value.generations.length);
    for (const deletion of plan.value.deletions) {
      await assert.rejects(fs.access(path.join(training(), deletion.filename)), `${deletion.filename} left the training folder`);
      await fs.access(path.join(sample.dataRoot, '.trash', summary.runId, 'actors', EILEEN, 'training_data', deletion.filename));
    }
    const manifest = await manifestOf();
    const onDisk = (await fs.readdir(training())).filter((name) => /\.(jpg|png)$/.test(name)).sort();
    const tracked = manifest.images.map((entry) => entry.filename).sort();
    // The sample's untracked _12 stays untracked (the plan kept it); everything else is in step.
    assert.deepEqual(
      onDisk.filter((name) => name !== `${EILEEN}_12.jpg`),
      tracked,
    );
    for (const entry of manifest.images) {
      const bytes = await fs.readFile(path.join(training(), entry.filename));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), entry.sha256, entry.filename);
    }
    const numbers = onDisk.map((name) => imageNumber(EILEEN, name));
    assert.equal(new Set(numbers).size, numbers.length, 'no number twice');
    assert.deepEqual(
      manifest.images
        .filter((entry) => (entry.index ?? 0) >= 14)
        .map((entry) => entry.prompt_id)
        .sort(),
      plan.value.generations.map((generation) => generation.prompt_id).sort(),
      'one image per planned generation',
    );
    const journal = validateJsonText(await fs.readFile(summary.journal, 'utf8'), executionJournalSchema);
    assert.ok(journal.ok && journal.value.status === 'completed');
    const finishedEvents = events.filter((event) => event.type === 'operation-finished');
    assert.equal(finishedEvents.length, summary.done.length);
    assert.deepEqual(
      (await listRuns(sample.dataRoot)).map((run) => [run.runId, run.status, run.deleted, run.generated]),
      [[summary.runId, 'completed', plan.value.deletions.length, plan.value.generations.length]],
    );
  });

  it('keeps at most N model requests in flight', async () => {
    const two = new CountingGenerator({ delayMs: 30 });
    await execute(two, { mode: 'generate_only' });
    assert.equal(two.maxInFlight, 2, 'the default is 2');
    await planActorToDisk({
      dataRoot: sample.dataRoot,
      actorId: EILEEN,
      evaluator: new LocalChecksEvaluator(),
      targets: categoryTargets({ ...DEFAULT_TARGET, total: 40 }),
      seed: 8,
    });
    const three = new CountingGenerator({ delayMs: 30 });
    await execute(three, { mode: 'generate_only', concurrency: 3 });
    assert.equal(three.maxInFlight, 3);
  });

  it('records failures with their reason and goes on with the rest', async () => {
    const plan = await readActorPlan(sample.dataRoot, EILEEN);
    assert.ok(plan.state === 'ok');
    const failing = new Set(plan.value.generations.slice(0, 2).map((generation) => generation.prompt_id));
    const summary = await execute(new CountingGenerator({ failPrompts: failing }), { mode: 'generate_only' });
    assert.equal(summary.status, 'completed');
    assert.deepEqual(
      summary.failed.map((operation) => [operation.promptId, operation.failureReason]).sort(),
      [...failing].map((id) => [id, 'rate_limit']).sort(),
    );
    assert.equal(summary.done.length, plan.value.generations.length - 2);
  });

  it('Cancel leaves a resumable run; running again finishes it without repeating work', async () => {
    const plan = await readActorPlan(sample.dataRoot, EILEEN);
    assert.ok(plan.state === 'ok');
    const controller = new AbortController();
    const first = new CountingGenerator({ delayMs: 20 });
    const cancelled = await execute(first, {
      signal: controller.signal,
      onEvent: (event) => event.type === 'operation-finished' && event.operation.kind === 'generate' && controller.abort(),
    });
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.remaining > 0);
    const second = new CountingGenerator();
    const resumed = await execute(second);
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.runId, cancelled.runId);
    assert.equal(resumed.status, 'completed');
    const generated = (await manifestOf()).images.filter((entry) => (entry.index ?? 0) >= 14);
    assert.equal(generated.length, plan.value.generations.length, 'every planned image exactly once');
    assert.ok(second.calls <= plan.value.generations.length - 1, 'finished generations are not asked for again');
  });

  it('adopts an image written before a crash instead of generating it again', async () => {
    const summary = await execute(new CountingGenerator(), { mode: 'generate_only' });
    // Simulate a crash between writing the file and recording it: drop its entry, mark the operation started.
    const journalText = JSON.parse(await fs.readFile(summary.journal, 'utf8'));
    const last = journalText.operations.at(-1);
    Object.assign(last, { state: 'started' });
    journalText.status = 'running';
    await fs.writeFile(summary.journal, JSON.stringify(journalText, null, 2));
    const manifestFile = path.join(training(), 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    manifest.images = manifest.images.filter((entry: { filename: string }) => entry.filename !== last.filename);
    await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 2));

    const again = new CountingGenerator();
    const resumed = await execute(again, { mode: 'generate_only' });
    assert.equal(resumed.resumed, true);
    assert.equal(again.calls, 0, 'nothing generated again');
    const adopted = (await manifestOf()).images.find((entry) => entry.filename === last.filename);
    assert.equal(adopted?.prompt_id, last.prompt_id);
    assert.equal(adopted?.index, last.number);
  });

  it('undo puts back files, manifest and prompt metadata byte for byte', async () => {
    const files = async () => {
      const result: Record<string, string> = {};
      for (const name of await fs.readdir(training())) {
        result[name] = createHash('sha256')
          .update(await fs.readFile(path.join(training(), name)))
          .digest('hex');
      }
      return result;
    };
    const before = await files();
    const summary = await execute(new CountingGenerator(), { mode: 'delete_only' });
    assert.ok(summary.done.length > 0);
    assert.notDeepEqual(await files(), before);
    const undone = await undoRun({ dataRoot: sample.dataRoot });
    assert.equal(undone.runId, summary.runId);
    assert.equal(undone.restored.length, summary.done.length);
    assert.deepEqual(await files(), before, 'every file, manifest.json and prompt_metadata.json as they were');
    assert.ok((await listRuns(sample.dataRoot))[0].undoneAt);
    await assert.rejects(undoRun({ dataRoot: sample.dataRoot }), /no execution to undo/);
  });

  it('two executions of one actor at once: the second waits, finds the plan stale and does nothing twice', async () => {
    const [a, b] = await Promise.all([
      execute(new CountingGenerator({ delayMs: 10 }), { resume: 'never' }),
      execute(new CountingGenerator({ delayMs: 10 }), { resume: 'never' }),
    ]);
    const skipped = [a, b].filter((summary) => summary.skippedActors.length > 0);
    assert.equal(skipped.length, 1, 'exactly one of them skipped the actor');
    assert.match(skipped[0].skippedActors[0].reason, /stale/);
    const names = (await fs.readdir(training())).filter((name) => /\.(jpg|png)$/.test(name));
    const numbers = names.map((name) => imageNumber(EILEEN, name));
    assert.equal(new Set(numbers).size, numbers.length);
  });
});
