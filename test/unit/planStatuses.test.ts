import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { indexDataFolder } from '../../src/core/actors/dataIndex';
import { hashActorImages } from '../../src/core/actors/imageHashes';
import { categoryTargets, DEFAULT_TARGET } from '../../src/core/actors/targets';
import type { ActorRecord } from '../../src/core/actors/types';
import { FileHasher } from '../../src/core/fs/files';
import { readPlanStatus, writeActorPlan, type PlanStatus } from '../../src/core/plan/planFiles';
import { planActor } from '../../src/core/plan/planner';
import { LatestPlanStatusPass, type PlanStatusReader } from '../../src/core/plan/latestPlanStatusPass';
import { readPlanStatuses } from '../../src/core/plan/planStatuses';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { actorPlanPath, plansDir } from '../../src/core/workspace/layout';
import { makeTempDir, writeActor } from './helpers/tempData';

const PLANNED = '0000_european_45_female';
const STALE = '0001_european_35_male';
const INVALID = '0002_asian_25_female';
const NONE = '0003_african_30_male';

describe('plan statuses of many actors', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let dataRoot: string;

  beforeEach(async () => {
    temp = await makeTempDir();
    dataRoot = path.join(temp.dir, 'data');
    for (const id of [PLANNED, STALE, INVALID, NONE]) {
      await writeActor(dataRoot, id, { images: [`${id}_1.jpg`, `${id}_2.jpg`] });
    }
  });
  afterEach(() => temp.cleanup());

  async function writePlan(actor: ActorRecord): Promise<void> {
    const prompts = BUILTIN_PROMPTS.map((prompt) => ({ ...prompt, source: 'builtin' as const }));
    const hashes = await hashActorImages(actor, new FileHasher());
    await writeActorPlan(dataRoot, planActor({ actor, evaluations: [], targets: categoryTargets(DEFAULT_TARGET), prompts, usage: [], seed: 7, hashes }));
  }

  async function statuses(actors: readonly ActorRecord[], signal?: AbortSignal): Promise<Map<string, PlanStatus>> {
    const found = new Map<string, PlanStatus>();
    await readPlanStatuses(dataRoot, actors, new FileHasher(), { onStatus: (actor, status) => found.set(actor.id, status), signal });
    return found;
  }

  it('gives every actor the status reading its plan alone gives, listing the plans folder once', async () => {
    const before = await indexDataFolder(dataRoot);
    assert.deepEqual(
      [...(await statuses(before.actors)).values()].map((status) => status.state),
      ['none', 'none', 'none', 'none'],
      'no plans folder yet',
    );
    await writePlan(before.actors.find((actor) => actor.id === PLANNED)!);
    await writePlan(before.actors.find((actor) => actor.id === STALE)!);
    await fs.writeFile(path.join(dataRoot, 'actors', STALE, 'training_data', `${STALE}_3.jpg`), 'new');
    await fs.writeFile(actorPlanPath(dataRoot, INVALID), '{ "actor_id": 7 }\n');
    await fs.writeFile(path.join(plansDir(dataRoot), 'notes.txt'), 'a file a person left here');

    const index = await indexDataFolder(dataRoot);
    const found = await statuses(index.actors);
    assert.deepEqual(
      index.actors.map((actor) => [actor.id, found.get(actor.id)?.state]),
      [
        [PLANNED, 'planned'],
        [STALE, 'stale'],
        [INVALID, 'invalid'],
        [NONE, 'none'],
      ],
    );
    for (const actor of index.actors) {
      assert.deepEqual(found.get(actor.id), await readPlanStatus(dataRoot, actor, new FileHasher()), actor.id);
    }
  });

  it('stops at the next actor once a newer read supersedes it', async () => {
    const index = await indexDataFolder(dataRoot);
    await writePlan(index.actors[1]);
    const superseded = new AbortController();
    const reported: string[] = [];
    await readPlanStatuses(dataRoot, index.actors, new FileHasher(), {
      onStatus: (actor) => {
        reported.push(actor.id);
        superseded.abort();
      },
      signal: superseded.signal,
    });
    assert.deepEqual(reported, [PLANNED], 'nothing after the abort');
    assert.equal((await statuses(index.actors, superseded.signal)).size, 0, 'an aborted signal reads nothing');
  });

  it('a newer pass supersedes the running one; a pass over some actors takes over what the older had yet to report', async () => {
    const index = await indexDataFolder(dataRoot);
    const [a, b, c, d] = index.actors.map((actor) => actor.id);
    const reports: string[] = [];
    const read: string[] = [];
    // A reader that reports each actor a turn of the event loop after reading it, as hashing does.
    const slowReader: PlanStatusReader = async (actors, pass) => {
      for (const actor of actors) {
        if (pass.signal?.aborted) {
          return;
        }
        read.push(actor.id);
        await new Promise((resolve) => setImmediate(resolve));
        if (!pass.signal?.aborted) {
          pass.onStatus(actor, { state: 'none' });
        }
      }
    };
    const passes = new LatestPlanStatusPass();
    const start = (label: string, actorIds?: string[]) =>
      passes.start(index.actors, actorIds, slowReader, { onStatus: (actor) => reports.push(`${label} ${actor.id}`), onError: assert.fail });

    const full = start('full');
    await new Promise((resolve) => setImmediate(resolve)); // the full pass reports a, is reading b
    const partial = start('partial', [d]);
    await Promise.all([full, partial]);
    assert.deepEqual(reports, [`full ${a}`, `partial ${b}`, `partial ${c}`, `partial ${d}`], 'b was read but superseded before it was reported');
    assert.deepEqual(read, [a, b, b, c, d], 'the full pass stopped at b');

    reports.length = 0;
    const first = start('first');
    const second = start('second');
    await Promise.all([first, second]);
    assert.deepEqual(
      reports,
      index.actors.map((actor) => `second ${actor.id}`),
      'a full read supersedes a full read',
    );
  });
});
