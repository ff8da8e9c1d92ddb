// Money: a paid result is never thrown away (issue items 6-10). Full disk and temp files, checks
// before the paid request, locks that cannot hold a run hostage, data/recovered, and a journal
// that says what was really done when prompt_metadata.json breaks mid-run.
import * as assert from 'node:assert/strict';
import { promises as fs, promises } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/core/fs/atomicWrite';
import { withFileLock } from '../../src/core/fs/fileLock';
import { actorLockPath, loadManifest } from '../../src/core/manifest/manifestStore';
import { executePlans, undoRun } from '../../src/core/execute';
import type { Generator } from '../../src/core/generate/types';
import { actorPaths, actorPlanPath, recoveredDir } from '../../src/core/workspace/layout';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { cleanEnv, makeScratch, runCliProcess, type Scratch } from './support/scratch';

const EVA = '0000_european_45_female'; // her plan both deletes and generates
const CARL = '0001_european_35_male';

describe('adversarial: money (a paid result is never thrown away)', function () {
  this.timeout(120_000);
  let scratch: Scratch;
  let replicate: FakeReplicateServer;
  beforeEach(async () => {
    scratch = await makeScratch();
    replicate = await FakeReplicateServer.start();
  });
  afterEach(async () => {
    await replicate.close();
    await scratch.cleanup();
  });
  const env = () => cleanEnv({ REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl });
  const paths = (actorId: string) => actorPaths(scratch.data, actorId);
  const generate = (actorId: string, prompt = 'photo_ferry_deck') =>
    runCliProcess(['generate', '--data', scratch.data, '--actor-id', actorId, '--prompt', prompt, '--provider', 'replicate', '--json'], { env: env() });

  describe('6. a full disk', () => {
    it('a write that fails for lack of space leaves no temporary file and names the file it could not write', async () => {
      const dir = paths(CARL).trainingDir;
      const target = path.join(dir, 'manifest.json');
      const before = await fs.readFile(target, 'utf8');
      const open = promises.open;
      // The disk fills half-way through the write: some bytes land, then ENOSPC.
      promises.open = (async (...args: Parameters<typeof open>) => {
        const handle = await open(...args);
        handle.writeFile = async (data: string | Uint8Array) => {
          await handle.write(Buffer.from(data).subarray(0, 10));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
        };
        return handle;
      }) as typeof open;
      try {
        await assert.rejects(writeFileAtomic(target, '{"images": []}\n'), (error: Error & { kind?: string; file?: string }) => {
          assert.match(error.message, /disk is full/);
          assert.ok(error.message.includes(target), error.message);
          assert.equal(error.kind, 'input');
          return true;
        });
      } finally {
        promises.open = open;
      }
      assert.deepEqual(
        (await fs.readdir(dir)).filter((name) => name.endsWith('.tmp')),
        [],
      );
      assert.equal(await fs.readFile(target, 'utf8'), before, 'the target is untouched');
      await scratch.unchanged();
    });

    it('a read-only disk: rating fails with one message naming the file (not a temporary one), as an input error; nothing is left behind', async () => {
      const dir = paths(CARL).trainingDir;
      const before = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8');
      const { writeFile, open } = promises;
      const readOnly = (target: unknown) => {
        throw Object.assign(new Error(`EROFS: read-only file system, open '${String(target)}'`), {
          code: 'EROFS',
          errno: -30,
          syscall: 'open',
          path: String(target),
        });
      };
      // Every write inside the scratch data folder fails as on a read-only mount (root ignores modes, so no chmod).
      promises.writeFile = (async (target: Parameters<typeof writeFile>[0], ...rest: unknown[]) =>
        String(target).startsWith(scratch.data) ? readOnly(target) : (writeFile as (...args: unknown[]) => Promise<void>)(target, ...rest)) as typeof writeFile;
      promises.open = (async (target: Parameters<typeof open>[0], flags?: string | number, ...rest: unknown[]) =>
        String(target).startsWith(scratch.data) && flags !== undefined && flags !== 'r'
          ? readOnly(target)
          : (open as (...args: unknown[]) => ReturnType<typeof open>)(target, flags, ...rest)) as typeof open;
      try {
        const { rateImage } = await import('../../src/core/tracking/ratings');
        await assert.rejects(
          rateImage(scratch.data, { actorId: CARL, filename: `${CARL}_0.jpg`, stars: 4 }),
          (error: Error & { kind?: string; file?: string }) => {
            assert.match(error.message, /read-only: could not write /);
            assert.doesNotMatch(error.message, /\.tmp\b/, 'names the file, not a temporary one');
            assert.ok(error.file?.startsWith(paths(CARL).dir), `names a file of the actor: ${error.file}`);
            assert.equal(error.kind, 'input');
            return true;
          },
        );
      } finally {
        promises.writeFile = writeFile;
        promises.open = open;
      }
      assert.equal(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'), before);
      assert.deepEqual(
        (await fs.readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock')),
        [],
      );
      await scratch.unchanged();
    });

    it('stale temporary files of this program are swept on start, even when their PID runs again (reused)', async () => {
      const dir = paths(CARL).trainingDir;
      // A leftover of a killed write whose PID now belongs to a live process (here, this one), hours old.
      const stale = path.join(dir, `.manifest.json.${process.pid}.0a1b2c3d.tmp`);
      await fs.writeFile(stale, '{"images": [');
      const hoursAgo = new Date(Date.now() - 3 * 60 * 60_000);
      await fs.utimes(stale, hoursAgo, hoursAgo);
      const result = await runCliProcess(['generate', '--data', scratch.data, '--actor-id', CARL, '--prompt', 'bw_woodcut', '--json'], { env: cleanEnv() });
      assert.equal(result.code, 0, result.stderr);
      await assert.rejects(fs.access(stale), 'the stale temporary file is gone');
      await scratch.unchanged();
    });
  });

  describe('7. an old-format manifest', () => {
    it('generate refuses before paying, names the manifest and says to run actor-studio migrate', async () => {
      const file = paths(CARL).manifest;
      const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
      // The old tool stored S3's whole response in s3_url.
      manifest.images[0].s3_url = { Location: 'https://bucket.s3.amazonaws.com/a.jpg', ETag: '"abc"', Bucket: 'bucket', Key: 'a.jpg' };
      await fs.writeFile(file, JSON.stringify(manifest, null, 2));
      const result = await generate(CARL);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(file), result.stderr);
      assert.match(result.stderr, /actor-studio migrate/);
      assert.equal(replicate.requestsOf('create').length, 0, 'nothing was paid for');
      await scratch.unchanged();
    });
  });

  describe('7. whatever the save needs is checked before paying (hostile variants)', () => {
    const cases: [string, (data: Scratch) => Promise<string>, RegExp][] = [
      [
        'prompt_metadata.json truncated',
        async () => {
          await fs.writeFile(paths(CARL).promptMetadata, '{"images": {"a.jpg": {');
          return paths(CARL).promptMetadata;
        },
        /is not valid/,
      ],
      [
        'prompt_metadata.json a folder',
        async () => {
          await fs.rm(paths(CARL).promptMetadata);
          await fs.mkdir(paths(CARL).promptMetadata);
          return paths(CARL).promptMetadata;
        },
        /cannot be read/,
      ],
      [
        'the lock a folder',
        async () => {
          await fs.mkdir(actorLockPath(scratch.data, CARL));
          return actorLockPath(scratch.data, CARL);
        },
        /not a lock file/,
      ],
      [
        'the lock a link to a file outside',
        async () => {
          await fs.symlink(path.join(scratch.outside, 'secret.txt'), actorLockPath(scratch.data, CARL));
          return actorLockPath(scratch.data, CARL);
        },
        /not a lock file/,
      ],
      [
        'the lock a link to a JSON file outside, naming a dead process',
        async () => {
          const target = path.join(scratch.outside, 'holder.json');
          await fs.writeFile(target, JSON.stringify({ pid: 999_999_999, host: os.hostname(), token: 'x' }));
          await scratch.rebaseline();
          await fs.symlink(target, actorLockPath(scratch.data, CARL));
          return actorLockPath(scratch.data, CARL);
        },
        /not a lock file/,
      ],
    ];
    for (const [name, plant, message] of cases) {
      it(`${name}: exit 2 naming the file, nothing paid`, async () => {
        const file = await plant(scratch);
        const result = await generate(CARL);
        assert.equal(result.code, 2, result.stderr);
        assert.ok(result.stderr.includes(file), result.stderr);
        assert.match(result.stderr, message);
        assert.equal(replicate.requestsOf('create').length, 0, 'nothing was paid for');
        await scratch.unchanged();
      });
    }
  });

  describe('8. locks', () => {
    const hostile = async (lock: string, holder: object, ageMs = 0) => {
      await fs.writeFile(lock, JSON.stringify({ token: 'planted', acquired_at: '2026-01-01T00:00:00.000Z', ...holder }));
      if (ageMs) {
        const then = new Date(Date.now() - ageMs);
        await fs.utimes(lock, then, then);
      }
    };

    it('a lock naming a live unrelated PID, not refreshed, does not stop generate: it is broken before paying and the image is saved', async () => {
      const lock = actorLockPath(scratch.data, CARL);
      await hostile(lock, { pid: 1, host: os.hostname() }, 60_000);
      const started = Date.now();
      const result = await generate(CARL);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Date.now() - started < 25_000, 'no 30 s wait');
      const saved = JSON.parse(result.stdout);
      assert.ok((await loadManifest(paths(CARL).manifest)).images.some((image) => image.filename === saved.filename));
      assert.equal(replicate.requestsOf('create').length, 1);
      await scratch.unchanged();
    });

    it("a lock naming this process's own PID (a former process's, the PID reused) is broken at once", async () => {
      const lock = actorLockPath(scratch.data, CARL);
      await hostile(lock, { pid: process.pid, host: os.hostname() });
      assert.equal(await withFileLock(lock, async () => 'ran', { timeoutMs: 1_000 }), 'ran');
      await scratch.unchanged();
    });

    it("waiters of one process never take a lock this process holds for a former process's (the own-PID rule is exact)", async () => {
      const lock = actorLockPath(scratch.data, CARL);
      let inside = 0;
      let overlaps = 0;
      await Promise.all(
        Array.from({ length: 100 }, () =>
          withFileLock(lock, async () => {
            if (++inside > 1) overlaps++;
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
            inside--;
          }),
        ),
      );
      assert.equal(overlaps, 0);
      await scratch.unchanged();
    });

    it('a lock of another host that nobody refreshes is broken once stale', async () => {
      const lock = actorLockPath(scratch.data, CARL);
      await hostile(lock, { pid: 4242, host: 'another-host.example' }, 60_000);
      assert.equal(await withFileLock(lock, async () => 'ran', { timeoutMs: 2_000 }), 'ran');
      await scratch.unchanged();
    });

    it('a live holder keeps its lock by refreshing it, and the message says who holds it and how to clear it', async () => {
      const lock = actorLockPath(scratch.data, CARL);
      await withFileLock(
        lock,
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 600)); // several refreshes of a 200 ms staleness
          await assert.rejects(
            withFileLock(lock, async () => 'never', { timeoutMs: 300, staleMs: 200 }),
            (error: Error) => {
              assert.match(error.message, new RegExp(`locked by process ${process.pid} on this machine since`));
              assert.ok(error.message.includes(`delete ${lock}`), error.message);
              return true;
            },
          );
        },
        { staleMs: 200 },
      );
      await scratch.unchanged();
    });
  });

  describe('9. a save that fails after payment', () => {
    it('keeps the image in data/recovered with a log entry, and reconcile --fix adopts it', async () => {
      const file = paths(CARL).manifest;
      const good = await fs.readFile(file, 'utf8');
      replicate.fail('create', { hang: true });
      const running = generate(CARL);
      await replicate.waitFor((request) => request.kind === 'create');
      // While the model works, the manifest breaks (another tool wrote it): the save will fail.
      await fs.writeFile(file, '{"images": [ {"filename": 7} ]}');
      replicate.releaseHeld();
      const result = await running;
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /kept as .*recovered/);
      assert.match(result.stderr, /reconcile --fix/);
      const kept = (await fs.readdir(recoveredDir(scratch.data, CARL))).filter((name) => name.endsWith('.jpg'));
      assert.equal(kept.length, 1);
      const log = await readGenerationLog(scratch.data);
      assert.ok(
        log.failures.some((failure) => JSON.stringify(failure).includes(kept[0])),
        'the log says where the image went',
      );

      await fs.writeFile(file, good);
      const fixed = await runCliProcess(['reconcile', '--data', scratch.data, '--actor-id', CARL, '--fix', '--json'], { env: cleanEnv() });
      assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
      const adopted = (await loadManifest(file)).images.find((image) => image.prompt_id === 'photo_ferry_deck');
      assert.ok(adopted, `adopted into the manifest: ${fixed.stdout}`);
      await fs.access(path.join(paths(CARL).trainingDir, adopted.filename));
      assert.deepEqual(
        (await fs.readdir(recoveredDir(scratch.data, CARL))).filter((name) => !name.startsWith('.')),
        [],
      );
      assert.equal(replicate.requestsOf('create').length, 1, 'paid once');
      await scratch.unchanged();
    });
  });

  describe('10. an invalid prompt_metadata.json during execute', () => {
    const plan = async () => {
      const result = await runCliProcess(['plan', '--data', scratch.data, '--actor-id', EVA, '--seed', '1', '--skip-face', '--json'], { env: cleanEnv() });
      assert.equal(result.code, 0, result.stderr);
    };

    it('a truncated file found before the run: the actor is skipped naming the file, nothing is trashed or generated', async () => {
      await plan();
      const metadata = paths(EVA).promptMetadata;
      const text = await fs.readFile(metadata, 'utf8');
      await fs.writeFile(metadata, text.slice(0, Math.floor(text.length / 2)));
      const files = await fs.readdir(paths(EVA).trainingDir);
      const result = await runCliProcess(['execute', '--data', scratch.data, '--actor-id', EVA, '--execute', '--json'], { env: cleanEnv() });
      assert.notEqual(result.code, 0);
      assert.ok(result.stdout.includes(metadata) || result.stderr.includes(metadata), `${result.stdout}\n${result.stderr}`);
      assert.deepEqual(await fs.readdir(paths(EVA).trainingDir), files, 'nothing trashed, nothing generated');
      await scratch.unchanged();
    });

    it('a file that breaks mid-run: the journal records what was really done, and undo restores it', async () => {
      await plan();
      const metadata = paths(EVA).promptMetadata;
      const image = await fs.readFile(path.join(paths(CARL).trainingDir, `${CARL}_0.jpg`));
      let calls = 0;
      const generator: Generator = {
        provider: 'local',
        model: 'test/fake',
        generate: async () => {
          if (calls++ === 0) {
            await fs.writeFile(metadata, '{"images": {'); // another tool truncates it now
          }
          return { bytes: image, extension: 'jpg', model: 'test/fake', parameters: {}, durationMs: 1 };
        },
      } as Generator;
      const summary = await executePlans({ dataRoot: scratch.data, actorIds: [EVA], mode: 'everything', generator, resume: 'never' });
      const planned = JSON.parse(await fs.readFile(actorPlanPath(scratch.data, EVA), 'utf8'));
      assert.deepEqual(summary.failed, [], 'nothing that was done is recorded as failed');
      assert.equal(summary.done.filter((operation) => operation.kind === 'delete').length, planned.deletions.length);
      assert.equal(summary.done.filter((operation) => operation.kind === 'generate').length, planned.generations.length);
      const journal = JSON.parse(await fs.readFile(summary.journal, 'utf8'));
      assert.ok(journal.operations.some((operation: { warning?: string }) => /prompt_metadata\.json/.test(operation.warning ?? '')));
      const log = await readGenerationLog(scratch.data);
      assert.equal(log.failures.length, 0, 'no "storage" failures logged for saved images');

      await fs.writeFile(metadata, '{"images": {}}\n');
      const undone = await undoRun({ dataRoot: scratch.data });
      assert.equal(undone.runId, summary.runId);
      assert.equal(undone.restored.length, planned.deletions.length);
      assert.deepEqual(undone.failed, []);
      await scratch.unchanged();
    });
  });
});
