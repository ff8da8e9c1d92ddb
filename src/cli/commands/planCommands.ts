import { evaluateActor } from '../../core/evaluate/evaluateActor';
import { LocalChecksEvaluator } from '../../core/evaluate/localChecks';
import { planActorToDisk } from '../../core/plan/planActorToDisk';
import { FileHasher, progressPath } from '../../core/plan/planFiles';
import { planAll } from '../../core/plan/progress';
import { categoryTargets, DEFAULT_TARGET } from '../../core/plan/targets';
import { ActorIndex } from '../../core/workspace/dataIndex';
import type { DataIndex } from '../../core/workspace/types';
import { CliCommand, CliIO, dataRootOption, EXIT_FAILED, EXIT_OK, UsageError } from '../cliSupport';

const SELECTION = {
  'actor-id': { type: 'string' },
  all: { type: 'boolean', default: false },
  evaluator: { type: 'string', default: 'local' },
} as const;

/** The actors a command runs on (`--actor-id ID` or `--all`), from a fresh index. */
async function selectActors(values: Record<string, unknown>, io: CliIO, usage: string): Promise<{ dataRoot: string; index: DataIndex; ids: string[] }> {
  const dataRoot = dataRootOption(values, io);
  const actorId = values['actor-id'] as string | undefined;
  if (Boolean(actorId) === Boolean(values.all)) {
    throw new UsageError(`give either --actor-id ID or --all\nusage: ${usage}`);
  }
  if (values.evaluator !== 'local') {
    throw new UsageError(`--evaluator ${String(values.evaluator)} is not available yet; use local`);
  }
  const index = await new ActorIndex(dataRoot).index();
  if (!index.exists) {
    throw new UsageError(`data folder not found: ${dataRoot} (pass --data DIR)`);
  }
  if (actorId && !index.actors.some((actor) => actor.id === actorId)) {
    throw new UsageError(`unknown actor id "${actorId}" (\`actor-studio actors\` lists them)`);
  }
  return { dataRoot, index, ids: actorId ? [actorId] : index.actors.map((actor) => actor.id) };
}

/** `actor-studio evaluate`: local checks per image, cached in the manifests by content hash. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'check image quality (blur, exposure, resolution, duplicates, category) per actor',
  usage: 'actor-studio evaluate (--actor-id ID | --all) [--evaluator local] [--data DIR] [--json]',
  options: SELECTION,
  async run(values, io) {
    const { dataRoot, index, ids } = await selectActors(values, io, this.usage);
    const evaluator = new LocalChecksEvaluator();
    const hasher = new FileHasher();
    const results = [];
    for (const id of ids) {
      const actor = index.actors.find((candidate) => candidate.id === id)!;
      if (actor.manifestState === 'invalid') {
        io.stderr(`${id}: skipped, its manifest is invalid`);
        continue;
      }
      const result = await evaluateActor({ dataRoot, actor, evaluator, hasher, signal: io.signal });
      results.push(result);
      if (!values.json) {
        io.stdout(`${id}${result.cached ? ' (cached)' : ''}`);
        for (const evaluation of result.evaluations) {
          const flags = evaluation.issues.length > 0 ? `  ${evaluation.issues.join(', ')}` : '';
          io.stdout(`  ${evaluation.filename.padEnd(36)} ${evaluation.category.padEnd(15)} q${evaluation.quality}${flags}`);
        }
      }
    }
    if (values.json) {
      io.stdout(JSON.stringify(results.map((result) => ({ actor_id: result.actorId, evaluator: result.evaluator, cached: result.cached, images: result.evaluations })), null, 2));
    }
    return results.length === ids.length ? EXIT_OK : EXIT_FAILED;
  },
};

/** `actor-studio plan`: evaluates, then writes data/action_plans/<actorId>_action_plan.json and summary.json. */
export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'plan deletions and generations that reach the target (writes data/action_plans/)',
  usage: 'actor-studio plan (--actor-id ID | --all) [--evaluator local] [--seed N] [--fresh] [--data DIR] [--json]',
  options: { ...SELECTION, seed: { type: 'string' }, fresh: { type: 'boolean', default: false } },
  async run(values, io) {
    const { dataRoot, index, ids } = await selectActors(values, io, this.usage);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new UsageError(`--seed must be an integer, not "${values.seed}"`);
    }
    const evaluator = new LocalChecksEvaluator();
    const hasher = new FileHasher();
    const targets = categoryTargets(DEFAULT_TARGET);
    const rows: { actor_id: string; deletions: number; generations: number; file: string }[] = [];
    const planOne = async (actorId: string, signal?: AbortSignal) => {
      const { plan, file } = await planActorToDisk({ dataRoot, actorId, evaluator, targets, seed, index, hasher, signal, thresholds: { ...evaluator.thresholds } });
      rows.push({ actor_id: actorId, deletions: plan.deletions.length, generations: plan.generations.length, file });
      if (!values.json) {
        io.stdout(`${actorId}: -${plan.deletions.length} +${plan.generations.length}  (${file})`);
      }
    };
    let failed: { id: string; reason: string }[] = [];
    if (values.all) {
      // Plan All keeps a journal, so Ctrl+C or a crash resumes where it stopped.
      const result = await planAll({
        progressFile: progressPath(dataRoot),
        actorIds: ids,
        planOne,
        signal: io.signal,
        fresh: Boolean(values.fresh),
        onProgress: (progress) => io.isTTY && !values.json && io.stderr(`  ${progress.done}/${progress.total}${progress.current ? ` ${progress.current}` : ''}`),
      });
      failed = result.failed;
      if (result.skipped.length > 0 && !values.json) {
        io.stdout(`resumed: ${result.skipped.length} actor(s) were planned before the interruption`);
      }
    } else {
      await planOne(ids[0], io.signal);
    }
    failed.forEach((failure) => io.stderr(`${failure.id}: ${failure.reason}`));
    if (values.json) {
      io.stdout(JSON.stringify({ plans: rows, failed }, null, 2));
    }
    return failed.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
