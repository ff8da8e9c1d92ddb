// What the two packaging scripts share (package-all.mjs: one .vsix per platform; pack-cli.mjs:
// the CLI's npm tarball): the root manifest, a staging folder outside the clone, the option
// parsing, and the check that the bundles were built.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function rootManifest() {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
}

/** The sharp the bundles were built and tested with (node_modules), so every package ships that one. */
export function installedSharpVersion() {
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'sharp', 'package.json'), 'utf8')).version;
}

/** Packaging ships what dist/ holds: it never builds, so the bundles are the ones just tested. */
export function requireBuild() {
  for (const file of ['dist/extension.js', 'dist/cli.js', 'dist/faceWorker.js', 'dist/face/model']) {
    if (!fs.existsSync(path.join(root, file))) {
      throw new Error(`${file} is missing: build first (npm run build, or node esbuild.js --production for a release)`);
    }
  }
}

/** Runs body with a fresh folder under the system temp folder, removed afterwards. */
export async function withStaging(prefix, body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `actor-studio-${prefix}-`));
  try {
    return await body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies files (paths relative to root) into dir, keeping their relative paths. */
export function copyFromRoot(files, dir) {
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
}

/**
 * `--out DIR` (default: the repository root) and repeatable `--NAME VALUE` options; anything after
 * `--` is passed through. Unknown options are refused so a typo never packages the wrong thing.
 */
export function parseOptions(argv, repeatable = []) {
  const options = { out: root, passThrough: [] };
  for (const name of repeatable) options[name] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      options.passThrough = argv.slice(i + 1);
      break;
    }
    const name = arg.replace(/^--/, '');
    const value = argv[i + 1];
    if (!arg.startsWith('--') || (name !== 'out' && !repeatable.includes(name)) || value === undefined) {
      throw new Error(`unknown or incomplete option ${arg} (options: --out DIR${repeatable.map((n) => `, --${n} VALUE`).join('')}, -- ARGS)`);
    }
    if (name === 'out') options.out = path.resolve(value);
    else options[name].push(value);
    i++;
  }
  fs.mkdirSync(options.out, { recursive: true });
  return options;
}

export const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
