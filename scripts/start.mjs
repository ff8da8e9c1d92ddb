// `npm start`: installs what it needs, builds, packages the .vsix, installs it into the cached
// code-server, and serves VS Code with the sample workspace on http://127.0.0.1:PORT (PORT env,
// default 8080). Ctrl+C stops it. The workspace is a copy of sample/ under .vscode-test/, so
// trying things out never changes the repository's sample.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerCacheDir, ensureCodeServer, ensureNodeModules, ensureSystemPackages } from './lib/setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 8080);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

await ensureSystemPackages();
await ensureNodeModules(root);
const codeServer = await ensureCodeServer();
run(process.execPath, ['esbuild.js', '--production']);
run('npm', ['run', '--silent', 'package']);

// A profile of its own, kept between runs (settings, window state), beside the cached code-server.
const profile = path.join(codeServerCacheDir(), '..', 'start-profile');
const userData = path.join(profile, 'user-data');
const extensions = path.join(profile, 'extensions');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
const settingsFile = path.join(userData, 'User', 'settings.json');
const settings = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
// Quiet defaults; anything the user changed in this profile stays.
const quiet = { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'git.openRepositoryInParentFolders': 'never' };
fs.writeFileSync(settingsFile, JSON.stringify({ ...quiet, ...settings }, null, 2));
run(codeServer, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', path.join(root, 'actor-studio.vsix'), '--force']);

const workspace = path.join(root, '.vscode-test', 'sample-workspace');
if (!fs.existsSync(workspace)) {
  fs.cpSync(path.join(root, 'sample'), workspace, { recursive: true });
}

const server = spawn(
  codeServer,
  [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensions,
    '--config',
    path.join(profile, 'config.yaml'),
    workspace,
  ],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: path.join(profile, 'config') } },
);
const logFile = path.join(os.tmpdir(), 'actor-studio-start.log');
const log = fs.createWriteStream(logFile);
server.stdout.pipe(log);
server.stderr.pipe(log);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
console.log(
  `\nActor Studio is running in VS Code at:\n\n  ${url}\n\nOpen it in a browser. The workspace is ${path.relative(root, workspace)} (a copy of sample/).\nServer log: ${logFile}. Press Ctrl+C to stop.`,
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));
