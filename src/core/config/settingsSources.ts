import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { InputError } from '../errors';
import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { exists } from '../fs/files';
import { lineAndColumn } from '../manifest/jsonFile';
import { MAX_JSON_DEPTH, tooDeepWithComments, withoutBom } from '../manifest/jsonText';
import { parseSettingText, resolveSettings, SETTING_DEFINITIONS, SETTINGS_SECTION, type ResolvedSettings, type SettingsSource } from './studioSettings';

// Where the CLI finds settings: flags, then the environment, then the `.vscode/settings.json` of the
// workspace that holds the data folder, then the defaults (the editor reads VS Code's configuration).

/** `ACTOR_STUDIO_` and the key in capitals: `execution.concurrency` is ACTOR_STUDIO_EXECUTION_CONCURRENCY. */
export function environmentVariableOf(key: string): string {
  return `ACTOR_STUDIO_${key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/\./g, '_')
    .toUpperCase()}`;
}

export function environmentSource(env: NodeJS.ProcessEnv): SettingsSource {
  return {
    name: 'environment',
    get(key) {
      for (const variable of [environmentVariableOf(key), ...(SETTING_DEFINITIONS[key]?.aliases ?? [])]) {
        const text = env[variable];
        if (text !== undefined && text !== '') {
          return { value: parseSettingText(key, text), origin: `environment ${variable}` };
        }
      }
      return undefined;
    },
  };
}

/**
 * `--split 65/20/15`: the shares of photorealistic, black-and-white stylized and colour stylized
 * (percent or any weights, normalised as the setting's are). Anything else is an input error naming the flag.
 */
export function parseSplit(text: string): Record<TrainingCategory, number> {
  const parts = text.trim().split('/');
  const shares = parts.map((part) => (/^\d+(\.\d+)?$/.test(part.trim()) ? Number(part) : NaN));
  if (shares.length !== TRAINING_CATEGORIES.length || shares.some(Number.isNaN) || shares.every((share) => share === 0)) {
    throw new InputError(`--split must be three shares photorealistic/b&w/colour such as 65/20/15 (not all 0), not "${text}"`);
  }
  return Object.fromEntries(TRAINING_CATEGORIES.map((category, position) => [category, shares[position]])) as Record<TrainingCategory, number>;
}

/**
 * Command-line flags that set a setting: each flag's key, the value a boolean flag stands for, or
 * how a flag's text becomes the setting's value when it is not the setting's own notation.
 */
export const SETTING_FLAGS: Readonly<Record<string, { key: string; value?: unknown; parseFlag?: (text: string) => unknown }>> = {
  's3-bucket': { key: 's3.bucket' },
  's3-region': { key: 's3.region' },
  's3-endpoint': { key: 's3.endpoint' },
  's3-prefix': { key: 's3.keyPrefix' },
  provider: { key: 'generator.provider' },
  model: { key: 'replicate.model' },
  'aspect-ratio': { key: 'replicate.aspectRatio' },
  concurrency: { key: 'execution.concurrency' },
  'max-rounds': { key: 'balance.maxRounds' },
  evaluator: { key: 'evaluator.provider' },
  'vision-model': { key: 'openai.model' },
  'skip-face': { key: 'checks.faceIdentity', value: false },
  target: { key: 'target.total' },
  split: { key: 'target.shares', parseFlag: parseSplit },
};

/** The flags given (parseArgs values); strict, so a bad flag value is an input error. */
export function flagSource(values: Readonly<Record<string, unknown>>): SettingsSource {
  const byKey = new Map<string, { flag: string; value: unknown }>();
  for (const [flag, { key, value, parseFlag }] of Object.entries(SETTING_FLAGS)) {
    const given = values[flag];
    if (given === undefined || given === false) {
      continue;
    }
    const parsed = typeof given === 'string' ? (parseFlag ? parseFlag(given) : parseSettingText(key, given)) : given;
    byKey.set(key, { flag, value: value ?? parsed });
  }
  return {
    name: 'flags',
    strict: true,
    get: (key) => {
      const given = byKey.get(key);
      return given && { value: given.value, origin: `flag --${given.flag}` };
    },
  };
}

