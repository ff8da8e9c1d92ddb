// Case 1 of the adversarial review: ids read from data files (journals, plans, the trash) never
// lead undo or execute outside the data folder, and every path goes through one realpath guard.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { InputError } from '../../src/core/errors';
import { readJournals } from '../../src/core/execute/journal';
import { plainId } from '../../src/core/manifest/common';
import { assertWritableInside, OutsideDataFolderError } from '../../src/core/workspace/guards';
import { actorPaths, journalPath, plainName } from '../../src/core/workspace/layout';
import { makeScratch, runCliProcess, type Scratch } from './support/scratch';

const ACTOR = '0000_european_45_female';
const OTHER = '0001_european_35_male';

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(value, null, 2));
}

function journal(runId: string, operations: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return {
    schema_version: 1,
    run_id: runId,
    mode: 'delete_only',
    actor_ids: [ACTOR],
    status: 'completed',
    started_at: '2026-01-01T00:00:00.000Z',
    operations,
    ...extra,
  };
}

/** What a trashed image looks like on disk, placed wherever a hostile journal points. */
async function plantTrash(actorDir: string, filename: string): Promise<void> {
  await fs.mkdir(path.join(actorDir, 'training_data'), { recursive: true });
  await fs.writeFile(path.join(actorDir, 'training_data', filename), 'outside bytes');
  await writeJson(path.join(actorDir, 'trash.json'), {
    entries: [
      {
        filename,
        trashed_at: '2026-01-01T00:00:00.000Z',
        manifest_position: null,
        manifest_entry: null,
        prompt_metadata_position: null,
        prompt_metadata: null,
      },
    ],
  });
}

