// Builds the three bundles (extension, CLI, webviews) and the JSON schemas of the data files.
// Usage: node esbuild.js [--production] [--watch]
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = __dirname;

/** Native or heavy packages stay outside the bundles and load lazily at run time. */
const external = ['vscode', 'sharp'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

function webviewEntries() {
  const dir = path.join(root, 'src', 'webviews');
  if (!fs.existsSync(dir)) return {};
  const entries = {};
  for (const panel of fs.readdirSync(dir)) {
    const main = path.join(dir, panel, 'ui', 'main.ts');
    if (fs.existsSync(main)) entries[panel] = main;
  }
  return entries;
}

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    // Lets the extension report how long evaluating its own bundle took (the benchmark reads it).
    banner: { js: 'var __actorStudioBundleStart = performance.now();' },
    footer: { js: 'var __actorStudioBundleEnd = performance.now();' },
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    banner: { js: '#!/usr/bin/env node' },
  },
  { ...common, entryPoints: webviewEntries(), outdir: 'dist/webviews', platform: 'browser', format: 'iife', target: 'es2022' },
  // Not shipped: run once below to write dist/schemas from the zod schemas, so they never drift.
  { ...common, entryPoints: ['scripts/emitSchemas.ts'], outfile: 'out/build/emitSchemas.js', platform: 'node', format: 'cjs', target: 'node20', sourcemap: false },
];

/** Copies what the webviews load besides their bundles: the codicon font and its stylesheet. */
function copyWebviewAssets() {
  const from = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(root, 'dist', 'webviews', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

function emitSchemas() {
  const emit = path.join(root, 'out/build/emitSchemas.js');
  delete require.cache[emit];
  const written = require(emit).emitSchemas(path.join(root, 'dist', 'schemas'));
  console.log(`[schemas] ${written.length} JSON schemas written to dist/schemas`);
}

async function main() {
  const active = builds.filter((options) => !options.entryPoints || Object.keys(options.entryPoints).length > 0);
  if (watch) {
    const contexts = await Promise.all(active.map((options) => esbuild.context(options)));
    await Promise.all(contexts.map((context) => context.watch()));
    copyWebviewAssets();
    emitSchemas();
    return;
  }
  await Promise.all(active.map((options) => esbuild.build(options)));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  copyWebviewAssets();
  emitSchemas();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
