import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { progressSchema } from '../../src/core/manifest/dataFileSchemas';
import { planAll, PlanAllProgress } from '../../src/core/plan/progress';
import { makeTempDir } from './helpers/tempData';

const PROGRESS_MODULE = path.join(__dirname, '..', '..', 'src', 'core', 'plan', 'progress.js');

// The child: plans fake actors, logging each to a file; at `hangAt` it stops inside planOne
// (kept alive by a timer) so the parent can kill it at a known point.
const WORKER = `
const fs = require('node:fs');
const { planAll } = require(${JSON.stringify(PROGRESS_MODULE)});
const [progressFile, logFile, count, hangAt] = process.argv.slice(2);
const ids = Array.from({ length: Number(count) }, (_, i) => 'actor_' + String(i).padStart(3, '0'));
planAll({
  progressFile,
  actorIds: ids,
  planOne: async (id) => {
    if (id === ids[Number(hangAt)]) {
      setInterval(() => {}, 1000);
      process.stdout.write('hang ' + id + '\\n');
      await new Promise(() => {});
    }
    await new Promise((resolve) => setImmediate(resolve));
    fs.appendFileSync(logFile, id + '\\n');
    process.stdout.write('done ' + id + '\\n');
  },
}).then(() => process.stdout.write('finished\\n'));
`;

function ids(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `actor_${String(i).padStart(3, '0')}`);
}

async function readProgress(file: string) {
  const parsed = progressSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
  assert.ok(parsed.success, 'progress.json is valid');
  return parsed.data!;
}

