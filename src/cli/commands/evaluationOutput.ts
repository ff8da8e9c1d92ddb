import { InputError } from '../../core/errors';
import { describeUsage, type EvaluationProgress } from '../../core/app/evaluation';
import { sharedFaceIdentity } from '../../core/evaluate/createEvaluator';
import type { ActorEvaluation } from '../../core/evaluate/evaluateActor';
import type { StudioContext } from '../../core/app/context';
import type { CliIO, CliStudio } from '../cliSupport';

/**
 * The use case's context with one face engine in worker threads for this invocation; the
 * evaluator comes from the settings (flags --evaluator and --skip-face among them). Keys come
 * from the environment only.
 */
export async function evaluationContext(studio: CliStudio): Promise<{ context: StudioContext; close: () => Promise<void> }> {
  const base = await studio.context();
  if (studio.settings.settings.evaluation.provider === 'openai' && !studio.credentials.openaiKey) {
    throw new InputError('the evaluator is openai (--evaluator or the actorStudio.evaluator.provider setting) but OPENAI_API_KEY is not set');
  }
  const faces = sharedFaceIdentity({ worker: true });
  return { context: { ...base, faces: faces.get }, close: faces.close };
}

/** `  0000_x: 5/20` on a terminal's stderr while images are evaluated. */
export function progressPrinter(io: CliIO, values: Record<string, unknown>): ((progress: EvaluationProgress) => void) | undefined {
  return io.isTTY && !values.json ? (progress) => io.stderr(`  ${progress.actorId}: ${progress.done}/${progress.images}`) : undefined;
}

export function usageLine(result: ActorEvaluation): string | undefined {
  return result.usage && `  ${describeUsage(result.usage)}`;
}

/** Each actor's images with category, quality, face distance and issues, and what the vision model cost. */
export function printEvaluations(results: readonly ActorEvaluation[], io: CliIO): void {
  for (const result of results) {
    io.stdout(`${result.actorId}${result.cached ? ' (cached)' : ''}`);
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

export function evaluationToJson(result: ActorEvaluation): Record<string, unknown> {
  return {
    actor_id: result.actorId,
    evaluator: result.evaluator,
    cached: result.cached,
    images: result.evaluations,
    ...(result.usage ? { usage: result.usage } : {}),
  };
}
