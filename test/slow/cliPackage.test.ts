import * as assert from 'node:assert/strict';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { copySampleData, makeTempDir, REPO_ROOT } from '../unit/helpers/tempData';
import { ArchiveEntry, tarGzEntries } from './archives';

/**
 * `npm run package:cli` (scripts/pack-cli.mjs): the tarball holds only what the CLI runs, and
 * installs like any npm tool: `npm install -g` into an empty prefix, then the installed
 * `actor-studio` runs from a folder outside the repository. sharp and its platform package come
 * from the npm cache when it has them (--prefer-offline), else from the registry.
 */
describe('npm run package:cli: the CLI installs like any npm tool', function () {
  this.timeout(600_000);
  const version = (require(path.join(REPO_ROOT, 'package.json')) as { version: string }).version;
  const temps: { cleanup: () => Promise<void> }[] = [];
  let tarball = '';
  let entries: ArchiveEntry[] = [];
  let prefix = '';
  let dataRoot = '';
  let work = '';

  /** The installed command, run from a scratch folder with no node_modules above it. */
  const installed = (...args: string[]): SpawnSyncReturns<string> => {
    const env = { ...process.env };
    delete env.NODE_PATH;
    return spawnSync(path.join(prefix, 'bin', 'actor-studio'), args, { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  };

  before(async () => {
    const out = await makeTempDir('actor-studio-cli-pack-');
    const install = await makeTempDir('actor-studio-cli-prefix-');
    const sample = await copySampleData();
    temps.push(out, install, sample);
    ({ dataRoot, dir: work } = sample);
    prefix = install.dir;
    const packed = spawnSync(process.execPath, ['scripts/pack-cli.mjs', '--out', out.dir], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(packed.status, 0, `package:cli failed:\n${packed.stderr}`);
    tarball = path.join(out.dir, `actor-studio-cli-${version}.tgz`);
    entries = await tarGzEntries(tarball);
  });

  after(() => Promise.all(temps.map((temp) => temp.cleanup())));

  it('holds only the CLI bundle, the face worker with its models and .wasm files, README, LICENSE and package.json', async () => {
    const face = async (sub: string) => (await fs.readdir(path.join(REPO_ROOT, 'dist', 'face', sub))).map((name) => `package/dist/face/${sub}/${name}`);
    const expected = [
      'package/package.json',
      'package/README.md',
      'package/LICENSE',
      'package/dist/cli.js',
      'package/dist/faceWorker.js',
      ...(await face('model')),
      ...(await face('wasm')),
    ];
    assert.deepEqual(entries.map((entry) => entry.name).sort(), expected.sort());
    const manifestBytes = await entries.find((entry) => entry.name === 'package/package.json')!.read();
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Record<string, unknown>;
    const root = require(path.join(REPO_ROOT, 'package.json')) as { dependencies: Record<string, string>; license: string };
    assert.deepEqual(manifest.bin, { 'actor-studio': 'dist/cli.js' });
    assert.deepEqual(manifest.dependencies, { sharp: root.dependencies.sharp });
    assert.equal(manifest.version, version);
    assert.equal(manifest.license, root.license);
  });

  it('npm install -g into an empty prefix gives a working actor-studio: --help, actors, and evaluate with face identity', () => {
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work,
      encoding: 'utf8',
    });
    assert.equal(install.status, 0, `npm install -g failed:\n${install.stderr}`);

    const help = installed('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: actor-studio <command>/m);

    const actors = installed('actors', '--data', dataRoot);
    assert.equal(actors.status, 0, actors.stderr);
    for (const actor of ['0000_european_45_female', '0001_european_35_male', '0002_mixed_30_nonbinary'])
      assert.match(actors.stdout, new RegExp(`^${actor}\\s`, 'm'));
    assert.match(actors.stdout, /^3 actor\(s\) in /m);

    // sharp and the face worker, models and .wasm files load from the installed package: identity distances are printed.
    const evaluate = installed('evaluate', '--actor-id', '0002_mixed_30_nonbinary', '--data', dataRoot);
    assert.equal(evaluate.status, 0, evaluate.stderr);
    assert.match(evaluate.stdout, /\sd\d\.\d\d/);
  });
});
