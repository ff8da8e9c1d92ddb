import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, REPO_ROOT } from '../unit/helpers/tempData';
import { ArchiveEntry, binaryTarget, isNativeBinary, zipEntries } from './archives';

/**
 * `npm run package:all` (scripts/package-all.mjs) on the built dist/: every .vsix unpacked and
 * checked. The first run on a machine fetches the other platforms' sharp packages from the npm
 * registry into ~/.cache/actor-studio/sharp-<version>/ (about 10 s each); later runs are offline.
 */

const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
/**
 * About 11.8 MB is the extension's own (face models and .wasm 7.7 MB compressed, bundles, sample) and 7.4 to
 * 8.3 MB one platform's sharp: measured 19.2 MB (linux-x64) to 20.2 MB (win32-x64).
 */
const MAX_VSIX_BYTES = 22 * 1024 * 1024;

describe('npm run package:all: one .vsix per VS Code target', function () {
  this.timeout(600_000);
  const manifest = require(path.join(REPO_ROOT, 'package.json')) as Record<string, unknown> & { version: string };
  const vsixName = (target: string) => `actor-studio-${target}-${manifest.version}.vsix`;
  const packages = new Map<string, { bytes: number; entries: ArchiveEntry[] }>();
  let out: { dir: string; cleanup: () => Promise<void> } | undefined;

  before(async () => {
    out = await makeTempDir('actor-studio-vsix-');
    const run = spawnSync(process.execPath, ['scripts/package-all.mjs', '--out', out.dir], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, `package:all failed:\n${run.stderr}`);
    for (const target of TARGETS) {
      const zip = await fs.readFile(path.join(out.dir, vsixName(target)));
      packages.set(target, { bytes: zip.length, entries: await zipEntries(zip) });
    }
  });

  after(() => out?.cleanup());

  const entriesOf = (target: string) => packages.get(target)!.entries;
  const text = async (target: string, name: string) => {
    const entry = entriesOf(target).find((candidate) => candidate.name === name);
    assert.ok(entry, `${vsixName(target)} has no ${name}`);
    return (await entry.read()).toString('utf8');
  };

  it('writes exactly one package per target, each declaring its target', async () => {
    assert.deepEqual((await fs.readdir(out!.dir)).sort(), TARGETS.map(vsixName).sort());
    for (const target of TARGETS) {
      assert.match(await text(target, 'extension.vsixmanifest'), new RegExp(`TargetPlatform="${target}"`));
    }
  });

  for (const target of TARGETS) {
    it(`${target}: sharp's binaries for ${target} and no other platform's`, async () => {
      const entries = entriesOf(target);
      const imgPackages = new Set(entries.filter((entry) => entry.name.startsWith('extension/node_modules/@img/')).map((entry) => entry.name.split('/')[3]));
      // On Windows libvips is inside @img/sharp-win32-*; elsewhere it is a package of its own.
      const expected = ['colour', `sharp-${target}`, ...(target.startsWith('win32') ? [] : [`sharp-libvips-${target}`])];
      assert.deepEqual([...imgPackages].sort(), expected.sort());

      const natives = entries.filter((entry) => isNativeBinary(entry.name));
      const names = natives.map((entry) => path.posix.basename(entry.name));
      assert.ok(names.includes(`sharp-${target}.node`), `no sharp-${target}.node in ${names.join(', ')}`);
      assert.ok(
        names.some((name) => name.startsWith('libvips-')),
        `no libvips library in ${names.join(', ')}`,
      );
      for (const native of natives) assert.equal(binaryTarget(await native.read()), target, `${native.name} is not built for ${target}`);
    });
  }

  it('each package holds the face models and .wasm files once, and weighs under the bound', async () => {
    const faceFiles = async (sub: string) => (await fs.readdir(path.join(REPO_ROOT, 'dist', 'face', sub))).sort();
    const models = await faceFiles('model');
    const wasm = await faceFiles('wasm');
    assert.ok(
      wasm.every((name) => !name.includes('threaded')),
      'the threaded tfjs build never loads under Node',
    );
    for (const target of TARGETS) {
      const names = entriesOf(target).map((entry) => entry.name);
      const heavy = names.filter((name) => /\.(bin|wasm)$/.test(name)).sort();
      assert.deepEqual(
        heavy,
        [
          ...models.filter((name) => name.endsWith('.bin')).map((name) => `extension/dist/face/model/${name}`),
          ...wasm.map((name) => `extension/dist/face/wasm/${name}`),
        ].sort(),
      );
      assert.ok(packages.get(target)!.bytes < MAX_VSIX_BYTES, `${vsixName(target)} is ${packages.get(target)!.bytes} bytes`);
      assert.ok(!names.some((name) => name.endsWith('.map')), `${vsixName(target)} ships source maps`);
    }
  });

  it("the packaged package.json is the repository's, with sharp (the version in node_modules) its only dependency", async () => {
    const sharp = require(path.join(REPO_ROOT, 'node_modules', 'sharp', 'package.json')) as { version: string };
    const { dependencies: _dependencies, devDependencies: _devDependencies, ...rest } = manifest;
    for (const target of TARGETS) {
      const packaged = JSON.parse(await text(target, 'extension/package.json')) as Record<string, unknown>;
      const { dependencies, devDependencies, ...packagedRest } = packaged;
      assert.deepEqual(dependencies, { sharp: sharp.version });
      assert.equal(devDependencies, undefined);
      assert.deepEqual(packagedRest, rest);
    }
  });

  it('ships LICENSE, CHANGELOG.md, the icon and the pages the README links to', async () => {
    const readme = await text('linux-x64', 'extension/readme.md');
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1]).filter((link) => !/^\w+:/.test(link));
    assert.ok(links.length > 0, 'the README has relative links');
    const names = new Set(entriesOf('linux-x64').map((entry) => entry.name.toLowerCase()));
    for (const file of [...links, 'LICENSE.txt', 'changelog.md', manifest.icon as string]) {
      assert.ok(names.has(`extension/${file}`.toLowerCase()), `the package has no ${file}`);
    }
  });
});
