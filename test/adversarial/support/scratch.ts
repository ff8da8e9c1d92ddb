// The adversarial lane's scratch space: a parent folder holding a copy of the sample data folder
// (`data/`) and files the program must never touch (`outside/`). `unchanged()` compares a hash
// listing of everything in the parent outside `data/` with the one taken at creation, so a test
// proves a hostile input led nowhere outside the data folder.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const SAMPLE_DATA = path.join(REPO_ROOT, 'sample', 'data');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface Scratch {
  /** The parent folder: `data/`, `outside/` and anything a test adds beside them. */
  parent: string;
  /** The data folder (a copy of the sample's). */
  data: string;
  /** Files outside the data folder, as an attacker would point at them. */
  outside: string;
  /** Fails when any file outside `data/` was created, changed, or removed since creation (or since `rebaseline`). */
  unchanged(): Promise<void>;
  /** Takes the listing again (after a test deliberately wrote outside, e.g. an export folder). */
  rebaseline(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Every entry below `dir` except `data/`: file -> sha256, symlink -> its target, folder -> 'dir'. */
export async function hashListing(dir: string, skip = 'data'): Promise<Map<string, string>> {
  const listing = new Map<string, string>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      const relative = path.relative(dir, file);
      if (relative === skip) continue;
      if (entry.isSymbolicLink()) listing.set(relative, `link:${await fs.readlink(file)}`);
      else if (entry.isDirectory()) {
        listing.set(relative, 'dir');
        await walk(file);
      } else
        listing.set(
          relative,
          createHash('sha256')
            .update(await fs.readFile(file))
            .digest('hex'),
        );
    }
  };
  await walk(dir);
  return listing;
}

export async function makeScratch(): Promise<Scratch> {
  const parent = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'actor-studio-adversarial-')));
  const data = path.join(parent, 'data');
  const outside = path.join(parent, 'outside');
  await fs.cp(SAMPLE_DATA, data, { recursive: true });
  await fs.mkdir(outside, { recursive: true });
  await fs.writeFile(path.join(outside, 'secret.txt'), 'not yours\n');
  await fs.writeFile(path.join(outside, 'trash.json'), '{"entries":[]}\n');
  await fs.writeFile(
    path.join(outside, 'photo.jpg'),
    await fs.readFile(path.join(data, 'actors', '0000_european_45_female', 'training_data', '0000_european_45_female_0.jpg')),
  );
  let before = await hashListing(parent);
  return {
    parent,
    data,
    outside,
    async unchanged() {
      const after = await hashListing(parent);
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key)).sort();
      assert.deepEqual(changed, [], `changed outside the data folder: ${changed.join(', ')}`);
    },
    async rebaseline() {
      before = await hashListing(parent);
    },
    cleanup: () => fs.rm(parent, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/cli.js) in its own process, as a user's shell would. */
export function runCliProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? cleanEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error && typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code as number) : error ? null : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** The environment without any key or setting of this program, the AWS SDK's or Replicate's. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(ACTOR_STUDIO_|AWS_|REPLICATE_|OPENAI_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}
