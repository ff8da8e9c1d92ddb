import { InputError } from '../../core/errors';
import { describeUsage, evaluateActors, planActors, type EvaluationProgress } from '../../core/app/evaluation';
import { sharedFaceIdentity } from '../../core/evaluate/createEvaluator';
import type { ActorEvaluation } from '../../core/evaluate/evaluateActor';
import type { StudioContext } from '../../core/app/context';
import { CliCommand, CliIO, CliStudio, COMMON_USAGE, EXIT_FAILED, EXIT_OK, selectActors, TARGET_OPTIONS, TARGET_USAGE } from '../cliSupport';

const SELECTION = {
  'actor-id': { type: 'string' },
  all: { type: 'boolean', default: false },
  evaluator: { type: 'string' },
  'skip-face': { type: 'boolean', default: false },
} as const;

/**
 * The use case's context with one face engine in worker threads for this invocation; the
 * evaluator comes from the settings (flags --evaluator and --skip-face among them). Keys come
 * from the environment only.
 */
async function evaluationContext(studio: CliStudio): Promise<{ context: StudioContext; close: () => Promise<void> }> {
  const base = await studio.context();
  if (studio.settings.settings.evaluation.provider === 'openai' && !studio.credentials.openaiKey) {
    throw new InputError('the evaluator is openai (--evaluator or the actorStudio.evaluator.provider setting) but OPENAI_API_KEY is not set');
  }
  const faces = sharedFaceIdentity({ worker: true });
  return { context: { ...base, faces: faces.get }, close: faces.close };
}

/** `  0000_x: 5/20` on a terminal's stderr while images are evaluated. */
function progressPrinter(io: CliIO, values: Record<string, unknown>): ((progress: EvaluationProgress) => void) | undefined {
  return io.isTTY && !values.json ? (progress) => io.stderr(`  ${progress.actorId}: ${progress.done}/${progress.images}`) : undefined;
}

function usageLine(result: ActorEvaluation): string | undefined {
  return result.usage && `  ${describeUsage(result.usage)}`;
}

/** `actor-studio evaluate`: local checks per image, cached in the manifests by content hash. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'check image quality (blur, exposure, resolution, duplicates, face identity, category; a vision model with a key) per actor',
  usage: `actor-studio evaluate (--actor-id ID | --all) [--evaluator local|openai] [--skip-face] ${COMMON_USAGE}`,
  options: SELECTION,
  async run(values, io, studio) {
    const { index, ids } = await selectActors(values, studio, this.usage);
    const { context, close } = await evaluationContext(studio);
    let results: ActorEvaluation[];
    try {
      const outcome = await evaluateActors(context, ids, { index, signal: io.signal, onProgress: progressPrinter(io, values) });
      outcome.skipped.forEach((skipped) => io.stderr(`${skipped.id}: skipped, ${skipped.reason}`));
      results = outcome.evaluations;
      for (const result of results) {
        const id = result.actorId;
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
          results.map((result) => ({
            actor_id: result.actorId,
            evaluator: result.evaluator,
            cached: result.cached,
            images: result.evaluations,
            ...(result.usage ? { usage: result.usage } : {}),
          })),
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
  usage: `actor-studio plan (--actor-id ID | --all) [--evaluator local|openai] [--skip-face] [--seed N] [--fresh] ${TARGET_USAGE} ${COMMON_USAGE}`,
  options: { ...SELECTION, ...TARGET_OPTIONS, seed: { type: 'string' }, fresh: { type: 'boolean', default: false } },
  async run(values, io, studio) {
    const { index, ids } = await selectActors(values, studio, this.usage);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new InputError(`--seed must be an integer, not "${values.seed}"`);
    }
    const { context, close } = await evaluationContext(studio);
    const rows: { actor_id: string; deletions: number; generations: number; file: string }[] = [];
    let result;
    try {
      // --all goes through the journal (progress.json), so Ctrl+C or a crash resumes where it stopped.
      result = await planActors(context, ids, {
        index,
        seed,
        resumable: Boolean(values.all),
        fresh: Boolean(values.fresh),
        signal: io.signal,
        onProgress: progressPrinter(io, values),
        onPlanned: ({ plan, file, evaluation }) => {
          rows.push({ actor_id: plan.actorId, deletions: plan.deletions.length, generations: plan.generations.length, file });
          if (!values.json) {
            io.stdout(`${plan.actorId}: -${plan.deletions.length} +${plan.generations.length}  (${file})`);
            const spent = usageLine(evaluation);
            if (spent) {
              io.stdout(spent);
            }
          }
        },
      });
    } finally {
      await close();
    }
    if (result.resumedFrom.length > 0 && !values.json) {
      io.stdout(`resumed: ${result.resumedFrom.length} actor(s) were planned before the interruption`);
    }
    result.failed.forEach((failure) => io.stderr(`${failure.id}: ${failure.reason}`));
    if (values.json) {
      io.stdout(JSON.stringify({ plans: rows, failed: result.failed }, null, 2));
    }
    return result.failed.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