describe('adversarial paths: ids from data files and the one guard (case 1)', function () {
  this.timeout(120_000);
  let scratch: Scratch;
  beforeEach(async () => (scratch = await makeScratch()));
  afterEach(() => scratch.cleanup());

  it('undo never acts on a journal whose run_id is a path; the journal is named with the problem', async () => {
    const filename = `${ACTOR}_77.jpg`;
    await plantTrash(path.join(scratch.outside, 'run', 'actors', ACTOR), filename);
    const hostile = path.join(scratch.data, 'action_plans', 'runs', 'evil.json');
    await writeJson(hostile, journal('../../outside/run', [{ id: 'x', actor_id: ACTOR, kind: 'delete', state: 'done', filename }]));
    await scratch.rebaseline();

    const undone = await runCliProcess(['undo', '--data', scratch.data]);
    assert.doesNotMatch(undone.stdout, /undo \.\.\/\.\.\/outside/, undone.stdout);
    assert.match(undone.stderr, /evil\.json.*plain name/, undone.stderr);
    const named = await runCliProcess(['undo', '--run', '../../outside/run', '--data', scratch.data]);
    assert.equal(named.code, 2, named.stdout + named.stderr);
    await fs.access(path.join(scratch.data, 'actors', ACTOR, 'training_data', filename)).then(
      () => assert.fail('a file came in from outside'),
      () => undefined,
    );
    await scratch.unchanged();
  });

  it('undo does not follow a link in the trash out of the data folder (no file moved in, no outside trash.json rewritten)', async () => {
    const filename = `${ACTOR}_77.jpg`;
    const outsideActor = path.join(scratch.outside, 'trash-actor');
    await plantTrash(outsideActor, filename);
    await fs.mkdir(path.join(scratch.data, '.trash', 'r1', 'actors'), { recursive: true });
    await fs.symlink(outsideActor, path.join(scratch.data, '.trash', 'r1', 'actors', ACTOR));
    await writeJson(journalPath(scratch.data, 'r1'), journal('r1', [{ id: 'x', actor_id: ACTOR, kind: 'delete', state: 'done', filename }]));
    await scratch.rebaseline();

    const undone = await runCliProcess(['undo', '--run', 'r1', '--data', scratch.data]);
    assert.equal(undone.code, 1, undone.stdout + undone.stderr);
    assert.match(undone.stdout, /not restored .*outside the data folder/, undone.stdout);
    await fs.access(path.join(scratch.data, 'actors', ACTOR, 'training_data', filename)).then(
      () => assert.fail('a file came in from outside'),
      () => undefined,
    );
    await scratch.unchanged();
  });

  it('undo reports a trash record whose file name is a path, per actor and without a stack trace, and restores nothing through it', async () => {
    const trashActor = path.join(scratch.data, '.trash', 'r2', 'actors', ACTOR);
    await plantTrash(trashActor, `${ACTOR}_5.jpg`);
    const record = JSON.parse(await fs.readFile(path.join(trashActor, 'trash.json'), 'utf8'));
    record.entries[0].filename = '../../../../../outside/secret.txt';
    await writeJson(path.join(trashActor, 'trash.json'), record);
    await writeJson(journalPath(scratch.data, 'r2'), journal('r2', [{ id: 'x', actor_id: ACTOR, kind: 'delete', state: 'done', filename: `${ACTOR}_5.jpg` }]));
    await scratch.rebaseline();

    const undone = await runCliProcess(['undo', '--run', 'r2', '--data', scratch.data]);
    assert.equal(undone.code, 1, undone.stdout + undone.stderr);
    assert.match(undone.stdout, /not restored .*trash\.json is not valid/, undone.stdout);
    assert.doesNotMatch(undone.stderr, /\n\s+at /, 'no stack trace');
    await scratch.unchanged();
  });

  it('execute does not resume a journal whose operation actor_id is a path (no outside temp file deleted, no lock made there)', async () => {
    // A temp file named as writeFileAtomic names them, of a process that is gone: admitting the
    // hostile "actor" used to clear it, and its execution lock was made in outside/.
    await fs.writeFile(path.join(scratch.outside, '.secret.txt.4194303.deadbeef.tmp'), 'keep me');
    await writeJson(
      journalPath(scratch.data, '20260101T000000000Z-abcdef'),
      journal('20260101T000000000Z-abcdef', [{ id: 'x', actor_id: '../../outside', kind: 'delete', state: 'pending', filename: 'secret.txt' }], {
        actor_ids: [OTHER],
        status: 'running',
      }),
    );
    await scratch.rebaseline();

    const run = await runCliProcess(['execute', '--actor-id', OTHER, '--execute', '--delete-only', '--provider', 'local', '--data', scratch.data]);
    assert.doesNotMatch(run.stdout + run.stderr, /resuming run 20260101T000000000Z-abcdef/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    await scratch.unchanged();
  });

  it('property: an id is usable as a path segment exactly when it is a plain name, in the layout and in every schema', () => {
    const root = path.resolve('/data');
    const segment = fc.oneof(
      fc.string(),
      fc.constantFrom('..', '.', '', 'a/b', '..\\x', 'a\0b', '../../outside', '/etc', 'C:\\x', 'tab\there', '0000_european_45_female'),
      fc.array(fc.constantFrom('..', '.', '/', '\\', 'a', '\0', '\n'), { maxLength: 6 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(segment, (id) => {
        let dir: string | undefined;
        try {
          dir = actorPaths(root, id).dir;
        } catch (error) {
          assert.ok(error instanceof InputError, String(error));
          assert.throws(() => plainName(id, 'id'), InputError);
        }
        assert.equal(plainId.safeParse(id).success, dir !== undefined, JSON.stringify(id));
        if (dir !== undefined) {
          assert.equal(path.dirname(dir), path.join(root, 'actors'));
          assert.equal(path.basename(dir), id);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: readJournals returns only journals whose run and actor ids are plain names', async () => {
    const id = fc.oneof(fc.constantFrom(ACTOR, 'r1', '..', '../x', 'a/b', '.', '', 'x\\y', '/abs'), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(id, fc.array(id, { minLength: 1, maxLength: 3 }), id, async (runId, actorIds, opActor) => {
        const runs = path.join(scratch.data, 'action_plans', 'runs');
        await fs.rm(runs, { recursive: true, force: true });
        await writeJson(path.join(runs, 'j.json'), {
          ...journal(runId, [{ id: 'x', actor_id: opActor, kind: 'delete', state: 'pending', filename: 'a.jpg' }]),
          actor_ids: actorIds,
          skipped_actors: [{ actor_id: opActor, reason: 'r' }],
        });
        for (const { journal: read } of await readJournals(scratch.data)) {
          for (const value of [read.run_id, ...read.actor_ids, ...read.operations.map((operation) => operation.actor_id)]) {
            assert.doesNotThrow(() => plainName(value, 'id'), JSON.stringify(value));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('property: the guard refuses exactly the paths that lead outside, lexically or through a link', async () => {
    const data = scratch.data;
    await fs.mkdir(path.join(data, 'sub'), { recursive: true });
    await fs.symlink(path.join(data, 'sub'), path.join(data, 'in'));
    await fs.symlink(scratch.outside, path.join(data, 'out'));
    await fs.symlink(path.join(scratch.parent, 'nowhere'), path.join(data, 'dangle'));
    const segments = fc.array(fc.constantFrom('in', 'out', 'dangle', 'sub', 'x', '..', '.'), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(segments, async (parts) => {
        const target = path.resolve(data, ...parts);
        const relative = path.relative(data, target);
        const first = relative.split(path.sep)[0];
        const outside = relative.startsWith('..') || first === 'out' || first === 'dangle';
        const refused = await assertWritableInside(data, target).then(
          () => false,
          (error) => {
            assert.ok(error instanceof OutsideDataFolderError, String(error));
            return true;
          },
        );
        assert.equal(refused, outside, `${parts.join('/')} -> ${relative}`);
      }),
      { numRuns: 300 },
    );
    await scratch.unchanged();
  });
});
