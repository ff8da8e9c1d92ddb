import { evaluationFromSettings, readWorkspaceSettings, targetFromSettings } from '../../core/config/studioSettings';
import { createEvaluator, sharedFaceIdentity } from '../../core/evaluate/createEvaluator';
import { ActorEvaluation, evaluateActor } from '../../core/evaluate/evaluateActor';
import type { Evaluator } from '../../core/evaluate/types';
import type { TargetSettings } from '../../core/plan/targets';
import { planActorToDisk } from '../../core/plan/planActorToDisk';
import { FileHasher, progressPath } from '../../core/plan/planFiles';
import { planAll } from '../../core/plan/progress';
import { categoryTargets } from '../../core/plan/targets';
import { CliCommand, CliIO, EXIT_FAILED, EXIT_OK, selectActors, UsageError } from '../cliSupport';

const SELECTION = {
  'actor-id': { type: 'string' },
  all: { type: 'boolean', default: false },
  evaluator: { type: 'string' },
  'skip-face': { type: 'boolean', default: false },
} as const;

const EVALUATOR_HELP = '--evaluator local|openai (default: the actorStudio.evaluator.provider setting; openai needs OPENAI_API_KEY)';

interface EvaluationSetup {
  evaluator: Evaluator;
  target: TargetSettings;
  close(): Promise<void>;
}

/**
 * The evaluator and targets from the workspace's .vscode/settings.json (as the editor sees them),
 * with `--evaluator` and `--skip-face` on top. Keys come from the environment only.
 */
async function evaluationSetup(values: Record<string, unknown>, io: CliIO): Promise<EvaluationSetup> {
  const settings = await readWorkspaceSettings(io.cwd).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const evaluation = evaluationFromSettings(settings.get);
  const choice = values.evaluator as string | undefined;
  if (choice !== undefined && choice !== 'local' && choice !== 'openai') {
    throw new UsageError(`unknown evaluator "${choice}"; ${EVALUATOR_HELP}`);
  }
  const env = io.env ?? {};
  if (choice === 'openai' && !env.OPENAI_API_KEY) {
    throw new UsageError('--evaluator openai needs OPENAI_API_KEY in the environment');
  }
  const faces = sharedFaceIdentity({ worker: true });
  const evaluator = await createEvaluator(
    { ...evaluation, provider: choice ?? evaluation.provider, faceIdentity: evaluation.faceIdentity && !values['skip-face'] },
    { openaiKey: env.OPENAI_API_KEY, openaiBaseUrl: env.ACTOR_STUDIO_OPENAI_BASE_URL, faces: faces.get },
  );
  return { evaluator, target: targetFromSettings(settings.get), close: faces.close };
}

/** `  0000_x: 5/20` on a terminal's stderr while images are evaluated. */
function progressPrinter(io: CliIO, values: Record<string, unknown>, actorId: string): ((done: number, total: number) => void) | undefined {
  return io.isTTY && !values.json ? (done, total) => io.stderr(`  ${actorId}: ${done}/${total}`) : undefined;
}

function usageLine(result: ActorEvaluation): string | undefined {
  const usage = result.usage;
  if (!usage) {
    return undefined;
  }
  const cost = usage.estimatedCostUsd === null ? 'no price known for this model' : `estimated $${usage.estimatedCostUsd.toFixed(4)}`;
  return `  vision ${usage.model}: ${usage.requests} request(s), ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens, ${cost}`;
}

