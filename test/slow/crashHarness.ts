import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { runsDir } from '../../src/core/workspace/layout';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { sha256File } from '../../src/core/fs/files';
import { actorPlanPath } from '../../src/core/workspace/layout';
import { mulberry32 } from '../../src/core/util/seededRandom';
import { actorPaths, imageNumber, isImageFile } from '../../src/core/workspace/layout';
import { TRASH_DIR } from '../../src/core/workspace/layout';
import { FAKE_REPLICATE_TOKEN, FakeReplicateServer } from '../fakes/replicateServer';
import { copySampleData, REPO_ROOT } from '../unit/helpers/tempData';

/**
 * The kill/resume loop shared by the slow test (test/slow/crashResume.test.ts) and the crash
 * benchmark (bench/crashBench.ts): the real CLI (dist/cli.js) executes a plan against the fake
 * Replicate, is SIGKILLed at a seeded random moment, and is run again until it completes; the
 * data folder is checked after every kill and at the end of every workspace.
 */

export const CRASH_ACTOR = '0000_european_45_female'; // plan: 4 deletions, 11 generations
const CLI_JS = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface CrashOptions {
  kills: number;
  seed: number;
  /** Kills in one workspace before it is let finish and a fresh one starts. */
  killsPerWorkspace?: number;
  /** Kill moments at work are drawn from [0, maxKillDelayMs) after the run said it started. */
  maxKillDelayMs?: number;
  onCycle?: (message: string) => void;
}

export interface CrashReport {
  seed: number;
  cycles: number;
  kills: number;
  workspaces: number;
  /** Kills that hit a run with some operations started or finished (not during start-up). */
  killsMidRun: number;
  /** Temporary files of interrupted atomic writes still there when a workspace completed (garbage, not damage). */
  tempFilesLeft: number;
  /** Problems by kind; every list should stay empty. */
  corrupt: string[];
  lost: string[];
  duplicated: string[];
  /** The final set does not match the plan in another way (or a run did not complete). */
  mismatched: string[];
}

interface Workspace {
  dataRoot: string;
  cleanup: () => Promise<void>;
  plan: { deletions: { filename: string; sha256?: string }[]; generations: { prompt_id: string }[] };
  /** Images on disk but not in the manifest before execution (the sample has one): they stay as they are. */
  untracked: string[];
  /** Manifest entries before execution. */
  before: Set<string>;
}