export interface SettingsFile {
  file: string;
  /** The workspace folder the file belongs to: the folder that holds `.vscode/`. */
  workspaceFolder: string;
  source: SettingsSource;
}

/** Reads a settings.json (JSON with comments). A broken file is an input error naming it, never ignored. */
export async function readSettingsFile(file: string): Promise<SettingsFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the settings file ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  text = withoutBom(text);
  const deep = tooDeepWithComments(text);
  if (deep !== undefined) {
    throw new InputError(`${file}:${lineAndColumn(text, deep).line + 1}: nested deeper than ${MAX_JSON_DEPTH} levels; fix it or move it away`, { file });
  }
  const errors: ParseError[] = [];
  const values = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0 || !values || typeof values !== 'object' || Array.isArray(values)) {
    throw new InputError(`${file}: not valid JSON with comments; fix it or move it away`, { file });
  }
  const record = values as Record<string, unknown>;
  const nested = record[SETTINGS_SECTION];
  const folder = path.dirname(file);
  return {
    file,
    workspaceFolder: path.basename(folder) === '.vscode' ? path.dirname(folder) : folder,
    source: {
      name: file,
      get: (key) => {
        // `"actorStudio": { "target.total": 20 }` is legal in settings.json too.
        const value = record[`${SETTINGS_SECTION}.${key}`] ?? (nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined);
        return value === undefined ? undefined : { value, origin: file };
      },
    },
  };
}

/** The nearest `.vscode/settings.json` in `start` or a folder above it; undefined when there is none. */
export async function findWorkspaceSettings(start: string): Promise<string | undefined> {
  for (let folder = path.resolve(start); ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, '.vscode', 'settings.json');
    if (await exists(candidate)) {
      return candidate;
    }
    if (path.dirname(folder) === folder) {
      return undefined;
    }
  }
}

export interface CliSettingsRequest {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The parsed flags (`--data`, `--settings` and the SETTING_FLAGS among them). */
  flags: Readonly<Record<string, unknown>>;
}

export interface CliSettings extends ResolvedSettings {
  /** The absolute data folder, and what named it. */
  dataRoot: string;
  dataRootSource: string;
  /** The settings file read, if any. */
  settingsFile?: string;
}

/**
 * The CLI's settings: `--settings FILE`, else the workspace settings of the folder that holds
 * `--data` (else of the current directory). A relative `--data` or environment data folder is
 * relative to the current directory; the settings file's `dataFolder` to its workspace folder.
 */
export async function loadCliSettings(request: CliSettingsRequest): Promise<CliSettings> {
  const { cwd, env, flags } = request;
  const dataFlag = typeof flags.data === 'string' ? path.resolve(cwd, flags.data) : undefined;
  const environment = environmentSource(env);
  const dataFromEnvironment = environment.get('dataFolder');
  const start = dataFlag ?? (typeof dataFromEnvironment?.value === 'string' ? path.resolve(cwd, dataFromEnvironment.value) : cwd);
  const settingsFlag = typeof flags.settings === 'string' ? path.resolve(cwd, flags.settings) : undefined;
  const fileName = settingsFlag ?? (await findWorkspaceSettings(start));
  const settingsFile = fileName ? await readSettingsFile(fileName) : undefined;
  const resolved = resolveSettings([flagSource(flags), environment, ...(settingsFile ? [settingsFile.source] : [])]);

  let dataRoot: string;
  let dataRootSource: string;
  if (dataFlag) {
    [dataRoot, dataRootSource] = [dataFlag, 'flag --data'];
  } else if (resolved.values.dataFolder.source.startsWith('environment')) {
    [dataRoot, dataRootSource] = [path.resolve(cwd, resolved.settings.dataFolder), resolved.values.dataFolder.source];
  } else if (settingsFile) {
    [dataRoot, dataRootSource] = [path.resolve(settingsFile.workspaceFolder, resolved.settings.dataFolder), resolved.values.dataFolder.source];
  } else {
    [dataRoot, dataRootSource] = [path.resolve(cwd, resolved.settings.dataFolder), 'default'];
  }
  resolved.values.dataFolder = { value: dataRoot, source: dataRootSource };
  return { ...resolved, dataRoot, dataRootSource, settingsFile: settingsFile?.file };
}
