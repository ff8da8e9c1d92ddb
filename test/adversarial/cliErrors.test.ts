// Errors people can act on (issue items 12, 14-17): input errors exit 2 with one line naming the
// file or flag, a wrong --data is refused, a closed pipe ends quietly, the CLI names CLI commands,
// and nothing from a data file or a URL reaches the terminal raw.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runCli } from '../../src/cli/main';
import { dryRunPlans } from '../../src/core/execute';
import { CLI, cleanEnv, makeScratch, runCliProcess, type Scratch } from './support/scratch';

const EILEEN = '0000_european_45_female';
const manifestOf = (data: string, actorId = EILEEN) => path.join(data, 'actors', actorId, 'training_data', 'manifest.json');

/** An input error as the issue asks: exit 2, one line naming `names`, no stack trace. */
function assertInputError(result: { code: number | null; stderr: string }, names: string): void {
  assert.equal(result.code, 2, result.stderr);
  assert.ok(result.stderr.includes(names), `names ${names}: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
}

describe('adversarial: CLI errors people can act on', function () {
  this.timeout(180_000);
  let scratch: Scratch;
  beforeEach(async () => {
    scratch = await makeScratch();
  });
  afterEach(async () => scratch.cleanup());

  describe('12: input errors exit 2 with one line naming the file or flag', () => {
    it('plan with an invalid manifest names it, without a stack (--debug shows one)', async () => {
      await fs.writeFile(manifestOf(scratch.data), '{"schema_version": 2, "images": "not a list"}\n');
      const planned = await runCliProcess(['plan', '--actor-id', EILEEN, '--skip-face', '--data', scratch.data]);
      assertInputError(planned, manifestOf(scratch.data));
      const debugged = await runCliProcess(['plan', '--actor-id', EILEEN, '--skip-face', '--data', scratch.data, '--debug']);
      assert.equal(debugged.code, 2);
      assert.match(debugged.stderr, /\n\s+at /, '--debug shows the stack');
      await scratch.unchanged();
    });

    it('generate and rate with an invalid manifest name it', async () => {
      await fs.writeFile(manifestOf(scratch.data), '{"schema_version": 2, "images": "not a list"}\n');
      const generated = await runCliProcess([
        'generate',
        '--actor-id',
        EILEEN,
        '--prompt',
        'photo_foggy_harbor',
        '--provider',
        'local',
        '--data',
        scratch.data,
      ]);
      assertInputError(generated, manifestOf(scratch.data));
      const rated = await runCliProcess(['rate', '--actor-id', EILEEN, '--image', `${EILEEN}_0.jpg`, '--stars', '3', '--data', scratch.data]);
      assertInputError(rated, manifestOf(scratch.data));
      await scratch.unchanged();
    });

    it('object-store flags: a bad bucket, a bad endpoint, a blank region are one line and exit 2', async () => {
      const cases: [string[], string][] = [
        [['--s3-bucket', 'Not_A_Bucket'], 'Not_A_Bucket'],
        [['--s3-bucket', 'ok-bucket', '--s3-endpoint', 'ftp://127.0.0.1:9'], 'S3 endpoint'],
        [['--s3-bucket', 'ok-bucket', '--s3-endpoint', 'not a url'], 'S3 endpoint'],
        [['--s3-bucket', 'ok-bucket', '--s3-endpoint', 'http://user:secretpw@127.0.0.1:9'], 'S3 endpoint'],
      ];
      for (const [flags, names] of cases) {
        const result = await runCliProcess(['retry-uploads', '--data', scratch.data, ...flags]);
        assertInputError(result, names);
        assert.doesNotMatch(result.stderr, /secretpw/);
      }
      await scratch.unchanged();
    });

    it('a path-guard refusal (an image name that leaves the actor folder) is one line', async () => {
      const result = await runCliProcess(['rate', '--actor-id', EILEEN, '--image', '../../../../outside/photo.jpg', '--stars', '1', '--data', scratch.data]);
      assertInputError(result, 'outside/photo.jpg');
      await scratch.unchanged();
    });

    it('log: an image outside the actor’s training folder is one line and exit 2', async () => {
      const photo = path.join(scratch.outside, 'photo.jpg');
      await fs.writeFile(photo, 'not really a photo');
      await scratch.rebaseline();
      for (const image of [photo, path.join(scratch.data, 'actors', EILEEN, 'training_data', '..', '..', '..', '..', 'outside', 'photo.jpg')]) {
        const result = await runCliProcess(['log', '--actor-id', EILEEN, '--prompt', 'p', '--image', image, '--data', scratch.data]);
        assertInputError(result, 'photo.jpg');
      }
      await scratch.unchanged();
    });
  });

  describe('14: a wrong --data exits 2 naming the folder', () => {
    for (const args of [
      ['actors'],
      ['evaluate', '--all', '--skip-face'],
      ['reconcile'],
      ['migrate'],
      ['stats'],
      ['log', '--actor-id', EILEEN, '--prompt', 'p', '--failed', 'timeout', '--message', 'm'],
      ['plan', '--all', '--skip-face'],
      ['prompts'],
    ]) {
      it(`${args.join(' ')}: a file, an empty folder, the folder above the data folder`, async () => {
        const file = path.join(scratch.outside, 'secret.txt');
        const empty = path.join(scratch.parent, 'empty');
        await fs.mkdir(empty);
        await scratch.rebaseline();
        for (const wrong of [file, empty, scratch.parent]) {
          const result = await runCliProcess([...args, '--data', wrong]);
          assertInputError(result, wrong);
        }
        assert.deepEqual(await fs.readdir(empty), [], 'nothing was created there (no action_plans/progress.json)');
        await scratch.unchanged();
      });
    }
  });

  describe('15: a reader that goes away ends the output quietly', () => {
    /** Runs the CLI with its stdout a pipe whose reader is already gone, as `| head` leaves it. */
    function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    }

    for (const args of [['prompts'], ['stats'], ['actors'], ['execute', '--all', '--dry-run']]) {
      it(`${args[0]} | head`, async () => {
        const normal = await runCliProcess([...args, '--data', scratch.data]);
        const piped = await runIntoClosedPipe([...args, '--data', scratch.data]);
        assert.doesNotMatch(piped.stderr, /EPIPE|\n\s+at /, piped.stderr);
        assert.equal(piped.code, normal.code, 'the same exit code as with a reader');
        await scratch.unchanged();
      });
    }
  });

  describe('16: the CLI names CLI commands, never the editor', () => {
    it('execute without a plan says `actor-studio plan`, not Plan Actor', async () => {
      const result = await runCliProcess(['execute', '--actor-id', EILEEN, '--dry-run', '--data', scratch.data]);
      const text = result.stdout + result.stderr;
      assert.match(text, /actor-studio plan/);
      assert.doesNotMatch(text, /Plan Actor|Problems panel|Reconcile Data/);
      await scratch.unchanged();
    });

    it('the same core message names the editor command in the editor, the CLI command in the CLI', async () => {
      const skipReason = async () =>
        (await dryRunPlans({ dataRoot: scratch.data, actorIds: [EILEEN], mode: 'everything', model: 'black-forest-labs/flux-kontext-pro' })).actors[0]
          .skipReason;
      assert.match((await skipReason()) ?? '', /run Plan Actor first/);
      const lines: string[] = [];
      const io = { stdout: (text: string) => lines.push(text), stderr: (text: string) => lines.push(text), cwd: scratch.parent, isTTY: false, env: cleanEnv() };
      await runCli(['execute', '--actor-id', EILEEN, '--dry-run', '--data', scratch.data], io);
      assert.match(lines.join('\n'), /run `actor-studio plan --actor-id ID` first/);
      assert.match((await skipReason()) ?? '', /run Plan Actor first/, 'the editor wording again once the CLI command is done');
      await scratch.unchanged();
    });

    it('plan and export with an invalid manifest send the user to `actor-studio actors`, not the Problems panel', async () => {
      await fs.writeFile(manifestOf(scratch.data), '{"images": 3}\n');
      const planned = await runCliProcess(['plan', '--actor-id', EILEEN, '--skip-face', '--data', scratch.data]);
      assert.match(planned.stderr, /actor-studio actors/);
      assert.doesNotMatch(planned.stderr, /Problems panel|Plan Actor/);
      await scratch.unchanged();
    });
  });

  describe('17: terminal and secret hygiene', () => {
    it('control characters in prompts and feedback are printed escaped, in text and in JSON', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom('\x1b[2J', '\x1b]0;owned\x07', '\x9b31m', '\r', '\x08', '\u202e', '\x00'), { minLength: 1, maxLength: 4 }),
          async (parts) => {
            const hostile = `label ${parts.join('x')}`;
            await fs.writeFile(
              path.join(scratch.data, 'prompts.json'),
              JSON.stringify({ prompts: [{ id: 'photo_evil', label: hostile, category: 'photorealistic', template: hostile }] }),
            );
            const rated = await runCliProcess([
              'rate',
              '--actor-id',
              EILEEN,
              '--image',
              `${EILEEN}_0.jpg`,
              '--stars',
              '2',
              '--feedback',
              hostile.replace(/\0/g, ''),
              '--data',
              scratch.data,
            ]);
            const listed = await runCliProcess(['prompts', '--data', scratch.data]);
            const json = await runCliProcess(['prompts', '--json', '--data', scratch.data]);
            for (const output of [rated.stdout, rated.stderr, listed.stdout, listed.stderr, json.stdout]) {
              // eslint-disable-next-line no-control-regex
              assert.doesNotMatch(output, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(output));
            }
            assert.ok(
              (JSON.parse(json.stdout) as { prompts: { label?: string }[] }).prompts.some((prompt) => prompt.label === hostile),
              'JSON output stays valid and decodes to the same text',
            );
          },
        ),
        { numRuns: 4 },
      );
      await scratch.unchanged();
    });

    it('a password inside a base URL is never printed', async () => {
      const env = cleanEnv({ ACTOR_STUDIO_OPENAI_BASE_URL: 'http://user:hunter2pw@127.0.0.1:9/v1' });
      for (const args of [['config'], ['config', '--json']]) {
        const result = await runCliProcess([...args, '--data', scratch.data], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stdout + result.stderr, /hunter2pw/);
        assert.match(result.stdout, /user:\[redacted\]@127\.0\.0\.1/);
      }
      await scratch.unchanged();
    });
  });
});
