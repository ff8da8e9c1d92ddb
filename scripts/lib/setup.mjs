// Machine setup for building and testing the extension. Plain Node ESM with
// builtins only: it runs before `npm install`. Every step is idempotent and
// returns in milliseconds when its work is already done.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const SYSTEM_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libxkbfile-dev', 'libx11-dev', 'libsecret-1-dev', 'pkg-config'];

const log = (msg) => console.log(`[setup] ${msg}`);

/** Runs a command with inherited stdio; throws with the command line on failure. */
export function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    throw new Error(`'${cmd} ${args.join(' ')}' failed with exit code ${res.status ?? res.signal}`);
  }
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Debian packages needed for Chromium and for code-server's native modules. */
export async function ensureSystemPackages(packages = SYSTEM_PACKAGES) {
  // One dpkg-query call for all packages; absent ones are reported on stderr.
  const res = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...packages], { encoding: 'utf8' });
  if (res.error) throw new Error(`dpkg-query not available (${res.error.message}); this setup expects Debian`);
  const installed = new Set(
    res.stdout
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0].split(':')[0]),
  );
  const missing = packages.filter((p) => !installed.has(p));
  if (missing.length === 0) {
    log(`system packages present: ${packages.join(' ')}`);
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const installCmd = `apt-get install -y ${missing.join(' ')}`;
  if (!isRoot) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')}.\nInstall them with:\n` + `  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive ${installCmd}`,
    );
  }
  log(`installing missing system packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', ...missing], { env });
}

/** `npm ci` (or `npm install` without a lockfile) when node_modules is absent or stale. */
export async function ensureNodeModules(root) {
  const lock = path.join(root, 'package-lock.json');
  const hasLock = fs.existsSync(lock);
  // npm writes node_modules/.package-lock.json last, so it dates the install.
  const installedAt = mtime(path.join(root, 'node_modules', '.package-lock.json'));
  const newest = Math.max(mtime(path.join(root, 'package.json')) ?? 0, hasLock ? mtime(lock) : 0);
  if (installedAt !== undefined && installedAt >= newest) {
    log('node_modules up to date');
    return;
  }
  log(installedAt === undefined ? 'node_modules missing' : 'node_modules older than package.json/package-lock.json');
  run('npm', hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'], { cwd: root });
}

/** A folder of the per-machine cache outside the clone (~/.cache/actor-studio/<name>). */
export function actorStudioCacheDir(name) {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'actor-studio', name);
}

export function codeServerCacheDir(version = CODE_SERVER_VERSION) {
  return actorStudioCacheDir(`code-server-${version}`);
}

/**
 * code-server from npm, installed once per machine into a versioned cache folder
 * outside the clone (like @vscode/test-electron's .vscode-test). Returns the
 * absolute path of the code-server executable.
 */
export async function ensureCodeServer(version = CODE_SERVER_VERSION) {
  const dir = codeServerCacheDir(version);
  const marker = path.join(dir, '.install-complete');
  const bin = path.join(dir, 'node_modules', '.bin', 'code-server');
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (fs.existsSync(marker) && fs.existsSync(entry)) {
    log(`code-server ${version} cached at ${dir}`);
    return bin;
  }
  // A folder without the marker is a half-finished install: start over.
  log(`installing code-server ${version} into ${dir} (about a minute)`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'actor-studio-code-server-cache', private: true }, null, 2));

  const env = {
    ...process.env,
    npm_config_unsafe_perm: 'true', // as root, code-server's postinstall refuses without it
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`, which would wait for a yes
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  // 1. Fetch the package tree without running any install script yet.
  run('npm', ['install', '--ignore-scripts', `code-server@${version}`], { cwd: dir, env });
  // 2. Seed @vscode/ripgrep's download cache from /usr/bin/rg so its postinstall stays offline.
  seedRipgrepCache(dir, env);
  // 3. Run all install scripts: argon2's native build (code-server loads it even with --auth none)
  //    and code-server's postinstall, which installs lib/vscode and builds its native modules.
  run('npm', ['rebuild'], { cwd: dir, env });

  const rg = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!fs.existsSync(rg)) throw new Error(`code-server install finished but ${rg} is missing`);
  // Loading the CLI proves the native modules it requires at startup were built.
  const probe = spawnSync(process.execPath, [entry, '--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, XDG_CONFIG_HOME: dir },
  });
  if (probe.status !== 0 || !probe.stdout.includes(version)) {
    throw new Error(`code-server --version failed after install:\n${probe.stdout}${probe.stderr}`);
  }
  fs.writeFileSync(marker, JSON.stringify({ version, installedAt: new Date().toISOString() }) + '\n');
  log(`code-server ${version} ready: ${bin}`);
  return bin;
}

/** Puts a tarball of the system rg where @vscode/ripgrep's postinstall looks before downloading. */
function seedRipgrepCache(dir, env) {
  const rgSystem = '/usr/bin/rg';
  if (!fs.existsSync(rgSystem)) throw new Error(`${rgSystem} missing: install the Debian package ripgrep first`);
  // lib/vscode ships an npm-shrinkwrap.json, so the version npm will resolve is fixed there.
  const shrinkwrap = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'npm-shrinkwrap.json');
  const pkgs = JSON.parse(fs.readFileSync(shrinkwrap, 'utf8')).packages ?? {};
  const rgPkgVersion = pkgs['node_modules/@vscode/ripgrep']?.version;
  if (!rgPkgVersion) throw new Error(`no @vscode/ripgrep in ${shrinkwrap}`);

  // The ripgrep release it downloads is a constant in its lib/postinstall.js: read it from the package.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'actor-studio-rg-'));
  try {
    run('npm', ['pack', `@vscode/ripgrep@${rgPkgVersion}`, '--pack-destination', tmp, '--silent'], { cwd: tmp, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack @vscode/ripgrep@${rgPkgVersion} produced no tarball`);
    run('tar', ['xzf', tgz, 'package/lib/postinstall.js', 'package/lib/download.js'], { cwd: tmp });
    const postinstall = fs.readFileSync(path.join(tmp, 'package', 'lib', 'postinstall.js'), 'utf8');
    const release = /const VERSION = '([^']+)'/.exec(postinstall)?.[1];
    if (!release) throw new Error(`could not read VERSION from @vscode/ripgrep@${rgPkgVersion} lib/postinstall.js`);
    const download = fs.readFileSync(path.join(tmp, 'package', 'lib', 'download.js'), 'utf8');
    if (!download.includes('vscode-ripgrep-cache-${packageVersion}')) {
      throw new Error(`@vscode/ripgrep@${rgPkgVersion} no longer caches in os.tmpdir()/vscode-ripgrep-cache-<version>; update seedRipgrepCache`);
    }
    if (process.arch !== 'x64' || process.platform !== 'linux') throw new Error('only linux x64 is supported here');

    const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${rgPkgVersion}`);
    const asset = path.join(cacheDir, `ripgrep-${release}-x86_64-unknown-linux-musl.tar.gz`);
    fs.mkdirSync(cacheDir, { recursive: true });
    const stage = path.join(tmp, 'rg');
    fs.mkdirSync(stage);
    fs.copyFileSync(rgSystem, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    run('tar', ['czf', asset, 'rg'], { cwd: stage }); // a single rg at the archive root
    log(`seeded ${asset} (@vscode/ripgrep ${rgPkgVersion}, release ${release}) from ${rgSystem}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
