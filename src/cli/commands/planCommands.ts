import { InputError } from '../../core/errors';
import { evaluateActors, planActors } from '../../core/app/evaluation';
import type { ActorEvaluation } from '../../core/evaluate/evaluateActor';
import { runEvaluateBatch } from './evaluateBatchRun';
import { evaluationContext, evaluationToJson, printEvaluations, progressPrinter, usageLine } from './evaluationOutput';
import { CliCommand, COMMON_USAGE, EXIT_FAILED, EXIT_OK, selectActors, TARGET_OPTIONS, TARGET_USAGE } from '../cliSupport';

const SELECTION = {
  'actor-id': { type: 'string' },
  all: { type: 'boolean', default: false },
  evaluator: { type: 'string' },
  'skip-face': { type: 'boolean', default: false },
} as const;

/** `actor-studio evaluate`: local checks per image, cached in the manifests by content hash. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'check image quality (blur, exposure, resolution, duplicates, face identity, category; a vision model with a key) per actor',
  usage: `actor-studio evaluate (--actor-id ID | --all) [--evaluator local|openai] [--skip-face] [--batch [--poll-interval SECONDS]] ${COMMON_USAGE}`,
  options: { ...SELECTION, batch: { type: 'boolean', default: false }, 'poll-interval': { type: 'string' } },
  async run(values, io, studio) {
    const { index, ids } = await selectActors(values, studio, this.usage);
    if (values.batch) {
      return runEvaluateBatch(values, io, studio, ids);
    }
    const { context, close } = await evaluationContext(studio);
    let results: ActorEvaluation[];
    try {
      const outcome = await evaluateActors(context, ids, { index, signal: io.signal, onProgress: progressPrinter(io, values) });
      outcome.skipped.forEach((skipped) => io.stderr(`${skipped.id}: skipped, ${skipped.reason}`));
      results = outcome.evaluations;
      if (!values.json) {
        printEvaluations(results, io);
      }
    } finally {
      await close();
    }
    if (values.json) {
      io.stdout(JSON.stringify(results.map(evaluationToJson), null, 2));
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
