// `npm test`: installs what it needs (Debian packages when root, node_modules, a cached
// code-server), builds, and runs every layer: unit (plain Node), integration (inside a real
// VS Code extension host), e2e (Chromium clicking through VS Code), an adversarial lane (hostile
// inputs) and a slow lane (crash safety).
// Ends with one total line.
// Options: --unit (unit only), --no-slow (no crash-safety lane), --no-e2e
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, ensureNodeModules, ensureSystemPackages } from './lib/setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const unitOnly = args.has('--unit');

function step(title, command, commandArgs, options = {}) {
  console.log(`\n=== ${title}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: options.capture ? ['inherit', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (options.capture) process.stdout.write(result.stdout ?? '');
  return { status: result.status ?? 1, stdout: result.stdout ?? '' };
}

function mustPass(title, command, commandArgs) {
  const { status } = step(title, command, commandArgs);
  if (status !== 0) {
    console.error(`\n${title} failed (exit ${status}).`);
    process.exit(status || 1);
  }
}

/** Reads a layer's `N passed, N failed` line; a layer that printed none counts as one failure. */
function totals(stdout, status) {
  const match = [...stdout.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
  if (!match) return { passed: 0, failed: 1 };
  return { passed: Number(match[1]), failed: Number(match[2]) + (status !== 0 && Number(match[2]) === 0 ? 1 : 0) };
}

if (!unitOnly) await ensureSystemPackages();
await ensureNodeModules(root);
if (!unitOnly) await ensureCodeServer();

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
mustPass('build (extension, CLI, webviews, JSON schemas)', process.execPath, ['esbuild.js']);
mustPass('type check', 'npm', ['run', '--silent', 'typecheck']);
mustPass('lint (ESLint with typescript-eslint, Prettier)', 'npm', ['run', '--silent', 'lint']);
fs.rmSync(path.join(root, 'out'), { recursive: true, force: true }); // no stale compiled tests
mustPass('compile tests', bin('tsc'), ['-p', 'tsconfig.test.json']);

/** Passed and failed counts of a mocha run, from its spec reporter output. */
const mochaTotals = (result) => ({
  passed: Number(/(\d+) passing/.exec(result.stdout)?.[1] ?? 0),
  failed: Number(/(\d+) failing/.exec(result.stdout)?.[1] ?? (result.status === 0 ? 0 : 1)),
});

const layers = [];
const unit = step('unit tests (plain Node)', bin('mocha'), ['--config', '.mocharc.json', '--reporter', 'spec', '--reporter-option', 'maxDiffSize=0'], {
  capture: true,
});
layers.push(['unit', mochaTotals(unit)]);

// The adversarial lane: hostile and broken inputs against the built CLI and core, each proving
// nothing outside a scratch data folder changed. Plain Node, so it runs with --unit too.
const adversarial = step(
  'adversarial tests (hostile and broken inputs)',
  bin('mocha'),
  ['--no-config', '--enable-source-maps', '--timeout', '120000', '--reporter', 'spec', 'out/test/adversarial/**/*.test.js'],
  { capture: true },
);
layers.push(['adversarial', mochaTotals(adversarial)]);

// The slow lane: kill/resume cycles of the real CLI (about 2 minutes), and packaging (every .vsix and
// the CLI's tarball unpacked, the tarball installed; about 2 minutes); not in --unit, skipped with --no-slow.
// Its own mocha options, so the unit lane's .mocharc.json never picks these files up.
if (!unitOnly && !args.has('--no-slow')) {
  const slow = step(
    'slow tests (crash safety: the CLI killed and resumed; packaging: each .vsix, the CLI installed)',
    bin('mocha'),
    ['--no-config', '--enable-source-maps', '--timeout', '600000', '--reporter', 'spec', 'out/test/slow/**/*.test.js'],
    { capture: true },
  );
  layers.push(['slow', mochaTotals(slow)]);
}

if (!unitOnly) {
  const integration = step('integration tests (real VS Code extension host, code-server)', process.execPath, ['out/test/runners/integration.js'], {
    capture: true,
  });
  layers.push(['integration', totals(integration.stdout, integration.status)]);
  if (!args.has('--no-e2e')) {
    mustPass('package the .vsix', 'npm', ['run', '--silent', 'package']);
    const e2e = step('e2e tests (Chromium driving VS Code)', process.execPath, ['out/test/e2e/run.js'], { capture: true });
    layers.push(['e2e', totals(e2e.stdout, e2e.status)]);
  }
}

console.log('');
for (const [name, { passed, failed }] of layers) console.log(`${name}: ${passed} passed, ${failed} failed`);
const passed = layers.reduce((sum, [, layer]) => sum + layer.passed, 0);
const failed = layers.reduce((sum, [, layer]) => sum + layer.failed, 0);
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
