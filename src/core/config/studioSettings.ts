import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { DEFAULT_VISION_MODEL } from '../evaluate/types';
import { DEFAULT_LOCAL_CHECK_THRESHOLDS, type LocalCheckThresholds } from '../evaluate/thresholds';
import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { DEFAULT_TARGET, type TargetSettings } from '../plan/targets';

/**
 * The `actorStudio.*` settings both front ends read: the editor from its configuration, the CLI
 * from the workspace's `.vscode/settings.json`, so a plan made in either agrees. A getter takes
 * the key without the `actorStudio.` prefix (e.g. `target.total`).
 */
export type SettingsGetter = (key: string) => unknown;

export const SETTINGS_SECTION = 'actorStudio';

export type EvaluatorChoice = 'auto' | 'local' | 'openai';

export interface EvaluationSettings {
  /** `auto`: the vision model too when an OpenAI key is set; `local`: offline checks only. */
  provider: EvaluatorChoice;
  /** Face identity against the base image (face-api, offline). */
  faceIdentity: boolean;
  /** Only the thresholds set to valid numbers; resolveLocalCheckThresholds fills in the rest. */
  thresholds: Partial<LocalCheckThresholds>;
  visionModel: string;
}

/** Settings key of each local-check threshold: `checks.<name>`. */
export const THRESHOLD_SETTING_PREFIX = 'checks.';

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function targetFromSettings(get: SettingsGetter): TargetSettings {
  const total = get('target.total');
  const shares = get('target.shares');
  const given = shares && typeof shares === 'object' ? (shares as Partial<Record<TrainingCategory, unknown>>) : {};
  return {
    total: isNumber(total) && total >= 1 ? Math.floor(total) : DEFAULT_TARGET.total,
    shares: Object.fromEntries(
      TRAINING_CATEGORIES.map((category) => {
        const share = given[category];
        return [category, isNumber(share) && share >= 0 ? share : DEFAULT_TARGET.shares[category]];
      }),
    ) as Record<TrainingCategory, number>,
  };
}

export function evaluationFromSettings(get: SettingsGetter): EvaluationSettings {
  const provider = get('evaluator.provider');
  const model = get('openai.model');
  const thresholds: Partial<LocalCheckThresholds> = {};
  for (const key of Object.keys(DEFAULT_LOCAL_CHECK_THRESHOLDS) as (keyof LocalCheckThresholds)[]) {
    const value = get(THRESHOLD_SETTING_PREFIX + key);
    if (isNumber(value)) {
      thresholds[key] = value;
    }
  }
  return {
    provider: provider === 'local' || provider === 'openai' ? provider : 'auto',
    faceIdentity: get('checks.faceIdentity') !== false,
    thresholds,
    visionModel: typeof model === 'string' && model.trim() ? model.trim() : DEFAULT_VISION_MODEL,
  };
}

/** `export.minRating`: the fewest stars an exported image needs; 0 (the default) or anything unusable means no minimum. */
export function exportMinRatingFromSettings(get: SettingsGetter): number | undefined {
  const value = get('export.minRating');
  return isNumber(value) && Number.isInteger(value) && value >= 1 && value <= 5 ? value : undefined;
}

export interface WorkspaceSettingsFile {
  get: SettingsGetter;
  /** The file read, when there was one. */
  file?: string;
}

/**
 * Reads `<folder>/.vscode/settings.json` (JSON with comments) for the CLI. A missing file gives
 * the defaults; a broken one is an error naming the file, never silently ignored.
 */
export async function readWorkspaceSettings(folder: string): Promise<WorkspaceSettingsFile> {
  const file = path.join(folder, '.vscode', 'settings.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { get: () => undefined };
    }
    throw error;
  }
  const errors: ParseError[] = [];
  const values = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0 || !values || typeof values !== 'object' || Array.isArray(values)) {
    throw new Error(`${file}: not valid JSON with comments; fix it or move it away`);
  }
  const record = values as Record<string, unknown>;
  const nested = record[SETTINGS_SECTION];
  return {
    file,
    get: (key) => {
      const flat = record[`${SETTINGS_SECTION}.${key}`];
      if (flat !== undefined) {
        return flat;
      }
      // `"actorStudio": { "target.total": 20 }` is legal in settings.json too.
      return nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined;
    },
  };
}
