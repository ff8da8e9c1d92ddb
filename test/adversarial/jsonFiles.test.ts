// Hostile data files read by the real CLI (items 3-5 of the adversarial review): a key given twice,
// nesting ten thousand levels deep, a byte order mark, and numbers a double cannot hold.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeScratch, runCliProcess, Scratch } from './support/scratch';

const ACTOR = '0000_european_45_female';
const FIRST_IMAGE = `${ACTOR}_0.jpg`;

function manifestOf(scratch: Scratch, actorId = ACTOR): string {
  return path.join(scratch.data, 'actors', actorId, 'training_data', 'manifest.json');
}

/** The sample manifest with a first `images` key holding a rated entry, and the line of the second key. */
async function withDuplicateImages(file: string): Promise<{ text: string; secondLine: number }> {
  const original = await fs.readFile(file, 'utf8');
  const lost = '  "images": [{ "filename": "lost.jpg", "rating": { "stars": 5 }, "prompt": "kept only here", "seed": 42 }],\n';
  const text = original.replace('{\n', `{\n${lost}`);
  const secondLine = text.slice(0, text.indexOf('"images"', text.indexOf('lost.jpg'))).split('\n').length;
  await fs.writeFile(file, text);
  return { text, secondLine };
}

/** The settings file of the workspace that holds the scratch data folder, outside it: the baseline is taken again. */
async function plantSettings(scratch: Scratch, text: string): Promise<string> {
  const file = path.join(scratch.parent, '.vscode', 'settings.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  await scratch.rebaseline();
  return file;
}

function cli(scratch: Scratch, ...args: string[]) {
  return runCliProcess([...args, '--data', scratch.data]);
}

describe('adversarial: JSON data files', function () {
  let scratch: Scratch;
  beforeEach(async () => {
    scratch = await makeScratch();
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  describe('item 3: a key given twice', () => {
    it('actors reports the manifest invalid at the second key, not ok', async () => {
      const { secondLine } = await withDuplicateImages(manifestOf(scratch));
      const listed = await cli(scratch, 'actors');
      const output = listed.stdout + listed.stderr;
      assert.match(output, new RegExp(`manifest\\.json:${secondLine}:\\d+: error: images: duplicate key \\(first on line 2\\)`));
      assert.match(listed.stdout, new RegExp(`${ACTOR} .* invalid `));
      assert.doesNotMatch(output, /internal error/);
      await scratch.unchanged();
    });

    it('reconcile --fix, rate and set-category leave the file byte for byte', async () => {
      const file = manifestOf(scratch);
      const { text } = await withDuplicateImages(file);
      const fixed = await cli(scratch, 'reconcile', '--actor-id', ACTOR, '--fix');
      assert.match(fixed.stdout + fixed.stderr, /duplicate key/);
      const rated = await cli(scratch, 'rate', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--stars', '3');
      assert.equal(rated.code, 2, rated.stdout + rated.stderr);
      assert.match(rated.stderr, /manifest\.json.*duplicate key/);
      const categorised = await cli(scratch, 'set-category', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--category', 'bw_stylized');
      assert.equal(categorised.code, 2, categorised.stdout + categorised.stderr);
      assert.equal(await fs.readFile(file, 'utf8'), text);
      await scratch.unchanged();
    });

    it('a key repeated inside an entry, spelt with an escape, is found too', async () => {
      const file = manifestOf(scratch);
      const original = await fs.readFile(file, 'utf8');
      const text = original.replace(`"filename": "${FIRST_IMAGE}",`, `"filename": "${FIRST_IMAGE}",\n      "s\\u0065ed": 7,`);
      assert.notEqual(text, original);
      await fs.writeFile(file, text);
      const rated = await cli(scratch, 'rate', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--stars', '3');
      assert.equal(rated.code, 2, rated.stdout + rated.stderr);
      assert.match(rated.stderr, /images\[0\]\.seed: duplicate key/);
      assert.equal(await fs.readFile(file, 'utf8'), text);
      await scratch.unchanged();
    });
  });

  describe('item 4: nesting ten thousand levels deep', () => {
    for (const [shape, text] of [
      ['arrays in images', `{"images":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
      ['objects beside invalid images', `{"images":"x","y":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`],
      ['unclosed arrays', `{"images":${'['.repeat(10_000)}`],
    ]) {
      it(`lists the other actors and names the file (${shape})`, async () => {
        await fs.writeFile(manifestOf(scratch), text);
        const others = [/0001_european_35_male/, /0002_mixed_30_nonbinary/];
        const expected: Array<[string[], RegExp[]]> = [
          [['actors'], others],
          [['actors', '--json'], others],
          // reconcile names the actors with findings, and the one it could not compare.
          [
            ['reconcile'],
            [
              /0002_mixed_30_nonbinary: 3 finding/,
              /in 1 of 2 actor\(s\)/,
              new RegExp(`${ACTOR}: not compared: .*manifest\\.json cannot be read: not valid JSON \\(line 1:`),
            ],
          ],
          [['stats'], [/USAGE/]],
        ];
        for (const [args, patterns] of expected) {
          const run = await cli(scratch, ...args);
          const output = run.stdout + run.stderr;
          assert.doesNotMatch(output, /RangeError|internal error|Maximum call stack/, `${args.join(' ')}: ${output}`);
          for (const pattern of patterns) assert.match(output, pattern, args.join(' '));
        }
        const listed = await cli(scratch, 'actors');
        assert.match(
          listed.stdout + listed.stderr,
          new RegExp(`${ACTOR}/training_data/manifest\\.json:1:\\d+: error: (nested deeper than 100 levels|invalid JSON)`),
        );
        const rated = await cli(scratch, 'rate', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--stars', '3');
        assert.equal(rated.code, 2, rated.stdout + rated.stderr);
        assert.equal(await fs.readFile(manifestOf(scratch), 'utf8'), text);
        await scratch.unchanged();
      });
    }
  });

  it('item 4: a settings file nested twenty thousand levels deep is an input error naming it', async () => {
    const settings = await plantSettings(scratch, `{"actorStudio.target.total": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    const listed = await cli(scratch, 'actors');
    assert.equal(listed.code, 2, listed.stdout + listed.stderr);
    assert.equal(listed.stderr.trim(), `actor-studio: ${settings}:1: nested deeper than 100 levels; fix it or move it away`);
    await scratch.unchanged();
  });

  describe('item 5: a byte order mark and numbers a double cannot hold', () => {
    it('a settings file with a BOM is read', async () => {
      const settings = await plantSettings(scratch, '\ufeff{\n  // "quoted" in a comment\n  "actorStudio.target.total": 30\n}\n');
      const shown = await cli(scratch, 'config');
      assert.equal(shown.code, 0, shown.stdout + shown.stderr);
      assert.match(shown.stdout, new RegExp(`actorStudio\\.target\\.total +30 +${settings.replace(/[.\\/]/g, '\\$&')}`));
      await scratch.unchanged();
    });

    it('a BOM on every JSON file changes nothing the CLI reports, and a rewrite works', async () => {
      const before = await Promise.all([cli(scratch, 'actors'), cli(scratch, 'reconcile'), cli(scratch, 'stats')]);
      const files = (await fs.readdir(scratch.data, { recursive: true })).filter((name) => name.endsWith('.json')).map((name) => path.join(scratch.data, name));
      assert.ok(files.length >= 5, files.join(', '));
      for (const file of files) await fs.writeFile(file, `\ufeff${await fs.readFile(file, 'utf8')}`);
      const after = await Promise.all([cli(scratch, 'actors'), cli(scratch, 'reconcile'), cli(scratch, 'stats')]);
      assert.deepEqual(after, before);
      const rated = await cli(scratch, 'rate', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--stars', '4');
      assert.equal(rated.code, 0, rated.stdout + rated.stderr);
      const manifest = JSON.parse((await fs.readFile(manifestOf(scratch), 'utf8')).replace(/^\ufeff/, ''));
      assert.equal(manifest.images[0].rating.stars, 4);
      await scratch.unchanged();
    });

    const LITERALS = ['1e999', '-1e999', '12345678901234567891', '9007199254740993', '1.50', '-0', '1E+2', '0.1000000000000000055511151231257827', '1e-999'];
    const unknownFields = (indent: string) => LITERALS.map((literal, position) => `${indent}"lab_${position}": ${literal},\n`).join('');

    async function plantNumbers(file: string): Promise<void> {
      const original = await fs.readFile(file, 'utf8');
      const text = original
        .replace('{\n', `{\n${unknownFields('  ')}`)
        .replace(`"filename": "${FIRST_IMAGE}",\n`, `"filename": "${FIRST_IMAGE}",\n${unknownFields('      ')}`);
      await fs.writeFile(file, text);
    }

    function assertKept(text: string): void {
      for (const [position, literal] of LITERALS.entries()) {
        const written = text.split('\n').filter((line) => line.includes(`"lab_${position}":`));
        assert.deepEqual(
          written.map((line) => line.trim().replace(/,$/, '')),
          [`"lab_${position}": ${literal}`, `"lab_${position}": ${literal}`],
        );
      }
    }

    it('rate rewrites the manifest with unknown numbers byte for byte', async () => {
      const file = manifestOf(scratch);
      await plantNumbers(file);
      const rated = await cli(scratch, 'rate', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--stars', '2');
      assert.equal(rated.code, 0, rated.stdout + rated.stderr);
      const text = await fs.readFile(file, 'utf8');
      assertKept(text);
      assert.match(text, /"stars": 2/);
      await scratch.unchanged();
    });

    it('reconcile --fix (which adopts an untracked file) keeps them too', async () => {
      const file = manifestOf(scratch);
      await plantNumbers(file);
      const fixed = await cli(scratch, 'reconcile', '--actor-id', ACTOR, '--fix');
      assert.doesNotMatch(fixed.stdout + fixed.stderr, /internal error/);
      const text = await fs.readFile(file, 'utf8');
      assert.match(text, new RegExp(`"filename": "${ACTOR}_12\\.jpg"`), 'the fix rewrote the manifest');
      assertKept(text);
      await scratch.unchanged();
    });

    it('a number the program owns that no double holds is an input error at its line', async () => {
      const file = manifestOf(scratch);
      const original = await fs.readFile(file, 'utf8');
      const text = original.replace(/"seed": [^,\n]+/, '"seed": 1e999');
      await fs.writeFile(file, text);
      const rated = await cli(scratch, 'rate', '--actor-id', ACTOR, '--image', FIRST_IMAGE, '--stars', '2');
      assert.equal(rated.code, 2, rated.stdout + rated.stderr);
      assert.match(rated.stderr, /images\[0\]\.seed: 1e999 is too large for a number/);
      assert.equal(await fs.readFile(file, 'utf8'), text);
      await scratch.unchanged();
    });
  });
});
