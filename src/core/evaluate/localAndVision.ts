import { decideCategory } from '../manifest/categories';
import { MAX_TILES_PER_GRID } from './compositeGrid';
import type { LocalChecksEvaluator } from './localChecks';
import type { EvaluationRequest, Evaluator, ImageEvaluation, ImageIssue, VisionJudgement } from './types';
import type { VisionEvaluator } from './visionEvaluator';

/** Where the vision answers come from: the model itself, or a finished batch's answers (visionBatch.ts). */
export type VisionSource = Pick<VisionEvaluator, 'id' | 'model' | 'evaluateDetailed'>;

/**
 * The pipeline of DESIGN.md: the local checks (and face identity) on every image, then a vision
 * model over numbered grids. A vision answer is kept with the image's evaluation, so only new or
 * changed images are sent again (an answer is paid for once).
 */
export class LocalAndVisionEvaluator implements Evaluator {
  readonly id: string;
  readonly configKey: string;
  readonly thresholds: Readonly<Record<string, unknown>>;

  constructor(
    private readonly local: LocalChecksEvaluator,
    private readonly vision: VisionSource,
  ) {
    this.id = `${local.id}+${vision.id}`;
    this.configKey = local.configKey;
    this.thresholds = { ...local.thresholds, visionModel: vision.model };
  }

  async evaluate(request: EvaluationRequest): Promise<ImageEvaluation[]> {
    const earlier = (filename: string): VisionJudgement | undefined => {
      const judgement = request.previous?.get(filename)?.vision;
      return judgement?.model === this.vision.model ? judgement : undefined;
    };
    const ask = request.images.filter((image) => !earlier(image.filename));
    const grids = Math.ceil(ask.length / MAX_TILES_PER_GRID);
    const localEvaluations = await this.local.evaluate({
      ...request,
      onProgress: (done, total) => request.onProgress?.(done, total + grids),
    });
    const answered = new Map<string, VisionJudgement>();
    if (ask.length > 0) {
      const localSteps = request.images.length * (this.local.id === 'local' ? 1 : 2);
      const detailed = await this.vision.evaluateDetailed({ ...request, images: ask });
      request.onProgress?.(localSteps + grids, localSteps + grids);
      const verdicts = new Map(detailed.verdicts.map((verdict) => [verdict.filename, verdict]));
      for (const evaluation of detailed.evaluations) {
        const verdict = verdicts.get(evaluation.filename);
        answered.set(evaluation.filename, {
          model: this.vision.model,
          category: evaluation.category,
          quality: evaluation.quality,
          issues: evaluation.issues,
          keep: verdict?.keep ?? true,
          reason: verdict?.reason ?? '',
          ...(verdict?.caption ? { caption: verdict.caption } : {}),
        });
      }
      if (detailed.usage.requests > 0) {
        request.onUsage?.({
          model: this.vision.model,
          requests: detailed.usage.requests,
          promptTokens: detailed.usage.promptTokens,
          completionTokens: detailed.usage.completionTokens,
          estimatedCostUsd: detailed.usage.estimatedCostUsd,
        });
      }
    }
    return localEvaluations.map((evaluation) => {
      const judgement = answered.get(evaluation.filename) ?? earlier(evaluation.filename);
      // Without an answer (a batch that did not answer for it) the result is the local one, under the
      // local id, so the cache does not take it for a complete result and it is asked again.
      return judgement ? withJudgement(evaluation, judgement, this.id) : evaluation;
    });
  }
}

/**
 * One evaluation from both: issues of either, the lower quality, and the category by the rule
 * (decideCategory): the model's for a colour image without a prompt or whose colour contradicts
 * its black-and-white prompt; never over grey pixels (the local check is certain of
 * black-and-white; a model may call a black-and-white photograph photorealistic), a prompt that
 * the pixels agree with, or the user's choice.
 */
export function withJudgement(local: ImageEvaluation, judgement: VisionJudgement, evaluator: string): ImageEvaluation {
  const decision = decideCategory(local.declared, local.tone, judgement.category);
  const { categorySource: _earlier, ...rest } = local;
  return {
    ...rest,
    category: decision.category,
    ...(decision.source ? { categorySource: decision.source } : {}),
    quality: Math.min(local.quality, judgement.quality),
    issues: [...new Set<ImageIssue>([...local.issues, ...judgement.issues])],
    reasons: [...local.reasons, `vision model (${judgement.model}): ${judgement.keep ? 'keep' : 'delete'}, ${judgement.reason}`],
    vision: judgement,
    evaluator,
  };
}
