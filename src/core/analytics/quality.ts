import { CATEGORIES } from '../manifest/categories';
import { analyzePrompt, type GenerationLog } from '../tracking/generationLog';
import { HIGH_TIER_MIN_STARS, LOW_TIER_MAX_STARS } from '../tracking/ratings';
import type { DataIndex } from '../actors/types';
import { countBy, mean, roundHundredths } from './numbers';
import type { QualityStats, RatedImage, RatingGroup } from './types';

const fileKey = (actorId: string, filename: string) => `${actorId}/${filename}`;
const baseName = (file: string) => file.split(/[\\/]/).pop() ?? file;

/**
 * Every rated image, once, with its latest rating. The manifest is the truth for images still
 * in it (a rating removed there stays removed); the log's ratings add images no manifest holds
 * any more (their newest rating), with the prompt from the log's success entry that saved them.
 */
export function ratedImages(index: DataIndex, log: GenerationLog, actorId?: string): RatedImage[] {
  const inScope = (id: string | undefined) => actorId === undefined || id === actorId;
  const rated: RatedImage[] = [];
  const seen = new Set<string>();
  for (const actor of index.actors.filter((each) => inScope(each.id))) {
    for (const image of actor.images) {
      const entry = image.entry;
      if (entry) {
        seen.add(fileKey(actor.id, image.filename)); // rated or not, the manifest is the truth
      }
      if (!entry?.rating || image.missing) {
        continue;
      }
      rated.push({
        actor_id: actor.id,
        filename: image.filename,
        stars: entry.rating.stars,
        feedback: entry.rating.feedback ?? null,
        prompt_id: entry.prompt_id ?? null,
        prompt: entry.prompt ?? null,
        category: image.category,
        source: 'manifest',
      });
    }
  }
  const saved = new Map(
    log.successes.flatMap((success) => (success.actor_id && success.result_path ? [[fileKey(success.actor_id, baseName(success.result_path)), success]] : [])),
  );
  const latest = new Map<string, GenerationLog['ratings'][number]>();
  for (const rating of log.ratings) {
    const key = fileKey(rating.actor_id, rating.filename);
    if (inScope(rating.actor_id) && !seen.has(key) && (latest.get(key)?.timestamp ?? '') <= rating.timestamp) {
      latest.set(key, rating);
    }
  }
  for (const [key, rating] of latest) {
    if (rating.stars === null) {
      continue; // cleared
    }
    const success = saved.get(key);
    rated.push({
      actor_id: rating.actor_id,
      filename: rating.filename,
      stars: rating.stars,
      feedback: rating.feedback ?? null,
      prompt_id: success?.prompt_id ?? null,
      prompt: success?.prompt ?? null,
      category: success?.category ?? 'unknown',
      source: 'log',
    });
  }
  return rated;
}

function ratingGroup(images: RatedImage[]): RatingGroup {
  const analyses = images.flatMap((image) => (image.prompt === null ? [] : [analyzePrompt(image.prompt)]));
  return {
    images: images.length,
    mean_length: mean(analyses.map((analysis) => analysis.length)),
    mean_word_count: mean(analyses.map((analysis) => analysis.word_count)),
    mean_special_characters: mean(analyses.map((analysis) => analysis.special_characters)),
    categories: countBy(
      CATEGORIES,
      images.map((image) => image.category),
    ),
    prompts: images,
  };
}

const difference = (high: number | null, low: number | null) => (high === null || low === null ? null : roundHundredths(high - low));

/** The rating distribution, and how the prompts of high-rated images differ from low-rated ones. */
export function qualityStats(rated: readonly RatedImage[]): QualityStats {
  const high = ratingGroup(rated.filter((image) => image.stars >= HIGH_TIER_MIN_STARS));
  const low = ratingGroup(rated.filter((image) => image.stars <= LOW_TIER_MAX_STARS));
  return {
    rated: rated.length,
    distribution: countBy(
      ['1', '2', '3', '4', '5'],
      rated.map((image) => String(image.stars)),
    ),
    mean_stars: mean(rated.map((image) => image.stars)),
    high,
    low,
    difference: {
      length: difference(high.mean_length, low.mean_length),
      word_count: difference(high.mean_word_count, low.mean_word_count),
      special_characters: difference(high.mean_special_characters, low.mean_special_characters),
    },
  };
}
