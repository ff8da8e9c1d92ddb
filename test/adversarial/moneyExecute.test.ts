// Money, during execute: a disk that fills mid-run stops the run with a clear message (no more
// paid requests, no temporary files left), and a save that fails after payment keeps the image.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs, promises } from 'node:fs';
import * as path from 'node:path';
import { executePlans } from '../../src/core/execute';
import type { Generator } from '../../src/core/generate/types';
import { actorPaths, actorPlanPath, recoveredDir } from '../../src/core/workspace/layout';
import { cleanEnv, makeScratch, runCliProcess, type Scratch } from './support/scratch';

const EVA = '0000_european_45_female';

/** A generator that pays (counts) and returns a real JPEG; `during` runs inside each request. */
function countingGenerator(image: Buffer, during: (call: number) => Promise<void> = async () => undefined) {
  const generator = {
    provider: 'local',
    model: 'test/fake',
    calls: 0,
    async generate() {
      await during(++generator.calls);
      return { bytes: image, extension: 'jpg' as const, model: 'test/fake', parameters: {}, durationMs: 1 };
    },
  };
  return generator as Generator & { calls: number };
}

async function tempFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.tmp')) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}

describe('adversarial: money during execute', function () {
  this.timeout(120_000);
  let scratch: Scratch;
  let planned: { deletions: unknown[]; generations: unknown[] };
  let image: Buffer;
  beforeEach(async () => {
    scratch = await makeScratch();
    const result = await runCliProcess(['plan', '--data', scratch.data, '--actor-id', EVA, '--seed', '1', '--skip-face', '--json'], { env: cleanEnv() });
    assert.equal(result.code, 0, result.stderr);
    planned = JSON.parse(await fs.readFile(actorPlanPath(scratch.data, EVA), 'utf8'));
    image = await fs.readFile(path.join(actorPaths(scratch.data, EVA).trainingDir, `${EVA}_0.jpg`));
  });
  afterEach(() => scratch.cleanup());

  it('6. a disk that fills mid-run: a clear error naming the file, no more paid requests, no temporary files left', async () => {
    const open = promises.open;
    let full = false;
    promises.open = (async (...args: Parameters<typeof open>) => {
      if (full && args[1] === 'wx') {
        throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC', errno: -28, syscall: 'open' });
      }
      return open(...args);
    }) as typeof open;
    const generator = countingGenerator(image, async (call) => {
      if (call === 2) full = true;
    });
    try {
      await assert.rejects(
        executePlans({ dataRoot: scratch.data, actorIds: [EVA], mode: 'generate_only', generator, resume: 'never', concurrency: 1 }),
        (error: Error) => {
          assert.match(error.message, /disk is full: could not write \S+/);
          return true;
        },
      );
    } finally {
      promises.open = open;
    }
    assert.ok(generator.calls < planned.generations.length, `stopped paying: ${generator.calls} of ${planned.generations.length} requests`);
    assert.deepEqual(await tempFilesIn(scratch.data), []);
    await scratch.unchanged();
  });

  it('6. execute sweeps the temporary files killed writers left beside the actors too (plans, tracking), and only those', async () => {
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const plans = path.join(scratch.data, 'action_plans');
    const tracking = path.join(scratch.data, 'tracking');
    await fs.mkdir(tracking, { recursive: true });
    const leftovers = [path.join(plans, `progress.json.lock.${dead}.0a1b2c3d.tmp`), path.join(tracking, `.generation_log.json.${dead}.0a1b2c3d.tmp`)];
    const kept = [path.join(plans, 'notes.tmp'), path.join(tracking, `.generation_log.json.${process.pid}.0a1b2c3d.tmp`)];
    for (const file of [...leftovers, ...kept]) await fs.writeFile(file, '{"half');
    await executePlans({ dataRoot: scratch.data, actorIds: [EVA], mode: 'delete_only', generator: countingGenerator(image), resume: 'never' });
    for (const file of leftovers) await assert.rejects(fs.access(file), `${file} was swept`);
    for (const file of kept) await fs.access(file);
    await scratch.unchanged();
  });

  it('9. a save that fails after payment keeps the image in data/recovered and the journal says where', async () => {
    const manifest = actorPaths(scratch.data, EVA).manifest;
    const before = await fs.readdir(actorPaths(scratch.data, EVA).trainingDir);
    const generator = countingGenerator(image, async (call) => {
      if (call === 1) await fs.writeFile(manifest, '{"images": [ {"filename": 7} ]}'); // broken by another tool meanwhile
    });
    const summary = await executePlans({ dataRoot: scratch.data, actorIds: [EVA], mode: 'generate_only', generator, resume: 'never', concurrency: 1 });
    const kept = (await fs.readdir(recoveredDir(scratch.data, EVA))).filter((name) => name.endsWith('.jpg'));
    assert.equal(kept.length, summary.failed.length, 'every paid image whose save failed is kept');
    assert.ok(kept.length >= 1);
    assert.deepEqual(await fs.readdir(actorPaths(scratch.data, EVA).trainingDir), before, 'no second, untracked copy in training_data');
    assert.ok(
      summary.failed.every((operation) => /kept as .*recovered/.test(operation.error ?? '')),
      JSON.stringify(summary.failed),
    );
    await scratch.unchanged();
  });
});