async function prepareWorkspace(): Promise<Workspace> {
  const sample = await copySampleData();
  const io = { stdout: () => undefined, stderr: () => undefined, cwd: sample.dir, isTTY: false, env: {} };
  const code = await runCli(['plan', '--data', sample.dataRoot, '--actor-id', CRASH_ACTOR, '--seed', '1', '--skip-face'], io);
  if (code !== 0) {
    throw new Error(`planning the crash workspace failed (exit ${code})`);
  }
  const plan = JSON.parse(await fs.readFile(actorPlanPath(sample.dataRoot, CRASH_ACTOR), 'utf8'));
  const { trainingDir, manifest } = actorPaths(sample.dataRoot, CRASH_ACTOR);
  const tracked = new Set((await loadManifest(manifest)).images.map((image) => image.filename));
  const untracked = (await fs.readdir(trainingDir)).filter((name) => isImageFile(name) && !tracked.has(name));
  return { dataRoot: sample.dataRoot, cleanup: sample.cleanup, plan, untracked, before: tracked };
}

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every JSON file of the data folder (manifests, prompt metadata, plans, journals, trash records) that does not parse. */
export async function corruptJsonFiles(dataRoot: string): Promise<string[]> {
  const corrupt: string[] = [];
  for (const file of (await filesBelow(dataRoot)).filter((name) => name.endsWith('.json'))) {
    try {
      JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (error) {
      corrupt.push(`${path.relative(dataRoot, file)}: ${(error as Error).message}`);
    }
  }
  return corrupt;
}

/**
 * Training folder against manifest: every image tracked (except the ones untracked before), every
 * entry on disk with its sha256, and no number twice across the training folder and every trash.
 */
export async function consistencyProblems(
  dataRoot: string,
  actorId: string,
  untracked: readonly string[] = [],
): Promise<{ lost: string[]; duplicated: string[] }> {
  const { trainingDir, manifest: manifestFile } = actorPaths(dataRoot, actorId);
  const manifest = await loadManifest(manifestFile);
  const onDisk = (await fs.readdir(trainingDir)).filter(isImageFile);
  const tracked = new Set(manifest.images.map((image) => image.filename));
  const lost: string[] = [];
  const duplicated: string[] = [];
  onDisk.filter((name) => !tracked.has(name) && !untracked.includes(name)).forEach((name) => lost.push(`${name} is on disk but not in the manifest`));
  for (const entry of manifest.images) {
    const file = path.join(trainingDir, entry.filename);
    const sha256 = await sha256File(file).catch(() => undefined);
    if (sha256 === undefined) {
      lost.push(`${entry.filename} is in the manifest but not on disk`);
    } else if (sha256 !== entry.sha256) {
      lost.push(`${entry.filename}: sha256 ${sha256} on disk, ${entry.sha256} in the manifest`);
    }
  }
  if (tracked.size !== manifest.images.length) {
    duplicated.push('a file name appears twice in the manifest');
  }
  const trashed = (await filesBelow(path.join(dataRoot, TRASH_DIR)).catch(() => [] as string[])).filter(
    (file) => isImageFile(file) && path.basename(path.dirname(path.dirname(file))) === actorId,
  );
  const seen = new Map<number, string>();
  for (const file of [...onDisk.map((name) => path.join(trainingDir, name)), ...trashed]) {
    const number = imageNumber(actorId, path.basename(file));
    if (number === undefined) {
      continue;
    }
    const other = seen.get(number);
    if (other) {
      duplicated.push(`number ${number} used twice: ${path.relative(dataRoot, other)} and ${path.relative(dataRoot, file)}`);
    }
    seen.set(number, file);
  }
  return { lost, duplicated };
}

/** After a completed run: deletions in the trash with the bytes the plan saw, one image per planned generation, prompts as planned. */
async function finalSetProblems(workspace: Workspace): Promise<{ lost: string[]; duplicated: string[]; mismatched: string[] }> {
  const { dataRoot, plan } = workspace;
  const { lost, duplicated } = await consistencyProblems(dataRoot, CRASH_ACTOR, workspace.untracked);
  const mismatched: string[] = [];
  const { trainingDir, manifest: manifestFile } = actorPaths(dataRoot, CRASH_ACTOR);
  const manifest = await loadManifest(manifestFile);
  const trashed = (await filesBelow(path.join(dataRoot, TRASH_DIR)).catch(() => [] as string[])).filter(isImageFile);
  for (const deletion of plan.deletions) {
    const copies = trashed.filter((file) => path.basename(file) === deletion.filename);
    if (copies.length !== 1) {
      (copies.length === 0 ? lost : duplicated).push(`${deletion.filename}: ${copies.length} copies in the trash`);
    } else if (deletion.sha256 && (await sha256File(copies[0])) !== deletion.sha256) {
      lost.push(`${deletion.filename}: the trashed copy has other bytes than planned`);
    }
    if (
      manifest.images.some((image) => image.filename === deletion.filename) ||
      (await fs.stat(path.join(trainingDir, deletion.filename)).then(
        () => true,
        () => false,
      ))
    ) {
      mismatched.push(`${deletion.filename} was planned for deletion but is still in the training folder or manifest`);
    }
  }
  // A completed run adopts the files that were untracked before it (kept by the plan): they are no generations.
  const untrackedKept = workspace.untracked.filter((name) => !plan.deletions.some((deletion) => deletion.filename === name));
  for (const name of untrackedKept) {
    if (!manifest.images.some((image) => image.filename === name)) {
      mismatched.push(`${name} was untracked and kept, but the completed run did not adopt it into the manifest`);
    }
  }
  const generated = manifest.images.filter((image) => !workspace.before.has(image.filename) && !workspace.untracked.includes(image.filename));
  const sorted = (ids: (string | undefined | null)[]) => ids.map(String).sort().join(',');
  if (generated.length > plan.generations.length) {
    duplicated.push(`${generated.length} images generated for ${plan.generations.length} planned generations`);
  } else if (generated.length < plan.generations.length) {
    lost.push(`${generated.length} images generated for ${plan.generations.length} planned generations`);
  } else if (sorted(generated.map((image) => image.prompt_id)) !== sorted(plan.generations.map((generation) => generation.prompt_id))) {
    mismatched.push(
      `prompt ids ${sorted(generated.map((image) => image.prompt_id))}, planned ${sorted(plan.generations.map((generation) => generation.prompt_id))}`,
    );
  }
  return { lost, duplicated, mismatched };
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The workspace's journals (one per run), as parsed JSON. */
async function journals(dataRoot: string): Promise<{ status?: string; operations?: { id: string; state: string; error?: string }[] }[]> {
  const dir = runsDir(dataRoot);
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((entry) => entry.endsWith('.json'));
  return Promise.all(names.map(async (name) => parseJson(await fs.readFile(path.join(dir, name), 'utf8')) ?? {}));
}

/** Grows whenever a run starts or finishes an operation: tells kills at work from kills during start-up. */
function progressOf(runs: Awaited<ReturnType<typeof journals>>): number {
  const steps = { pending: 0, started: 1, done: 2, failed: 2, skipped: 2 } as Record<string, number>;
  return runs.reduce((sum, journal) => sum + (journal.operations ?? []).reduce((total, operation) => total + (steps[operation.state] ?? 0), 0), 0);
}

/** When to kill a run: this long after the spawn (start-up), or after the run printed that it started (at work). */
type KillMoment = { afterSpawnMs: number } | { afterRunStartMs: number };

/** One CLI run (plain progress lines on stderr); SIGKILLed at `kill` unless it ended first. */
function runCliProcess(
  dataRoot: string,
  env: NodeJS.ProcessEnv,
  kill: KillMoment | undefined,
): Promise<{ killed: boolean; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, 'execute', '--data', dataRoot, '--actor-id', CRASH_ACTOR, '--execute', '--provider', 'replicate'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const killIn = (ms: number) => (timer ??= setTimeout(() => (killed = child.kill('SIGKILL')), ms));
    if (kill && 'afterSpawnMs' in kill) {
      killIn(kill.afterSpawnMs);
    }
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (kill && 'afterRunStartMs' in kill && /^(starting|resuming) run /m.test(stderr)) {
        killIn(kill.afterRunStartMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ killed, code, stdout, stderr });
    });
  });
}

