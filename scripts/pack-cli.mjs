// `npm run package:cli`: the actor-studio CLI as an npm package, DIR/actor-studio-cli-<version>.tgz
// (DIR: the repository root, or --out DIR). It holds what the CLI runs and nothing else: the CLI
// bundle, the face worker bundle with its models and .wasm files, cli/README.md, LICENSE, and a
// package.json with sharp (native, per platform: npm picks the user's) as its only dependency.
// Install it with `npm install -g actor-studio-cli-<version>.tgz`, or run it with
// `npx --package ./actor-studio-cli-<version>.tgz actor-studio --help`.
// Usage: node scripts/pack-cli.mjs [--out DIR]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { copyFromRoot, megabytes, parseOptions, requireBuild, root, rootManifest, withStaging } from './lib/packaging.mjs';

/** dist/cli.js starts dist/faceWorker.js, which reads dist/face/model and dist/face/wasm. */
function cliFiles() {
  const face = (sub) => fs.readdirSync(path.join(root, 'dist', 'face', sub)).map((name) => `dist/face/${sub}/${name}`);
  return ['dist/cli.js', 'dist/faceWorker.js', ...face('model'), ...face('wasm'), 'LICENSE'];
}

function cliManifest() {
  const manifest = rootManifest();
  return {
    name: 'actor-studio-cli',
    version: manifest.version,
    description: `The actor-studio command line: ${manifest.description[0].toLowerCase()}${manifest.description.slice(1)}`,
    license: manifest.license,
    keywords: manifest.keywords,
    repository: manifest.repository,
    engines: { node: manifest.engines.node },
    bin: { 'actor-studio': 'dist/cli.js' },
    dependencies: { sharp: manifest.dependencies.sharp },
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  requireBuild();
  const tarball = await withStaging('cli', (stage) => {
    copyFromRoot(cliFiles(), stage);
    fs.copyFileSync(path.join(root, 'cli', 'README.md'), path.join(stage, 'README.md'));
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(cliManifest(), null, 2) + '\n');
    const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', options.out], { cwd: stage, encoding: 'utf8' });
    if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
    return path.join(options.out, JSON.parse(packed.stdout)[0].filename);
  });
  console.log(`${path.relative(process.cwd(), tarball) || tarball}  ${megabytes(fs.statSync(tarball).size)}`);
}

main().catch((error) => {
  console.error(`package:cli: ${error.message}`);
  process.exit(1);
});
