/**
 * Heavy modules (sharp, the Replicate and S3 SDKs) record here when they load. Bundled modules
 * never show in require.cache, so this is how the benchmark proves activation loads none of them.
 */
const loaded = new Set<string>();

export function markLoaded(name: string): void {
  loaded.add(name);
}

export function loadedHeavyModules(): string[] {
  return [...loaded];
}
