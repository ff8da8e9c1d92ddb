import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CliIO, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../../src/cli/cliSupport';
import { runCli } from '../../src/cli/main';
import { reconcileCommand } from '../../src/cli/commands/reconcileCommand';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import type { ImageEntry } from '../../src/core/manifest/manifestSchema';
import { DRIFT_KINDS, fixDrift, reconcileActors, type ReconcileResult } from '../../src/core/reconcile';
import type { S3ObjectStore } from '../../src/core/storage/s3Store';
import { actorPaths, imageNumber } from '../../src/core/workspace/layout';
import { TRASH_DIR } from '../../src/core/workspace/layout';
import { S3RVER_ENV, S3RVER_REGION, s3StoreFor, S3TestServer, startS3Server } from '../fakes/s3Server';
import { buildMessyData, CLEAN, MESSY, MessyData, PLANTED, PROMPTS, sha256, UNTRACKED_GENERATED_AT } from './helpers/messyData';
import { snapshot } from './helpers/tempData';

const FIXED_NOW = new Date('2026-01-02T03:04:05.000Z');

/** The trash records reconcile wrote for the messy actor, all runs together. */
async function trashEntries(dataRoot: string): Promise<Record<string, any>[]> {
  const runs = (await fs.readdir(path.join(dataRoot, TRASH_DIR)).catch(() => [])).filter((run) => run.startsWith('reconcile-'));
  const entries = [];
  for (const run of runs) {
    const record = JSON.parse(await fs.readFile(path.join(dataRoot, TRASH_DIR, run, 'actors', MESSY, 'trash.json'), 'utf8'));
    entries.push(...record.entries);
  }
  return entries;
}

/** The training file whose bytes are `bytes` (it may have been renamed). */
async function fileWithBytes(dataRoot: string, bytes: Buffer): Promise<string | undefined> {
  const dir = actorPaths(dataRoot, MESSY).trainingDir;
  for (const name of await fs.readdir(dir)) {
    const stat = await fs.lstat(path.join(dir, name));
    if (stat.isFile() && sha256(await fs.readFile(path.join(dir, name))) === sha256(bytes)) {
      return name;
    }
  }
  return undefined;
}

/** Every file below `dir` except the data folder, to prove nothing else changed. */
async function outsideData(dir: string): Promise<Record<string, string>> {
  const all = await snapshot(dir);
  return Object.fromEntries(Object.entries(all).filter(([file]) => file !== 'data' && !file.startsWith(`data${path.sep}`)));
}

function findingsOf(report: ReconcileResult, actorId: string) {
  return report.actors.find((actor) => actor.actorId === actorId)?.findings ?? [];
}