/** `actor-studio evaluate`: local checks per image, cached in the manifests by content hash. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'check image quality (blur, exposure, resolution, duplicates, face identity, category; a vision model with a key) per actor',
  usage: 'actor-studio evaluate (--actor-id ID | --all) [--evaluator local|openai] [--skip-face] [--data DIR] [--json]',
  options: SELECTION,
  async run(values, io) {
    const { dataRoot, index, ids } = await selectActors(values, io, this.usage);
    const { evaluator, close } = await evaluationSetup(values, io);
    const hasher = new FileHasher();
    const results: ActorEvaluation[] = [];
    try {
      for (const id of ids) {
        const actor = index.actors.find((candidate) => candidate.id === id)!;
        if (actor.manifestState === 'invalid') {
          io.stderr(`${id}: skipped, its manifest is invalid`);
          continue;
        }
        const result = await evaluateActor({ dataRoot, actor, evaluator, hasher, signal: io.signal, onProgress: progressPrinter(io, values, id) });
        results.push(result);
        if (!values.json) {
          io.stdout(`${id}${result.cached ? ' (cached)' : ''}`);
          for (const evaluation of result.evaluations) {
            const distance = typeof evaluation.identityDistance === 'number' ? ` d${evaluation.identityDistance.toFixed(2)}` : '';
            const flags = evaluation.issues.length > 0 ? `  ${evaluation.issues.join(', ')}` : '';
            io.stdout(`  ${evaluation.filename.padEnd(36)} ${evaluation.category.padEnd(15)} q${evaluation.quality}${distance}${flags}`);
          }
          const spent = usageLine(result);
          if (spent) {
            io.stdout(spent);
          }
        }
      }
    } finally {
      await close();
    }
    if (values.json) {
      io.stdout(
        JSON.stringify(
          results.map((result) => ({ actor_id: result.actorId, evaluator: result.evaluator, cached: result.cached, images: result.evaluations, ...(result.usage ? { usage: result.usage } : {}) })),
          null,
          2,
        ),
      );
    }
    return results.length === ids.length ? EXIT_OK : EXIT_FAILED;
  },
};

/** `actor-studio plan`: evaluates, then writes data/action_plans/<actorId>_action_plan.json and summary.json. */
export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'plan deletions and generations that reach the target (writes data/action_plans/)',
  usage: 'actor-studio plan (--actor-id ID | --all) [--evaluator local|openai] [--skip-face] [--seed N] [--fresh] [--data DIR] [--json]',
  options: { ...SELECTION, seed: { type: 'string' }, fresh: { type: 'boolean', default: false } },
  async run(values, io) {
    const { dataRoot, index, ids } = await selectActors(values, io, this.usage);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new UsageError(`--seed must be an integer, not "${values.seed}"`);
    }
    const { evaluator, target, close } = await evaluationSetup(values, io);
    const hasher = new FileHasher();
    const targets = categoryTargets(target);
    const rows: { actor_id: string; deletions: number; generations: number; file: string }[] = [];
    const planOne = async (actorId: string, signal?: AbortSignal) => {
      const { plan, file, evaluation } = await planActorToDisk({ dataRoot, actorId, evaluator, targets, seed, index, hasher, signal, onProgress: progressPrinter(io, values, actorId) });
      rows.push({ actor_id: actorId, deletions: plan.deletions.length, generations: plan.generations.length, file });
      if (!values.json) {
        io.stdout(`${actorId}: -${plan.deletions.length} +${plan.generations.length}  (${file})`);
        const spent = usageLine(evaluation);
        if (spent) {
          io.stdout(spent);
        }
      }
    };
    let failed: { id: string; reason: string }[];
    try {
      failed = await planSelected(values, io, ids, dataRoot, planOne);
    } finally {
      await close();
    }
    failed.forEach((failure) => io.stderr(`${failure.id}: ${failure.reason}`));
    if (values.json) {
      io.stdout(JSON.stringify({ plans: rows, failed }, null, 2));
    }
    return failed.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};

/** Plans one actor, or all through the journal (progress.json) so Ctrl+C or a crash resumes where it stopped. */
async function planSelected(
  values: Record<string, unknown>,
  io: CliIO,
  ids: string[],
  dataRoot: string,
  planOne: (actorId: string, signal?: AbortSignal) => Promise<void>,
): Promise<{ id: string; reason: string }[]> {
  if (!values.all) {
    await planOne(ids[0], io.signal);
    return [];
  }
  const result = await planAll({
    progressFile: progressPath(dataRoot),
    actorIds: ids,
    planOne,
    signal: io.signal,
    fresh: Boolean(values.fresh),
    onProgress: (progress) => io.isTTY && !values.json && io.stderr(`  ${progress.done}/${progress.total}${progress.current ? ` ${progress.current}` : ''}`),
  });
  if (result.skipped.length > 0 && !values.json) {
    io.stdout(`resumed: ${result.skipped.length} actor(s) were planned before the interruption`);
  }
  return result.failed;
}
