// Estimated cost of a plan's generations. Prices are estimates typed in by hand, not read from
// any provider: what one generated image costs, per model. Replicate bills flux-kontext-pro per
// output image; the offline local generator costs nothing.

/** Currency of every price in the table. */
export const COST_CURRENCY = 'USD';

export interface ModelPrice {
  /** Estimated price of one generated image, in COST_CURRENCY. */
  perImage: number;
  /** Where the figure comes from. */
  source: string;
}

/**
 * Estimated price per generated image, by model id (as recorded in manifests and settings).
 *
 * | model | per image | note |
 * | --- | --- | --- |
 * | black-forest-labs/flux-kontext-pro | $0.04 | Replicate's listed price per output image, as an estimate |
 * | local/augment | $0 | the offline generator (runs on this machine) |
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'black-forest-labs/flux-kontext-pro': { perImage: 0.04, source: 'Replicate price per output image (estimate)' },
  'local/augment': { perImage: 0, source: 'offline generator, no charge' },
};

export const ESTIMATE_NOTE = 'Estimate: prices per image are typed in by hand and may differ from what the provider bills.';

export interface CostEstimate {
  model: string;
  /** Images the plan generates. */
  images: number;
  currency: string;
  /** Per image, when the model's price is known. */
  perImage?: number;
  /** images × perImage, when the model's price is known. */
  total?: number;
  /** Always true: nothing here is a quote. */
  estimate: true;
  /** What the figure means, for people (says it is an estimate, or that the price is unknown). */
  note: string;
}

/** The estimated cost of generating `images` images with `model`. */
export function estimateCost(images: number, model: string, prices: Readonly<Record<string, ModelPrice>> = MODEL_PRICES): CostEstimate {
  const count = Number.isFinite(images) && images > 0 ? Math.floor(images) : 0;
  const price = Object.prototype.hasOwnProperty.call(prices, model) ? prices[model] : undefined;
  if (!price) {
    return { model, images: count, currency: COST_CURRENCY, estimate: true, note: `No price is known for ${model}; the cost cannot be estimated.` };
  }
  // Rounded to hundredths of a cent, so 3 × 0.04 is 0.12 and not 0.12000000000000001.
  const total = Math.round(count * price.perImage * 10_000) / 10_000;
  return {
    model,
    images: count,
    currency: COST_CURRENCY,
    perImage: price.perImage,
    total,
    estimate: true,
    note: `${ESTIMATE_NOTE} ${model}: ${price.source}.`,
  };
}

/** The plan's generations priced with each model (duplicates dropped, order kept). */
export function estimatePlanCost(
  generations: readonly unknown[],
  models: readonly string[],
  prices: Readonly<Record<string, ModelPrice>> = MODEL_PRICES,
): CostEstimate[] {
  return [...new Set(models)].map((model) => estimateCost(generations.length, model, prices));
}

/**
 * `$0.04`, `$0.00`, `$1.20`; other currencies as `1.20 EUR`; `unknown` without a total. With
 * `maxFractionDigits` above 2, fractions of a cent show (`$0.045`), trailing zeros past cents not.
 */
export function formatCost(amount: number | undefined, currency: string = COST_CURRENCY, maxFractionDigits = 2): string {
  if (amount === undefined || !Number.isFinite(amount)) {
    return 'unknown';
  }
  const fixed = amount.toFixed(Math.max(2, maxFractionDigits)).replace(/(\.\d\d\d*?)0+$/, '$1');
  return currency === 'USD' ? `$${fixed}` : `${fixed} ${currency}`;
}