describe('reconcile: manifests against files, prompt metadata and S3 (real files, real s3rver)', function () {
  this.timeout(60_000);
  let server: S3TestServer;
  let store: S3ObjectStore;
  let messy: MessyData;
  let run = 0;

  before(async () => {
    server = await startS3Server();
  });
  after(() => server.dispose());
  beforeEach(async () => {
    // A fresh key prefix per test: objects one test uploads are not in the next one's bucket view.
    store = s3StoreFor(server, { keyPrefix: `test-${++run}/` });
    messy = await buildMessyData(store);
  });
  afterEach(() => messy.cleanup());

  const reconcile = () => reconcileActors({ dataRoot: messy.dataRoot, actorIds: [MESSY, CLEAN], store });

  it('finds each kind of drift on the file it was planted on, and writes nothing', async () => {
    const before = await snapshot(messy.dir);
    const report = await reconcile();
    assert.deepEqual(await snapshot(messy.dir), before, 'reconcile wrote to the workspace');

    const findings = findingsOf(report, MESSY);
    const has = (kind: string, filename: string) => findings.some((finding) => finding.kind === kind && finding.filename === filename);
    const expected: [string, string][] = [
      ['untracked_file', PLANTED.untracked_file],
      ['missing_file', PLANTED.missing_file],
      ['s3_missing', PLANTED.s3_missing],
      ['s3_extra', PLANTED.s3_extra],
      ['url_not_string', PLANTED.url_not_string],
      ['duplicate_index', PLANTED.duplicate_index],
      ['duplicate_index', PLANTED.duplicate_listing],
      ['number_shared', PLANTED.number_shared],
      ['prompt_metadata_out_of_step', PLANTED.prompt_out_of_step],
      ['prompt_metadata_out_of_step', PLANTED.prompt_orphan],
      ['sha256_mismatch', PLANTED.sha256_mismatch],
      ['recovered_image', PLANTED.recovered_image],
    ];
    for (const [kind, filename] of expected) {
      assert.ok(has(kind, filename), `no ${kind} finding for ${filename}; found:\n${findings.map((f) => `${f.kind} ${f.filename}`).join('\n')}`);
    }
    assert.deepEqual([...new Set(findings.map((finding) => finding.kind))].sort(), [...DRIFT_KINDS].sort());
    for (const finding of findings) {
      assert.ok(finding.message.includes(finding.filename!), `the message does not name its file: ${finding.message}`);
      assert.ok(finding.fix.length > 0, `${finding.kind} ${finding.filename} says nothing about its fix`);
    }
    assert.ok(!findings.some((finding) => finding.filename === `${MESSY}_50.jpg`), 'a link out of the data folder must be ignored, not adopted');
    assert.deepEqual(findingsOf(report, CLEAN), []);
    assert.equal(report.total, findings.length);
  });

  it('--fix repairs each kind, deletes nothing, and a second reconcile reports nothing', async () => {
    const { dataRoot, bytes } = messy;
    const summary = await fixDrift({ dataRoot, report: await reconcile(), store, now: () => FIXED_NOW });
    assert.deepEqual(
      summary.failed.map(({ finding, reason }) => `${finding.kind} ${finding.filename}: ${reason}`),
      [],
    );
    const again = await reconcile();
    assert.equal(
      again.total,
      0,
      `still drifting:\n${again.actors
        .flatMap((actor) => actor.findings)
        .map((f) => f.message)
        .join('\n')}`,
    );

    const manifest = await loadManifest(actorPaths(dataRoot, MESSY).manifest); // valid for the zod loader again
    const entryOf = (filename: string) => manifest.images.filter((image) => image.filename === filename);
    const only = (filename: string): ImageEntry => {
      const listings = entryOf(filename);
      assert.equal(listings.length, 1, `${filename} is listed ${listings.length} times`);
      return listings[0];
    };
    assert.equal((manifest as Record<string, unknown>).legacy_field, 'kept');

    // url_not_string: the URL string out of the old response object.
    assert.equal(only(PLANTED.url_not_string).s3_url, store.urlFor(store.keyFor(MESSY, PLANTED.url_not_string)));

    // missing_file: out of the manifest, into the trash record with its prompt metadata.
    const trash = await trashEntries(dataRoot);
    assert.deepEqual(entryOf(PLANTED.missing_file), []);
    const trashedMissing = trash.find((item) => item.filename === PLANTED.missing_file);
    assert.ok(trashedMissing?.manifest_entry && trashedMissing.prompt_metadata, `${PLANTED.missing_file} is not in a trash record`);

    // untracked_file + s3_extra: adopted with what prompt_metadata.json and the bucket knew.
    const adopted = only(PLANTED.untracked_file);
    assert.equal(adopted.prompt, PROMPTS.untracked);
    assert.equal(adopted.created_at, UNTRACKED_GENERATED_AT.replace(/Z$/, '+00:00'), 'the same time, written with +00:00');
    assert.equal(adopted.category, 'unknown');
    assert.equal(adopted.index, 4);
    assert.equal(adopted.sha256, sha256(bytes[PLANTED.untracked_file]));
    assert.deepEqual([adopted.size, adopted.width, adopted.height], [bytes[PLANTED.untracked_file].length, 64, 36]);
    assert.equal(adopted.s3_key, store.keyFor(MESSY, PLANTED.s3_extra));

    // s3_missing: uploaded again from the local file, URL recorded as a string.
    assert.ok((await store.list(store.keyFor(MESSY, PLANTED.s3_missing))).includes(store.keyFor(MESSY, PLANTED.s3_missing)));
    assert.equal(only(PLANTED.s3_missing).s3_url, store.urlFor(store.keyFor(MESSY, PLANTED.s3_missing)));

    // duplicate_index: the later of two entries with index 6 has a new number and file name.
    assert.equal(only(`${MESSY}_6.jpg`).index, 6);
    const renamed = await fileWithBytes(dataRoot, bytes[PLANTED.duplicate_index]);
    assert.ok(renamed && renamed !== PLANTED.duplicate_index, `${PLANTED.duplicate_index} was not renamed (now ${renamed})`);
    assert.equal(only(renamed).index, imageNumber(MESSY, renamed));
    assert.notEqual(only(renamed).index, 6);

    // duplicate listing: the listing that matches the file stays; the other is in the trash record.
    assert.equal(only(PLANTED.duplicate_listing).sha256, sha256(bytes[PLANTED.duplicate_listing]));
    assert.ok(trash.some((item) => item.filename === PLANTED.duplicate_listing && item.manifest_entry?.prompt === PROMPTS.stale));

    // number_shared: _5.jpg keeps 5; the png moved to a new number and was adopted; nothing overwritten.
    assert.equal(only(`${MESSY}_5.jpg`).sha256, sha256(bytes[`${MESSY}_5.jpg`]));
    const movedPng = await fileWithBytes(dataRoot, bytes[PLANTED.number_shared]);
    assert.ok(movedPng && movedPng !== PLANTED.number_shared && movedPng.endsWith('.png'), `the shared png is now ${movedPng}`);
    assert.equal(only(movedPng).index, imageNumber(MESSY, movedPng));

    // sha256_mismatch: the file's hash recorded, the evaluation made for the old content dropped.
    const rehashed = only(PLANTED.sha256_mismatch);
    assert.equal(rehashed.sha256, sha256(bytes[PLANTED.sha256_mismatch]));
    assert.equal(rehashed.evaluation, undefined);

    // prompt_metadata_out_of_step: rewritten from the manifest (unknown fields kept); the orphan trashed.
    const metadata = JSON.parse(await fs.readFile(actorPaths(dataRoot, MESSY).promptMetadata, 'utf8')).images;
    assert.equal(metadata[PLANTED.prompt_out_of_step].prompt, only(PLANTED.prompt_out_of_step).prompt);
    assert.equal(metadata[PLANTED.prompt_out_of_step].legacy_note, 'kept');
    assert.equal(metadata[PLANTED.prompt_orphan], undefined);
    assert.ok(trash.some((item) => item.filename === PLANTED.prompt_orphan && item.prompt_metadata?.prompt));

    // Every image of the actor that was there still is: under its name or a new one.
    for (const [filename, content] of Object.entries(bytes)) {
      if (filename.startsWith(MESSY) && filename !== PLANTED.missing_file) {
        assert.ok(await fileWithBytes(dataRoot, content), `${filename}'s content is gone`);
      }
    }
  });

  it('touches nothing outside the data folder (the files beside it, the link target)', async () => {
    const before = await outsideData(messy.dir);
    await fixDrift({ dataRoot: messy.dataRoot, report: await reconcile(), store });
    assert.deepEqual(await outsideData(messy.dir), before);
    assert.ok((await fs.lstat(path.join(actorPaths(messy.dataRoot, MESSY).trainingDir, `${MESSY}_50.jpg`))).isSymbolicLink());
  });

  it('an object with no local copy is reported, left in the bucket, and the fix says why', async () => {
    const stray = `${MESSY}_77.jpg`;
    await store.put(store.keyFor(MESSY, stray), Buffer.from('not here locally'), 'image/jpeg');
    const report = await reconcileActors({ dataRoot: messy.dataRoot, actorIds: [MESSY], store });
    assert.ok(findingsOf(report, MESSY).some((finding) => finding.kind === 's3_extra' && finding.filename === stray));
    const summary = await fixDrift({ dataRoot: messy.dataRoot, report, store });
    assert.deepEqual(
      summary.failed.map(({ finding }) => finding.filename),
      [stray],
    );
    assert.match(summary.failed[0].reason, /no local copy/);
    assert.ok((await store.list(store.keyFor(MESSY, stray))).includes(store.keyFor(MESSY, stray)), 'the object was deleted');
  });

  it('an actor whose manifest is not JSON is reported as not compared; the others still are', async () => {
    await fs.writeFile(actorPaths(messy.dataRoot, MESSY).manifest, '{ "images": [ ');
    const report = await reconcile();
    assert.deepEqual(
      report.skipped.map((skipped) => skipped.actorId),
      [MESSY],
    );
    assert.match(report.skipped[0].reason, /manifest\.json.*not valid JSON/);
    assert.deepEqual(findingsOf(report, CLEAN), []);
  });

  describe('CLI: actor-studio reconcile', () => {
    /** Runs the command as runCli does: parsed flags, usage errors exit 2. */
    async function cli(args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const env = S3RVER_ENV;
      const io: CliIO = { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd: messy.dir, isTTY: false, env };
      const s3 = ['--s3-bucket', server.bucket, '--s3-endpoint', server.endpoint, '--s3-region', S3RVER_REGION, '--s3-prefix', store.keyPrefix];
      const code = await runCli([reconcileCommand.name, '--data', messy.dataRoot, ...s3, ...args], io);
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    }

    function assertSnakeCaseKeys(value: unknown, where = '$'): void {
      if (Array.isArray(value)) {
        value.forEach((item, position) => assertSnakeCaseKeys(item, `${where}[${position}]`));
      } else if (value && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          assert.match(key, /^[a-z0-9_]+$/, `${where}.${key} is not snake_case`);
          assertSnakeCaseKeys(item, `${where}.${key}`);
        }
      }
    }

    it('exits 1 with drift and 0 when clean, like git diff --exit-code; --json is snake_case', async () => {
      const drift = await cli(['--json']);
      assert.equal(drift.code, EXIT_FAILED, drift.stderr);
      const report = JSON.parse(drift.stdout);
      assertSnakeCaseKeys(report);
      assert.deepEqual(Object.keys(report).sort(), ['actors', 'skipped', 'total']);
      const messyActor = report.actors.find((actor: { actor_id: string }) => actor.actor_id === MESSY);
      assert.equal(report.total, messyActor.findings.length);
      assert.deepEqual(Object.keys(messyActor.findings[0]).sort(), ['actor_id', 'file', 'filename', 'fix', 'kind', 'message']);
      assert.ok(
        messyActor.findings.some(
          (finding: { kind: string; file: string }) =>
            finding.kind === 'untracked_file' && finding.file === path.join('actors', MESSY, 'training_data', PLANTED.untracked_file),
        ),
      );

      const clean = await cli(['--actor-id', CLEAN]);
      assert.equal(clean.code, EXIT_OK, clean.stdout + clean.stderr);
      assert.match(clean.stdout, /no drift in 1 actor/);
    });

    it('--fix prints what it will do, does it, exits 0, and then reconcile exits 0', async () => {
      const fixed = await cli(['--fix']);
      assert.equal(fixed.code, EXIT_OK, fixed.stdout + fixed.stderr);
      const lines = fixed.stdout.split('\n');
      const firstPlan = lines.findIndex((line) => line.includes('fix: adopt it'));
      const firstDone = lines.findIndex((line) => line.includes(`fixed ${MESSY}/${PLANTED.untracked_file}: adopted`));
      assert.ok(firstPlan >= 0 && firstDone > firstPlan, `expected the plan before the changes:\n${fixed.stdout}`);
      assert.match(fixed.stdout, /checked again: no drift in 2 actor/);

      const after = await cli(['--json']);
      assert.equal(after.code, EXIT_OK, after.stdout);
      assert.equal(JSON.parse(after.stdout).total, 0);
    });

    it('--fix --json reports found, applied, failed and remaining; exits 1 when something could not be fixed', async () => {
      await store.put(store.keyFor(MESSY, `${MESSY}_77.jpg`), Buffer.from('no local copy'), 'image/jpeg');
      const result = await cli(['--fix', '--json']);
      assert.equal(result.code, EXIT_FAILED);
      const output = JSON.parse(result.stdout);
      assertSnakeCaseKeys(output);
      assert.deepEqual(Object.keys(output).sort(), ['applied', 'failed', 'found', 'remaining']);
      assert.ok(output.found.total > 0);
      assert.deepEqual(
        output.failed.map((failure: { kind: string; filename: string }) => `${failure.kind} ${failure.filename}`),
        [`s3_extra ${MESSY}_77.jpg`],
      );
      assert.equal(output.remaining.total, 1);
    });

    it('an unreachable bucket is said plainly and exits 1, writing nothing', async () => {
      const before = await snapshot(messy.dir);
      await server.stop();
      try {
        const result = await cli(['--fix']);
        assert.equal(result.code, EXIT_FAILED);
        assert.match(result.stderr, /the bucket could not be listed/);
        assert.deepEqual(await snapshot(messy.dir), before);
      } finally {
        await server.restart();
      }
    });

    it('usage errors exit 2 and write nothing', async () => {
      const before = await snapshot(messy.dir);
      const cases: [string[], RegExp][] = [
        [['--actor-id', MESSY, '--all'], /--actor-id ID or --all, not both/],
        [['--actor-id', 'nobody'], /unknown actor id "nobody"/],
        [['--fixx'], /Unknown option '--fixx'/],
      ];
      for (const [args, message] of cases) {
        const result = await cli(args);
        assert.equal(result.code, EXIT_USAGE, args.join(' '));
        assert.match(result.stderr, message);
      }
      assert.deepEqual(await snapshot(messy.dir), before);
    });
  });
});
