/** The mean rounded to hundredths; null for no values (no data is not zero). */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) {
    return null;
  }
  return roundHundredths(values.reduce((sum, value) => sum + value, 0) / values.length);
}

export function roundHundredths(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Counts of each key, every key present (zero when unseen); values outside `keys` are ignored. */
export function countBy<K extends string>(keys: readonly K[], values: readonly string[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) {
    if (Object.prototype.hasOwnProperty.call(counts, value)) {
      counts[value as K] += 1;
    }
  }
  return counts;
}
