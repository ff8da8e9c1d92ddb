import { stat } from 'node:fs/promises';
import type { Generator } from './types';
import { LocalGenerator } from './localGenerator';

export type ProviderChoice = 'auto' | 'local' | 'replicate';

export interface GeneratorConfig {
  provider: ProviderChoice;
  replicateToken?: string;
  model: string;
  aspectRatio: string;
  /** Another server speaking Replicate's API (a proxy, or a local one in tests). */
  replicateBaseUrl?: string;
}

export const DEFAULT_REPLICATE_MODEL = 'black-forest-labs/flux-kontext-pro';
export const DEFAULT_ASPECT_RATIO = '16:9';

/** `auto` means Replicate when a token is set, else the offline local generator. */
export function resolveProvider(config: Pick<GeneratorConfig, 'provider' | 'replicateToken'>): 'local' | 'replicate' {
  return config.provider === 'auto' ? (config.replicateToken ? 'replicate' : 'local') : config.provider;
}

/**
 * Builds the generator the settings ask for. The Replicate SDK and its input preparation load
 * only here, when a Replicate generation is about to happen.
 */
export async function createGenerator(config: GeneratorConfig): Promise<Generator> {
  if (resolveProvider(config) === 'local') {
    return new LocalGenerator();
  }
  if (!config.replicateToken) {
    throw new Error('no Replicate API token: run "Actor Studio: Set API Key" (or set REPLICATE_API_TOKEN for the CLI), or use the local provider');
  }
  const [{ ReplicateGenerator }, { toJpegDataUri }] = await Promise.all([import('./replicateGenerator'), import('../image/imageFiles')]);
  return new ReplicateGenerator({
    token: config.replicateToken,
    model: config.model,
    aspectRatio: config.aspectRatio,
    baseUrl: config.replicateBaseUrl,
    prepareInputImage: latestByFile((file: string) => toJpegDataUri(file, 95)),
  });
}

/** Base images kept encoded: enough for the actors one execution works on at once. */
const CACHED_BASE_IMAGES = 4;

/**
 * Remembers the last result per file while the file is unchanged (size and modification time):
 * every generation of an actor sends the same base image, encoded once instead of each time.
 * The file is looked at again at most once a second: a stat on the way to each request would
 * queue behind the synced writes of images being saved.
 */
function latestByFile(compute: (file: string) => Promise<string>): (file: string) => Promise<string> {
  const cache = new Map<string, { stamp: string; checkedAt: number; value: Promise<string> }>();
  return async (file) => {
    const cached = cache.get(file);
    if (cached && Date.now() - cached.checkedAt < RECHECK_MS) {
      return cached.value;
    }
    const { size, mtimeMs } = await stat(file);
    const stamp = `${size}:${mtimeMs}`;
    if (cached?.stamp === stamp) {
      cached.checkedAt = Date.now();
      return cached.value;
    }
    const value = compute(file);
    cache.delete(file);
    if (cache.size >= CACHED_BASE_IMAGES) {
      cache.delete(cache.keys().next().value!); // the oldest: data URIs are large
    }
    cache.set(file, { stamp, checkedAt: Date.now(), value });
    value.catch(() => cache.delete(file));
    return value;
  };
}

const RECHECK_MS = 1_000;
