// `npm run bench`: builds, then runs bench/run.ts (core index against its floor, and the
// extension inside a real VS Code on 10,000 synthetic actors).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, ensureNodeModules, ensureSystemPackages } from './lib/setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await ensureSystemPackages();
await ensureNodeModules(root);
await ensureCodeServer();
for (const [command, args] of [
  [process.execPath, ['esbuild.js', '--production']],
  [path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.test.json']],
  [process.execPath, ['out/bench/run.js']],
]) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
