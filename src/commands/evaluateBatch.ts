import * as vscode from 'vscode';
import { describeBatchUsage, describeEstimate, type BatchEvaluationResult } from '../core/app/batchEvaluation';
import { CommandContext, requireTrust } from './commandContext';
import { withCancellableProgress } from './progress';

export interface EvaluateAllBatchOptions {
  /** false skips the modal confirmation with the estimate (scripts and tests). */
  confirm?: boolean;
  /** Between polls; default 30 s. */
  pollIntervalMs?: number;
}

const SUBMIT = 'Submit Batch';

/**
 * Evaluate All Actors with the Batch API: a command of its own rather than a setting, because
 * waiting up to a day for half the price is a choice made per run, and Evaluate Actor should stay
 * immediate. The estimate (synchronous and batch price) is confirmed in a modal before anything
 * is sent; Cancel only stops waiting: the batch id is saved, and running the command again
 * collects it instead of submitting again.
 * Programmatic: `executeCommand('actorStudio.evaluateAllBatch', undefined, undefined, { confirm: false })`.
 */
export function evaluateAllBatch(context: CommandContext) {
  return async (_node?: unknown, _nodes?: unknown, options: EvaluateAllBatchOptions = {}): Promise<BatchEvaluationResult | undefined> => {
    if (!requireTrust('evaluating images')) {
      return undefined;
    }
    if ((await context.workspace.services()).setup().evaluator.provider !== 'openai') {
      void vscode.window.showErrorMessage(
        'Actor Studio: the Batch API evaluates with the OpenAI vision model. Run "Actor Studio: Set API Key" for OpenAI, and leave actorStudio.evaluator.provider at auto or openai.',
      );
      return undefined;
    }
    const index = await context.workspace.index();
    const ids = (index?.actors ?? []).filter((actor) => actor.manifestState !== 'invalid').map((actor) => actor.id);
    if (ids.length === 0) {
      void vscode.window.showInformationMessage('Actor Studio: there are no actors to evaluate.');
      return undefined;
    }
    const result = await withCancellableProgress('Actor Studio: evaluating with the Batch API', (signal, report) =>
      context.planning.evaluateBatch(ids, {
        signal,
        pollIntervalMs: options.pollIntervalMs,
        onProgress: report,
        onEstimate: async (estimate) => {
          context.logger.info(describeEstimate(estimate));
          if (options.confirm === false) {
            return true;
          }
          const detail = 'Results come back within 24 hours. Cancel stops waiting, not the batch: run this command again to collect it.';
          return (await vscode.window.showInformationMessage(describeEstimate(estimate), { modal: true, detail }, SUBMIT)) === SUBMIT;
        },
        onBuild: (done, total) => report(`building grid ${done}/${total}`, 0),
        onPoll: (poll) =>
          report(`${poll.batchId} ${poll.status}: ${poll.completed + poll.failed}/${poll.total} (Cancel stops waiting; the batch keeps running)`, 0),
      }),
    );
    result.failed.forEach((failure) => context.logger.warn(`${failure.actorId}: ${failure.filename}: no answer, ${failure.reason}`));
    result.notSent.forEach((image) => context.logger.info(`${image.actorId}: ${image.filename}: ${image.reason}`));
    void vscode.window.showInformationMessage(summary(result));
    return result;
  };
}

function summary(result: BatchEvaluationResult): string {
  if (result.outcome === 'declined') {
    return 'Actor Studio: nothing was sent.';
  }
  if (result.outcome === 'nothing_to_send') {
    return 'Actor Studio: every image has a vision answer for its current bytes already; nothing was sent.';
  }
  const spent = result.usage ? ` ${describeBatchUsage(result.usage)}.` : '';
  const missing = result.failed.length > 0 ? ` ${result.failed.length} image(s) got no answer (see the log); run this command again to send them.` : '';
  return `Actor Studio: ${result.evaluations.length} actor(s) evaluated from the batch.${spent}${missing}`;
}