/**
 * Runs kill cycles until `kills` kills happened, over several fresh workspaces (each is let
 * complete after a few kills, then checked against its plan). Problems are collected, not thrown,
 * so the caller decides (the test asserts, the benchmark prints).
 */
export async function runKillCycles(options: CrashOptions): Promise<CrashReport> {
  const random = mulberry32(options.seed);
  const report: CrashReport = {
    seed: options.seed,
    cycles: 0,
    kills: 0,
    killsMidRun: 0,
    workspaces: 0,
    tempFilesLeft: 0,
    corrupt: [],
    lost: [],
    duplicated: [],
    mismatched: [],
  };
  // Latency on every request of the model (30-80 ms), so kills land during requests as well as between them.
  const latency = [30, 45, 60, 80].map((delayMs) => ({ delayMs }));
  const replicate = await FakeReplicateServer.start({
    plan: { syncComplete: true },
    randomFaults: { rate: 1, seed: options.seed, faults: latency, on: ['create', 'file'] },
  });
  const env = { REPLICATE_API_TOKEN: FAKE_REPLICATE_TOKEN, ACTOR_STUDIO_REPLICATE_BASE_URL: replicate.baseUrl };
  const killsPerWorkspace = options.killsPerWorkspace ?? 10;
  const maxDelay = options.maxKillDelayMs ?? 1500;
  try {
    while (report.kills < options.kills) {
      const workspace = await prepareWorkspace();
      report.workspaces++;
      const where = (problem: string) => `workspace ${report.workspaces}, cycle ${report.cycles}: ${problem}`;
      try {
        let killsHere = 0;
        let progressBefore = 0;
        for (;;) {
          const letFinish = killsHere >= killsPerWorkspace || report.kills >= options.kills;
          // One kill in five during start-up (journal creation, lock breaking), the rest while the run is at work.
          const kill: KillMoment | undefined = letFinish
            ? undefined
            : random() < 0.2
              ? { afterSpawnMs: Math.floor(random() * 800) }
              : { afterRunStartMs: Math.floor(random() * maxDelay) };
          const run = await runCliProcess(workspace.dataRoot, env, kill);
          report.cycles++;
          report.corrupt.push(...(await corruptJsonFiles(workspace.dataRoot)).map(where));
          if (run.killed) {
            report.kills++;
            killsHere++;
            options.onCycle?.(`cycle ${report.cycles}: killed ${JSON.stringify(kill)}`);
            const runs = await journals(workspace.dataRoot);
            const progressed = progressOf(runs);
            if (progressed > progressBefore) {
              report.killsMidRun++;
            }
            progressBefore = progressed;
            // Killed while exiting after the work was done: nothing left to resume, check the result.
            const completed = runs.find((journal) => journal.status === 'completed');
            if (!completed) {
              continue;
            }
            for (const operation of completed.operations?.filter((each) => each.state !== 'done') ?? []) {
              report.mismatched.push(where(`${operation.id} ended ${operation.state}: ${operation.error ?? ''}`));
            }
          } else {
            const status = /^run \S+( \(resumed\))?, \w+: (\w+)$/m.exec(run.stdout);
            options.onCycle?.(`cycle ${report.cycles}: exit ${run.code}, ${status?.[2]}${status?.[1] ?? ''}`);
            if (run.code !== 0 || status?.[2] !== 'completed') {
              report.mismatched.push(where(`the run did not complete cleanly (exit ${run.code}): ${run.stdout.slice(0, 400)} ${run.stderr.slice(0, 400)}`));
              break;
            }
          }
          report.tempFilesLeft += (await filesBelow(workspace.dataRoot)).filter((file) => file.endsWith('.tmp')).length;
          const final = await finalSetProblems(workspace);
          report.lost.push(...final.lost.map(where));
          report.duplicated.push(...final.duplicated.map(where));
          report.mismatched.push(...final.mismatched.map(where));
          break;
        }
      } finally {
        await workspace.cleanup();
      }
    }
  } finally {
    await replicate.close();
  }
  return report;
}
