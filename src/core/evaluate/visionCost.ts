import { gridLayout, type CompositeGridOptions } from './compositeGrid';

/**
 * What vision requests cost: list prices per model, the cost of the tokens a request used, and
 * (for the Batch API, which bills half) an estimate of a grid request's tokens before it is sent.
 */

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * List prices (USD per million tokens, standard tier) as published by OpenAI when this was
 * written. The cost computed from them is an ESTIMATE: prices change, cached input is billed
 * less, and image tokens are already inside prompt_tokens. A dated model name
 * (gpt-4o-2024-08-06) uses its family's price; a model not listed has no estimate (null).
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
};

/** The price for `model`: exact name first, then the longest listed name it starts with followed by '-'. */
export function priceFor(model: string, prices: Readonly<Record<string, ModelPrice>> = MODEL_PRICES): ModelPrice | undefined {
  if (prices[model]) {
    return prices[model];
  }
  const family = Object.keys(prices)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? prices[family] : undefined;
}

export function estimateCostUsd(model: string, promptTokens: number, completionTokens: number, prices?: Readonly<Record<string, ModelPrice>>): number | null {
  const price = priceFor(model, prices);
  if (!price) {
    return null;
  }
  return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
}

/** The Batch API bills this share of the synchronous price. */
export const BATCH_PRICE_FACTOR = 0.5;

/** Completion tokens one tile's answer takes, about (category, quality, issues, reason, caption as JSON). */
const COMPLETION_TOKENS_PER_TILE = 75;

/**
 * Input tokens of one image by OpenAI's tile rule for gpt-4o and gpt-4.1 (high detail): fitted in
 * 2048 x 2048, then its short side brought down to 768, 170 tokens per 512-pixel tile plus 85.
 * Other models count images differently, so this is an estimate.
 */
export function imageTokens(width: number, height: number, detail: 'low' | 'high' | 'auto' = 'high'): number {
  if (detail === 'low') {
    return 85;
  }
  let scale = Math.min(1, 2048 / Math.max(width, height));
  scale *= Math.min(1, 768 / Math.min(width * scale, height * scale));
  return 85 + 170 * Math.ceil((width * scale) / 512) * Math.ceil((height * scale) / 512);
}

/** Estimated tokens of one grid request: the prompt text (4 characters a token), the grid, the base image at its largest, and the answer. */
export function estimateGridRequestTokens(
  tileCount: number,
  promptText: string,
  options: { grid?: CompositeGridOptions; baseImageMaxEdge?: number; detail?: 'low' | 'high' | 'auto'; hasBase: boolean },
): { promptTokens: number; completionTokens: number } {
  const grid = gridLayout(tileCount, options.grid);
  const baseEdge = options.baseImageMaxEdge ?? 768;
  const promptTokens =
    Math.ceil(promptText.length / 4) +
    imageTokens(grid.width, grid.height, options.detail) +
    (options.hasBase ? imageTokens(baseEdge, baseEdge, options.detail) : 0);
  return { promptTokens, completionTokens: 10 + COMPLETION_TOKENS_PER_TILE * tileCount };
}