describe('plan all: progress journal and resume', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let progressFile: string;
  let logFile: string;
  let worker: string;

  beforeEach(async () => {
    temp = await makeTempDir();
    progressFile = path.join(temp.dir, 'data', 'action_plans', 'progress.json');
    logFile = path.join(temp.dir, 'planned.log');
    worker = path.join(temp.dir, 'worker.js');
    await fs.writeFile(worker, WORKER);
  });
  afterEach(() => temp.cleanup());

  /**
   * Runs the worker; on every line it prints, the journal must parse and validate. `killOn`
   * picks the line at which it is killed with SIGKILL.
   */
  function runWorker(count: number, hangAt: number, killOn: (line: string, lines: number) => boolean): Promise<{ killed: boolean; checks: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [worker, progressFile, logFile, String(count), String(hangAt)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buffered = '';
      let lines = 0;
      let checks = 0;
      let killed = false;
      let checking = Promise.resolve();
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const line of parts) {
          lines++;
          if (!killed && killOn(line, lines)) {
            killed = child.kill('SIGKILL');
          }
          checking = checking.then(async () => {
            await readProgress(progressFile);
            checks++;
          });
        }
      });
      child.on('error', reject);
      child.on('exit', () => checking.then(() => resolve({ killed, checks }), reject));
    });
  }

  async function plannedLog(): Promise<string[]> {
    return (await fs.readFile(logFile, 'utf8')).split('\n').filter(Boolean);
  }

  it('resumes after SIGKILL inside an actor: every actor planned exactly once, the journal always valid', async () => {
    const count = 60;
    const hangAt = 23;
    const first = await runWorker(count, hangAt, (line) => line.startsWith('hang '));
    assert.ok(first.killed);
    assert.ok(first.checks > hangAt, 'the journal was read while the child ran');
    const interrupted = await readProgress(progressFile);
    assert.deepEqual(interrupted.completed, ids(hangAt));
    assert.equal(interrupted.finished_at, undefined);

    const progress: PlanAllProgress[] = [];
    const resumed = await planAll({
      progressFile,
      actorIds: ids(count),
      planOne: async (id) => fs.appendFile(logFile, `${id}\n`),
      onProgress: (update) => progress.push(update),
    });
    assert.equal(resumed.resumed, true);
    assert.deepEqual(resumed.skipped, ids(hangAt));
    assert.deepEqual(resumed.completed, ids(count).slice(hangAt));
    assert.deepEqual(await plannedLog(), ids(count), 'each actor planned exactly once, in order');
    const final = await readProgress(progressFile);
    assert.deepEqual(final.completed, ids(count));
    assert.ok(final.finished_at);
    assert.deepEqual(progress.at(-1), { total: count, done: count, current: undefined, completed: count, failed: 0 });
  });

  it('after a kill at any moment, no recorded actor is planned again and at most the one in flight twice', async () => {
    const count = 50;
    const first = await runWorker(count, -1, (_line, lines) => lines === 17);
    assert.ok(first.killed);
    const recorded = (await readProgress(progressFile)).completed;
    await planAll({ progressFile, actorIds: ids(count), planOne: async (id) => fs.appendFile(logFile, `${id}\n`) });
    const log = await plannedLog();
    assert.deepEqual([...new Set(log)].sort(), ids(count), 'every actor planned');
    const twice = ids(count).filter((id) => log.filter((entry) => entry === id).length > 1);
    assert.ok(twice.length <= 1, `planned twice: ${twice.join(', ')}`);
    assert.ok(
      twice.every((id) => !recorded.includes(id)),
      'an actor recorded as completed is never planned again',
    );
  });

  it('stops on abort without counting the actor in flight, then resumes it; failures are recorded and retried', async () => {
    const controller = new AbortController();
    const attempts: string[] = [];
    const first = await planAll({
      progressFile,
      actorIds: ids(6),
      signal: controller.signal,
      planOne: async (id) => {
        attempts.push(id);
        if (id === 'actor_001') throw new Error('manifest unreadable');
        if (id === 'actor_003') {
          controller.abort();
          throw new Error('aborted');
        }
      },
    });
    assert.equal(first.aborted, true);
    assert.deepEqual(first.completed, ['actor_000', 'actor_002']);
    assert.deepEqual(first.failed, [{ id: 'actor_001', reason: 'manifest unreadable' }]);
    const journal = await readProgress(progressFile);
    assert.deepEqual(journal.failed, [{ id: 'actor_001', reason: 'manifest unreadable' }]);

    const second = await planAll({ progressFile, actorIds: ids(6), planOne: async (id) => void attempts.push(id) });
    assert.equal(second.resumed, true);
    assert.deepEqual(second.completed, ['actor_001', 'actor_003', 'actor_004', 'actor_005']);
    assert.deepEqual((await readProgress(progressFile)).failed, []);
  });

  it('starts fresh when asked, after a finished run, for another list of actors, or over an unreadable journal', async () => {
    const planned: string[] = [];
    const planOne = async (id: string) => void planned.push(id);
    await planAll({ progressFile, actorIds: ids(3), planOne });
    const again = await planAll({ progressFile, actorIds: ids(3), planOne });
    assert.equal(again.resumed, false, 'a finished run is not resumed');
    assert.deepEqual(again.completed, ids(3));

    const controller = new AbortController();
    await planAll({ progressFile, actorIds: ids(4), signal: controller.signal, planOne: async (id) => (id === 'actor_001' ? controller.abort() : undefined) });
    const other = await planAll({ progressFile, actorIds: ids(5), planOne });
    assert.equal(other.resumed, false, 'another actor list is another run');

    const stop = new AbortController();
    const stopped = await planAll({
      progressFile,
      actorIds: ids(4),
      signal: stop.signal,
      runId: 'x',
      planOne: async (id) => (id === 'actor_002' ? stop.abort() : undefined),
    });
    assert.deepEqual([stopped.aborted, stopped.completed], [true, ids(3)]);
    const fresh = await planAll({ progressFile, actorIds: ids(4), planOne, fresh: true, runId: 'x' });
    assert.deepEqual([fresh.resumed, fresh.completed], [false, ids(4)], 'fresh plans everything again');

    await fs.writeFile(progressFile, '{ broken');
    const rebuilt = await planAll({ progressFile, actorIds: ids(2), planOne });
    assert.equal(rebuilt.resumed, false);
    assert.match(rebuilt.discarded ?? '', /invalid JSON/);
    assert.deepEqual((await readProgress(progressFile)).completed, ids(2));
  });
});
