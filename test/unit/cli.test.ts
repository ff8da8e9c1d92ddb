import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main';
import { makeTempDir, REPO_ROOT, SAMPLE_DATA, writeActor } from './helpers/tempData';

async function cli(args: string[], cwd = REPO_ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd, isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('CLI', () => {
  it('actors: a table of counts against the target', async () => {
    const { code, stdout } = await cli(['actors', '--data', SAMPLE_DATA]);
    assert.equal(code, 0);
    assert.match(stdout, /^ACTOR\s+IMAGES\s+PHOTO\s+B&W\s+COLOUR/m);
    assert.match(stdout, /0000_european_45_female\s+13\/20\s+8\/13\s+2\/4\s+1\/3\s+2\s+ok\s+yes/);
    assert.match(stdout, /0002_mixed_30_nonbinary\s+3\/20\s+0\/13\s+0\/4\s+0\/3\s+3\s+missing\s+yes/);
    assert.match(stdout, /3 actor\(s\) in /);
  });

  it('actors --json: machine-readable, snake_case', async () => {
    const { code, stdout } = await cli(['actors', '--data', SAMPLE_DATA, '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout);
    assert.deepEqual(parsed.target, { total: 20, photorealistic: 13, bw_stylized: 4, color_stylized: 3 });
    const carl = parsed.actors.find((actor: { id: string }) => actor.id === '0001_european_35_male');
    assert.deepEqual(carl.counts, { photorealistic: 3, bw_stylized: 2, color_stylized: 1, unknown: 0 });
    assert.equal(carl.display_name, 'Carl (sample)');
    assert.equal(carl.descriptor, 'man');
  });

  it('defaults --data to ./data in the working directory', async () => {
    const { code, stdout } = await cli(['actors'], path.dirname(SAMPLE_DATA));
    assert.equal(code, 0);
    assert.match(stdout, /3 actor\(s\)/);
  });

  it('exit code 2 for usage and input errors, with a clear message', async () => {
    const missing = await cli(['actors', '--data', '/nonexistent/data']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /data folder not found: \/nonexistent\/data/);
    const unknownOption = await cli(['actors', '--frobnicate']);
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /Unknown option '--frobnicate'[\s\S]*usage: actor-studio actors/);
    const unknownCommand = await cli(['fly']);
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.stderr, /unknown command "fly"/);
  });

  it('exit code 1 when an actor cannot be read, naming the file, line and problem; the others still listed', async () => {
    const temp = await makeTempDir();
    try {
      await writeActor(temp.dir, '0000_european_20_male', { manifest: { images: [] } });
      await writeActor(temp.dir, '0001_european_20_male', { manifest: '{\n  "images": {}\n}\n' });
      const { code, stdout, stderr } = await cli(['actors', '--data', temp.dir]);
      assert.equal(code, 1);
      assert.match(stdout, /0000_european_20_male\s+0\/20/);
      assert.match(stdout, /0001_european_20_male\s+-\s+.*invalid/);
      assert.match(stderr, /0001_european_20_male\/training_data\/manifest\.json:2:\d+: error: images: .*expected array/);
    } finally {
      await temp.cleanup();
    }
  });

  it('the built bin runs as a program', async () => {
    const bin = path.join(REPO_ROOT, 'dist', 'cli.js');
    assert.ok((await fs.stat(bin)).mode & 0o111, 'executable');
    const { stdout } = await promisify(execFile)(bin, ['actors', '--data', SAMPLE_DATA, '--json']);
    assert.equal(JSON.parse(stdout).actors.length, 3);
  });
});
