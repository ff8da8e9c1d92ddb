import { describeBatchUsage, describeEstimate, evaluateActorsInBatch, type BatchEvaluationResult } from '../../core/app/batchEvaluation';
import type { BatchImageFailure } from '../../core/evaluate/visionBatch';
import { resolveEvaluator } from '../../core/evaluate/createEvaluator';
import { InputError } from '../../core/errors';
import { CliIO, CliStudio, EXIT_FAILED, EXIT_OK } from '../cliSupport';
import { evaluationContext, evaluationToJson, printEvaluations, progressPrinter } from './evaluationOutput';

/**
 * `evaluate --batch`: the vision model's grids through OpenAI's Batch API at half the price. The
 * estimate goes to stderr before anything is sent; the batch id is saved in the data folder, so
 * Ctrl+C only stops waiting: the batch keeps running and the same command collects it later.
 */
export async function runEvaluateBatch(values: Record<string, unknown>, io: CliIO, studio: CliStudio, ids: readonly string[]): Promise<number> {
  const pollSeconds = values['poll-interval'] === undefined ? 30 : Number(values['poll-interval']);
  if (!Number.isFinite(pollSeconds) || pollSeconds <= 0) {
    throw new InputError(`--poll-interval must be a number of seconds above 0, not "${values['poll-interval']}"`);
  }
  if (resolveEvaluator(studio.settings.settings.evaluation, studio.credentials.openaiKey) === 'local') {
    throw new InputError('--batch sends the grids to the OpenAI vision model: set OPENAI_API_KEY, and leave out --evaluator local');
  }
  const { context, close } = await evaluationContext(studio);
  const talk = values.json ? () => undefined : (text: string) => io.stderr(text);
  let result: BatchEvaluationResult;
  try {
    result = await evaluateActorsInBatch(context, ids, {
      signal: io.signal,
      pollIntervalMs: pollSeconds * 1000,
      onEstimate: (estimate) => {
        talk(describeEstimate(estimate));
        return true;
      },
      onBuild: io.isTTY ? (done, total) => talk(`  building grid ${done}/${total}`) : undefined,
      onPoll: (poll) =>
        talk(`${poll.batchId}: ${poll.status}, ${poll.completed + poll.failed}/${poll.total} done (Ctrl+C stops waiting; the batch keeps running)`),
      onProgress: progressPrinter(io, values),
    });
  } finally {
    await close();
  }
  result.skipped.forEach((skipped) => io.stderr(`${skipped.id}: skipped, ${skipped.reason}`));
  result.notSent.forEach((image) => io.stderr(`${image.actorId}: ${image.filename}: ${image.reason}`));
  result.failed.forEach((failure) => io.stderr(`${failure.actorId}: ${failure.filename}: no answer, ${failure.reason}`));
  if (values.json) {
    io.stdout(
      JSON.stringify(
        {
          outcome: result.outcome,
          resumed: result.resumed,
          batches: result.batches,
          ...(result.estimate ? { estimate: result.estimate } : {}),
          ...(result.usage ? { usage: result.usage } : {}),
          failed: result.failed.map(imageToJson),
          not_sent: result.notSent.map(imageToJson),
          actors: result.evaluations.map(evaluationToJson),
        },
        null,
        2,
      ),
    );
  } else {
    if (result.resumed) {
      io.stdout(`collected batch ${result.batches.map((batch) => `${batch.id} (${batch.status})`).join(', ')}, submitted by an earlier run`);
    }
    if (result.outcome === 'nothing_to_send') {
      io.stdout('every image has a vision answer for its current bytes already: nothing was sent');
    }
    printEvaluations(result.evaluations, io);
    if (result.usage) {
      io.stdout(describeBatchUsage(result.usage));
    }
    if (result.failed.length > 0) {
      io.stdout(`${result.failed.length} image(s) got no answer; run the same command again to send them`);
    }
  }
  return result.failed.length > 0 || result.skipped.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function imageToJson(image: BatchImageFailure): Record<string, string> {
  return { actor_id: image.actorId, filename: image.filename, reason: image.reason };
}
