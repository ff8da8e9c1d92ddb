import * as path from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { ActorIndex } from '../core/actors/dataIndex';
import type { StudioContext } from '../core/app/context';
import { createServices, type Credentials } from '../core/app/services';
import type { CliSettings } from '../core/config/settingsSources';
import { InputError } from '../core/errors';
import type { DataIndex } from '../core/actors/types';
import type { DataProblem } from '../core/workspace/problems';
import { checkDataFolder } from '../core/workspace/dataFolder';

/** Exit codes every command follows (DESIGN.md): done, some work failed, usage or input error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** The shell's code for a run stopped by Ctrl+C (128 + SIGINT). */
export const EXIT_CANCELLED = 130;

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
  /** Words that may follow the command's name (`trash list`), the first the default; given to run as `values.subcommand`. */
  subcommands?: readonly string[];
  run(values: Record<string, unknown>, io: CliIO, studio: CliStudio): Promise<number>;
}

/** What a command works with: the settings as resolved for this invocation, and the services they name. */
export interface CliStudio {
  readonly settings: CliSettings;
  readonly dataRoot: string;
  readonly credentials: Credentials;
  /** The data folder and the services (built on first use); the data folder must exist. */
  context(): Promise<StudioContext>;
}

/** Keys come from the environment only (never flags or files): Replicate, OpenAI, the AWS chain's first link. */
export function credentialsFrom(env: NodeJS.ProcessEnv): Credentials {
  return {
    replicateToken: env.REPLICATE_API_TOKEN || undefined,
    openaiKey: env.OPENAI_API_KEY || undefined,
    aws:
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
        : undefined,
    replicateBaseUrl: env.ACTOR_STUDIO_REPLICATE_BASE_URL || undefined,
  };
}

export function cliStudio(settings: CliSettings, env: NodeJS.ProcessEnv): CliStudio {
  const credentials = credentialsFrom(env);
  let context: StudioContext | undefined;
  return {
    settings,
    dataRoot: settings.dataRoot,
    credentials,
    async context() {
      await requireDataFolder(settings.dataRoot);
      context ??= { dataRoot: settings.dataRoot, services: createServices(settings.settings, credentials) };
      return context;
    },
  };
}

/** Options every command takes. */
export const COMMON_OPTIONS = {
  data: { type: 'string' },
  settings: { type: 'string' },
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const COMMON_USAGE = '[--data DIR] [--settings FILE] [--json] [--debug]';

/** Flags that override the target settings (`actorStudio.target.total`, `.shares`) for one command (core/config SETTING_FLAGS). */
export const TARGET_OPTIONS = { target: { type: 'string' }, split: { type: 'string' } } as const;

export const TARGET_USAGE = '[--target N] [--split 65/20/15]';

export function parseCommandArgs(command: CliCommand, args: string[]): Record<string, unknown> {
  const [first, ...rest] = args;
  if (command.subcommands && first !== undefined && !first.startsWith('-')) {
    if (!command.subcommands.includes(first)) {
      throw new InputError(`unknown ${command.name} command "${first}" (one of ${command.subcommands.join(', ')})\nusage: ${command.usage}`);
    }
    return { ...parseCommandArgs(command, rest), subcommand: first };
  }
  try {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...command.options }, strict: true, allowPositionals: false });
    return command.subcommands ? { ...values, subcommand: command.subcommands[0] } : values;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\nusage: ${command.usage}`);
  }
}

/** The data folder must exist and hold `actors/` (an input error otherwise, before anything is written). */
export function requireDataFolder(dataRoot: string, options?: { actors?: boolean }): Promise<string> {
  return checkDataFolder(dataRoot, options);
}

// C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the bidi
// overrides that reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from data files (prompts, feedback, filenames) made safe to print: every control character
 * becomes its visible `\uXXXX` escape, which is also the same character's escape inside a JSON
 * string, so `--json` output stays valid and lossless.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
export async function selectActors(
  values: Record<string, unknown>,
  studio: CliStudio,
  usage: string,
): Promise<{ dataRoot: string; index: DataIndex; ids: string[] }> {
  const dataRoot = studio.dataRoot;
  const actorId = values['actor-id'] as string | undefined;
  if (Boolean(actorId) === Boolean(values.all)) {
    throw new InputError(`give either --actor-id ID or --all\nusage: ${usage}`);
  }
  await requireDataFolder(dataRoot);
  const index = await new ActorIndex(dataRoot).index();
  if (actorId && !index.actors.some((actor) => actor.id === actorId)) {
    throw new InputError(`unknown actor id "${actorId}" (\`actor-studio actors\` lists them)`);
  }
  return { dataRoot, index, ids: actorId ? [actorId] : index.actors.map((actor) => actor.id) };
}
