// Builds the bundles (extension, CLI, face worker, webviews) and the JSON schemas of the data files.
// Usage: node esbuild.js [--production] [--watch]
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = __dirname;

/** Native or heavy packages stay outside the bundles and load lazily at run time. */
const external = ['vscode', 'sharp'];
/**
 * face-api and tfjs run only in the face worker (dist/faceWorker.js bundles them); the extension
 * and the CLI start that worker and never load them themselves.
 */
const faceEngine = ['@vladmandic/face-api', '@vladmandic/face-api/*', '@tensorflow/*'];

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
    external: [...external, ...faceEngine],
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
    external: [...external, ...faceEngine],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/core/evaluate/faceWorker.ts'],
    outfile: 'dist/faceWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    // tfjs is large; its source maps would triple the shipped size for no use.
    sourcemap: false,
  },
  { ...common, entryPoints: webviewEntries(), outdir: 'dist/webviews', platform: 'browser', format: 'iife', target: 'es2022' },
  // Not shipped: run once below to write dist/schemas from the zod schemas, so they never drift.
  {
    ...common,
    entryPoints: ['scripts/emitSchemas.ts'],
    outfile: 'out/build/emitSchemas.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: false,
  },
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

/** The face models (detector, landmarks, recognition) and tfjs's .wasm files, beside the worker (faceAssetDirs). */
function copyFaceAssets() {
  const model = path.join(root, 'node_modules', '@vladmandic', 'face-api', 'model');
  const wasm = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const copy = (from, to, names) => {
    fs.rmSync(to, { recursive: true, force: true }); // no file left over from an earlier build
    fs.mkdirSync(to, { recursive: true });
    for (const name of names) fs.copyFileSync(path.join(from, name), path.join(to, name));
  };
  const models = ['ssd_mobilenetv1_model', 'face_landmark_68_model', 'face_recognition_model'];
  copy(
    model,
    path.join(root, 'dist', 'face', 'model'),
    models.flatMap((name) => [`${name}-weights_manifest.json`, `${name}.bin`]),
  );
  // tfjs never loads the threaded build under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there):
  // the SIMD build runs, the plain one is its fallback.
  copy(
    wasm,
    path.join(root, 'dist', 'face', 'wasm'),
    fs.readdirSync(wasm).filter((name) => name.endsWith('.wasm') && !name.includes('threaded')),
  );
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
    copyFaceAssets();
    emitSchemas();
    return;
  }
  await Promise.all(active.map((options) => esbuild.build(options)));
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  copyWebviewAssets();
  copyFaceAssets();
  emitSchemas();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
