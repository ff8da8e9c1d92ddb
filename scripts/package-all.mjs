// `npm run package:all`: one .vsix per VS Code target (vsce package --target), each holding only
// that platform's sharp binaries (@img/sharp-<platform> and its libvips). `npm run package` still
// writes the host-only actor-studio.vsix.
//
// sharp's native files are optional npm packages chosen by os, cpu and libc. For each target, npm
// installs sharp with --os/--cpu/--libc once per machine into ~/.cache/actor-studio/sharp-<version>/
// <target> (like the cached code-server; later runs are offline). Each .vsix is then made in a
// staging folder under the system temp folder: the files `vsce ls` lists (bundles, schemas,
// resources, sample, docs), a package.json whose dependencies are only sharp, and that target's
// node_modules. The repository's own node_modules is never touched.
//
// Usage: node scripts/package-all.mjs [--out DIR] [--target T ...] [-- VSCE ARGS]
//   e.g. -- --baseContentUrl https://host/repo --baseImagesUrl https://host/repo/raw for the
//   marketplace (the README's relative links are kept as they are otherwise).
// Writes DIR/actor-studio-<target>-<version>.vsix (DIR: the repository root by default).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { actorStudioCacheDir, run } from './lib/setup.mjs';
import { copyFromRoot, installedSharpVersion, megabytes, parseOptions, requireBuild, root, rootManifest, withStaging } from './lib/packaging.mjs';

/** VS Code's desktop targets and the npm platform that selects each one's sharp packages. */
const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64' },
};

const vsce = path.join(root, 'node_modules', '.bin', 'vsce');

/** sharp and its dependencies for one platform, installed once per machine; returns its node_modules. */
function sharpFor(target, version) {
  const { os, cpu, libc } = TARGETS[target];
  const dir = actorStudioCacheDir(path.join(`sharp-${version}`, target));
  const modules = path.join(dir, 'node_modules');
  const marker = path.join(dir, '.install-complete');
  if (fs.existsSync(marker)) return modules;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `sharp-${target}`, private: true, dependencies: { sharp: version } }, null, 2));
  const platform = [`--os=${os}`, `--cpu=${cpu}`, ...(libc ? [`--libc=${libc}`] : [])];
  // --ignore-scripts: sharp's install check would judge the binaries against this machine.
  run('npm', ['install', ...platform, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  const binding = path.join(modules, '@img', `sharp-${os}-${cpu}`);
  if (!fs.existsSync(binding)) throw new Error(`npm installed no @img/sharp-${os}-${cpu} into ${dir}`);
  fs.writeFileSync(marker, JSON.stringify({ version, target, installedAt: new Date().toISOString() }) + '\n');
  return modules;
}

/** The files vsce ships from the repository itself (everything but node_modules), as it lists them. */
function shippedFiles() {
  const listed = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`vsce ls failed:\n${listed.stderr}`);
  return listed.stdout.split('\n').filter((line) => line.trim() !== '');
}

async function packageTarget(target, files, options) {
  const manifest = rootManifest();
  const version = installedSharpVersion();
  const modules = sharpFor(target, version);
  const out = path.join(options.out, `actor-studio-${target}-${manifest.version}.vsix`);
  await withStaging(`vsix-${target}`, async (stage) => {
    copyFromRoot([...files, '.vscodeignore'], stage);
    // Only sharp stays outside the bundles, so it is the only dependency vsce has to collect.
    const shipped = { ...manifest, dependencies: { sharp: version } };
    delete shipped.devDependencies;
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
    fs.cpSync(modules, path.join(stage, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    const rewrite = options.passThrough.some((arg) => /^--base(Content|Images)Url/.test(arg));
    run(vsce, ['package', '--target', target, ...(rewrite ? [] : ['--no-rewrite-relative-links']), '--out', out, ...options.passThrough], {
      cwd: stage,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  });
  return out;
}

async function main() {
  const options = parseOptions(process.argv.slice(2), ['target']);
  const targets = options.target.length > 0 ? options.target : Object.keys(TARGETS);
  const unknown = targets.filter((target) => !(target in TARGETS));
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')} (targets: ${Object.keys(TARGETS).join(', ')})`);
  requireBuild();
  const files = shippedFiles();
  const written = [];
  for (const target of targets) written.push(await packageTarget(target, files, options));
  console.log('');
  for (const file of written) console.log(`${path.relative(process.cwd(), file) || file}  ${megabytes(fs.statSync(file).size)}`);
}

main().catch((error) => {
  console.error(`package:all: ${error.message}`);
  process.exit(1);
});
