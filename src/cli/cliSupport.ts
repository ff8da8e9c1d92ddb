import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { ActorIndex } from '../core/workspace/dataIndex';
import type { DataIndex, DataProblem } from '../core/workspace/types';

/** Exit codes every command follows (DESIGN.md): done, some work failed, usage or input error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called or in its input; printed without a stack trace. */
export class UsageError extends Error {}

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  isTTY: boolean;
  /** The environment the command reads keys and defaults from (never printed). */
  env?: NodeJS.ProcessEnv;
  /** Aborted on Ctrl+C: long work stops and leaves nothing half-written. */
  signal?: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, io: CliIO): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS = {
  data: { type: 'string', default: './data' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseCommandArgs(command: CliCommand, args: string[]): Record<string, unknown> {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...command.options }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${command.usage}`);
  }
}

export function dataRootOption(values: Record<string, unknown>, io: CliIO): string {
  return path.resolve(io.cwd, String(values.data ?? './data'));
}

/** The data folder of `--data`, which must exist (a usage error otherwise, before anything is written). */
export async function existingDataRoot(values: Record<string, unknown>, io: CliIO): Promise<string> {
  const dataRoot = dataRootOption(values, io);
  if (!(await fs.stat(dataRoot).then((stat) => stat.isDirectory(), () => false))) {
    throw new UsageError(`data folder not found: ${dataRoot} (pass --data DIR)`);
  }
  return dataRoot;
}

/** Pads columns for a terminal table; the last column is left ragged. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}

/** A problem with its file relative to the data folder, for JSON output. */
export function relativeProblem(dataRoot: string, problem: DataProblem): DataProblem {
  return { ...problem, file: path.relative(dataRoot, problem.file) || '.' };
}

/** The actors a command runs on (`--actor-id ID`, which must exist, or `--all`), from a fresh index. */
export async function selectActors(values: Record<string, unknown>, io: CliIO, usage: string): Promise<{ dataRoot: string; index: DataIndex; ids: string[] }> {
  const dataRoot = dataRootOption(values, io);
  const actorId = values['actor-id'] as string | undefined;
  if (Boolean(actorId) === Boolean(values.all)) {
    throw new UsageError(`give either --actor-id ID or --all\nusage: ${usage}`);
  }
  const index = await new ActorIndex(dataRoot).index();
  if (!index.exists) {
    throw new UsageError(`data folder not found: ${dataRoot} (pass --data DIR)`);
  }
  if (actorId && !index.actors.some((actor) => actor.id === actorId)) {
    throw new UsageError(`unknown actor id "${actorId}" (\`actor-studio actors\` lists them)`);
  }
  return { dataRoot, index, ids: actorId ? [actorId] : index.actors.map((actor) => actor.id) };
}
