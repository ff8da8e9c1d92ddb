import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { actorPlanPath } from '../../../src/core/workspace/layout';
import { BUILTIN_PROMPTS } from '../../../src/core/prompts/builtinPrompts';
import type { LibraryPrompt } from '../../../src/core/prompts/types';
import { generationArchivePath, generationLogPath } from '../../../src/core/workspace/layout';
import { writeActor } from './tempData';

/*
 * A data folder with known analytics numbers (worked out by hand in the tests):
 * two actors, ratings in manifests and in the log, successes and failures over three days
 * (one success and one failure in an archive), and vision usage recorded in both plans.
 */

export const ACTOR_A = '0000_european_45_female';
export const ACTOR_B = '0001_european_35_male';
export const FLUX = 'black-forest-labs/flux-kontext-pro';
export const LOCAL = 'local/augment';

const first = (category: LibraryPrompt['category'], skip = 0): LibraryPrompt => ({
  ...BUILTIN_PROMPTS.filter((prompt) => prompt.category === category)[skip],
  source: 'builtin',
});

/** Four library prompts the fixture uses, in library order. */
export const FIXTURE_PROMPTS = {
  photo1: first('photorealistic'),
  photo2: first('photorealistic', 1),
  bw1: first('bw_stylized'),
  colour1: first('color_stylized'),
};

/** Prompt texts with easy analyses: length / words / special characters. */
export const TEXTS = {
  a1: 'a b c', // 5 / 3 / 0
  a2: 'a b c d e!', // 10 / 5 / 1
  a3: 'x, y', // 4 / 2 / 1
  b1: 'one-two (three)', // 15 / 2 / 3
  gone: '<b>gone</b> prompt', // a deleted image's prompt, with markup that must stay text
};

const image = (filename: string, category: string, promptId: string | null, prompt: string | null, stars?: number, feedback?: string) => ({
  filename,
  category,
  prompt_id: promptId,
  prompt,
  ...(stars ? { rating: { stars, ...(feedback ? { feedback } : {}) } } : {}),
});

const entry = (timestamp: string, actor: string, model: string, extra: Record<string, unknown> = {}) => ({
  id: `${actor}-${timestamp}`,
  timestamp,
  actor_id: actor,
  prompt_id: FIXTURE_PROMPTS.photo1.id,
  prompt: TEXTS.a1,
  model,
  save_method: 'manual',
  ...extra,
});
const failure = (timestamp: string, actor: string, model: string, reason: string) =>
  entry(timestamp, actor, model, { error_message: `failed: ${reason}`, failure_reason: reason });

export async function writeAnalyticsFixture(dataRoot: string): Promise<void> {
  const { photo1, photo2, bw1 } = FIXTURE_PROMPTS;
  await writeActor(dataRoot, ACTOR_A, {
    images: [`${ACTOR_A}_1.jpg`, `${ACTOR_A}_2.jpg`, `${ACTOR_A}_3.jpg`, `${ACTOR_A}_4.jpg`],
    manifest: {
      images: [
        image(`${ACTOR_A}_1.jpg`, 'photorealistic', photo1.id, TEXTS.a1, 5, '<script>alert(1)</script> great'),
        image(`${ACTOR_A}_2.jpg`, 'photorealistic', photo1.id, TEXTS.a2, 4),
        image(`${ACTOR_A}_3.jpg`, 'bw_stylized', bw1.id, TEXTS.a3, 1, 'face melted'),
        image(`${ACTOR_A}_4.jpg`, 'unknown', null, null),
      ],
    },
  });
  await writeActor(dataRoot, ACTOR_B, {
    images: [`${ACTOR_B}_1.jpg`, `${ACTOR_B}_2.jpg`, `${ACTOR_B}_3.jpg`], // _3 is untracked
    manifest: {
      images: [image(`${ACTOR_B}_1.jpg`, 'photorealistic', photo2.id, TEXTS.b1, 2), image(`${ACTOR_B}_2.jpg`, 'color_stylized', photo1.id, null)],
    },
  });

  const archived = {
    successes: [entry('2026-12-01T10:00:00.000Z', ACTOR_A, LOCAL)],
    failures: [failure('2026-12-01T12:00:00.000Z', ACTOR_A, FLUX, 'content_filter')],
    ratings: [],
  };
  const live = {
    successes: [
      entry('2026-12-01T11:00:00.000Z', ACTOR_A, FLUX),
      entry('2026-12-03T09:00:00.000Z', ACTOR_B, FLUX),
      entry('2026-12-03T10:00:00.000Z', ACTOR_A, FLUX, {
        prompt: TEXTS.gone,
        category: 'color_stylized',
        result_path: `actors/${ACTOR_A}/training_data/${ACTOR_A}_9.jpg`,
      }),
    ],
    failures: [
      failure('2026-12-01T13:00:00.000Z', ACTOR_A, LOCAL, 'cancelled'),
      failure('2026-12-03T12:00:00.000Z', ACTOR_B, FLUX, 'content_filter'),
      failure('2026-12-03T13:00:00.000Z', ACTOR_B, FLUX, 'rate_limit'),
    ],
    ratings: [
      // Superseded by the manifest, which holds A_1's current rating (5).
      { timestamp: '2026-12-02T08:00:00.000Z', actor_id: ACTOR_A, filename: `${ACTOR_A}_1.jpg`, stars: 2 },
      // A_4 is in its manifest without a rating (removed there): the log's old rating does not count.
      { timestamp: '2026-12-02T09:00:00.000Z', actor_id: ACTOR_A, filename: `${ACTOR_A}_4.jpg`, stars: 5 },
      // A_9 was deleted: its newest rating in the log (3) counts.
      { timestamp: '2026-12-03T11:00:00.000Z', actor_id: ACTOR_A, filename: `${ACTOR_A}_9.jpg`, stars: 1 },
      { timestamp: '2026-12-03T12:00:00.000Z', actor_id: ACTOR_A, filename: `${ACTOR_A}_9.jpg`, stars: 3, feedback: 'fine' },
    ],
  };
  await fs.mkdir(path.dirname(generationLogPath(dataRoot)), { recursive: true });
  await fs.writeFile(generationArchivePath(dataRoot, 1), JSON.stringify(archived, null, 2));
  await fs.writeFile(generationLogPath(dataRoot), JSON.stringify(live, null, 2));

  const plan = (actorId: string, usage: Record<string, unknown>) => ({
    schema_version: 1,
    actor_id: actorId,
    evaluation_usage: usage,
    deletions: [],
    generations: [],
  });
  await fs.mkdir(path.dirname(actorPlanPath(dataRoot, ACTOR_A)), { recursive: true });
  await fs.writeFile(
    actorPlanPath(dataRoot, ACTOR_A),
    JSON.stringify(plan(ACTOR_A, { model: 'gpt-4o', requests: 2, prompt_tokens: 10000, completion_tokens: 2000, estimated_cost_usd: 0.045 })),
  );
  await fs.writeFile(
    actorPlanPath(dataRoot, ACTOR_B),
    JSON.stringify(plan(ACTOR_B, { model: 'mystery-vision', requests: 1, prompt_tokens: 100, completion_tokens: 10, estimated_cost_usd: null })),
  );
}
