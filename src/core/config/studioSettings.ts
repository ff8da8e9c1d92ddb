import { DEFAULT_LOCAL_CHECK_THRESHOLDS, type LocalCheckThresholds } from '../evaluate/thresholds';
import { DEFAULT_VISION_MODEL, type EvaluationSettings, type EvaluatorChoice } from '../evaluate/types';
import { TRAINING_CATEGORIES, type TrainingCategory } from '../manifest/categories';
import { DEFAULT_TARGET, type TargetSettings } from '../actors/targets';
import { DEFAULT_ASPECT_RATIO, DEFAULT_REPLICATE_MODEL, type ProviderChoice } from '../generate/providerConfig';
import { DEFAULT_KEY_PREFIX } from '../storage/types';
import { AUTO_CONCURRENCY, type Concurrency } from '../execute/types';
import { InputError } from '../errors';

/**
 * The `actorStudio.*` settings, parsed and validated once, the same way for both front ends:
 * the editor reads VS Code's configuration, the CLI its flags, the environment and the
 * `.vscode/settings.json` of the workspace that holds the data folder (settingsSources.ts).
 * Secrets are never settings.
 */
export interface StudioSettings {
  /** The data folder as configured: relative to the workspace folder, or absolute. */
  dataFolder: string;
  target: TargetSettings;
  evaluation: EvaluationSettings;
  /** Another server speaking OpenAI's API (a proxy); empty for OpenAI's own. */
  openaiBaseUrl: string;
  generator: { provider: ProviderChoice; model: string; aspectRatio: string };
  s3: { bucket: string; region: string; endpoint: string; keyPrefix: string; publicBaseUrl: string };
  /** Model requests in flight at once across all actors while executing plans; `auto` adapts it to the service's rate limit. */
  execution: { concurrency: Concurrency };
  /** Balance: rounds of execute, evaluate and re-plan at most. */
  balance: { maxRounds: number };
  /** The fewest stars an exported image needs; undefined for no minimum. */
  export: { minRating: number | undefined };
}

export const SETTINGS_SECTION = 'actorStudio';

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'shares' | 'integerOrAuto';

/** One setting: its type and bounds exactly as package.json declares them (a unit test compares). */
export interface SettingDefinition {
  kind: Kind;
  default: unknown;
  minimum?: number;
  maximum?: number;
  values?: readonly string[];
  /** A blank string counts as unset (a cleared settings field), so the default applies. */
  blankIsDefault?: boolean;
  /** Older environment variables that also set it (the old tool's, the CLI's earlier names). */
  aliases?: readonly string[];
}

const ASPECT_RATIOS = ['21:9', '16:9', '3:2', '4:3', '5:4', '1:1', '4:5', '3:4', '2:3', '9:16', '9:21', 'match_input_image'] as const;

const THRESHOLD_BOUNDS: Record<keyof LocalCheckThresholds, { kind: Kind; minimum?: number; maximum?: number }> = {
  identityDriftDistance: { kind: 'number', minimum: 0, maximum: 2 },
  blurLaplacianVariance: { kind: 'number', minimum: 0 },
  darkMeanLuminance: { kind: 'number', minimum: 0, maximum: 255 },
  lightMeanLuminance: { kind: 'number', minimum: 0, maximum: 255 },
  minEntropy: { kind: 'number', minimum: 0, maximum: 8 },
  aspectRatioMin: { kind: 'number', minimum: 0 },
  aspectRatioMax: { kind: 'number', minimum: 0 },
  minShortSide: { kind: 'integer', minimum: 0 },
  nearDuplicateHamming: { kind: 'integer', minimum: 0, maximum: 64 },
  greyChromaTolerance: { kind: 'number', minimum: 0, maximum: 255 },
  nearCloneDistance: { kind: 'number', minimum: 0, maximum: 2 },
  minFacePixels: { kind: 'integer', minimum: 0 },
  maxFaceYaw: { kind: 'number', minimum: 0, maximum: 90 },
  minFaceScore: { kind: 'number', minimum: 0, maximum: 1 },
};

/** Settings key of each local-check threshold: `checks.<name>`. */
export const THRESHOLD_SETTING_PREFIX = 'checks.';

/** Every setting, by key without the `actorStudio.` prefix. */
export const SETTING_DEFINITIONS: Readonly<Record<string, SettingDefinition>> = {
  dataFolder: { kind: 'string', default: 'data', blankIsDefault: true, aliases: ['ACTOR_STUDIO_DATA'] },
  'target.total': { kind: 'integer', default: DEFAULT_TARGET.total, minimum: 1, maximum: 1000 },
  'target.shares': { kind: 'shares', default: DEFAULT_TARGET.shares },
  'evaluator.provider': { kind: 'string', default: 'auto', values: ['auto', 'local', 'openai'] },
  'openai.model': { kind: 'string', default: DEFAULT_VISION_MODEL, blankIsDefault: true },
  'openai.baseUrl': { kind: 'string', default: '', aliases: ['OPENAI_BASE_URL'] },
  'checks.faceIdentity': { kind: 'boolean', default: true },
  ...Object.fromEntries(
    Object.entries(THRESHOLD_BOUNDS).map(([name, bounds]) => [
      THRESHOLD_SETTING_PREFIX + name,
      { ...bounds, default: DEFAULT_LOCAL_CHECK_THRESHOLDS[name as keyof LocalCheckThresholds] },
    ]),
  ),
  'generator.provider': { kind: 'string', default: 'auto', values: ['auto', 'local', 'replicate'] },
  'replicate.model': { kind: 'string', default: DEFAULT_REPLICATE_MODEL, blankIsDefault: true },
  'replicate.aspectRatio': { kind: 'string', default: DEFAULT_ASPECT_RATIO, values: ASPECT_RATIOS, blankIsDefault: true },
  's3.bucket': { kind: 'string', default: '', aliases: ['AWS_SYSTEM_ACTORS_BUCKET'] },
  's3.region': { kind: 'string', default: 'us-east-1', blankIsDefault: true, aliases: ['AWS_REGION', 'AWS_DEFAULT_REGION'] },
  's3.endpoint': { kind: 'string', default: '' },
  's3.keyPrefix': { kind: 'string', default: DEFAULT_KEY_PREFIX, aliases: ['ACTOR_STUDIO_S3_PREFIX'] },
  's3.publicBaseUrl': { kind: 'string', default: '' },
  'execution.concurrency': { kind: 'integerOrAuto', default: 2, minimum: 1, maximum: 8 },
  'balance.maxRounds': { kind: 'integer', default: 3, minimum: 1, maximum: 10 },
  'export.minRating': { kind: 'integer', default: 0, minimum: 0, maximum: 5 },
};

/** A value for a setting and where it came from ("flag --concurrency", a settings file, ...). */
export interface SettingValue {
  value: unknown;
  origin: string;
}

/**
 * One place settings come from. `strict` sources (command-line flags) refuse a bad value with an
 * input error; the others report it and fall through to the next source, as VS Code does.
 */
export interface SettingsSource {
  readonly name: string;
  readonly strict?: boolean;
  get(key: string): SettingValue | undefined;
}

export interface ResolvedSetting {
  value: unknown;
  /** `default`, or the origin of the value used. */
  source: string;
}

export interface ResolvedSettings {
  settings: StudioSettings;
  /** Every key with its effective value and source (`actor-studio config`). */
  values: Record<string, ResolvedSetting>;
  /** Values that were set but unusable, each naming where it was set. */
  problems: string[];
}

/** A setting's value from a string (an environment variable or a flag), by its kind. */
export function parseSettingText(key: string, text: string): unknown {
  const kind = SETTING_DEFINITIONS[key]?.kind;
  const trimmed = text.trim();
  switch (kind) {
    case 'integerOrAuto':
    case 'number':
    case 'integer': {
      if (kind === 'integerOrAuto' && trimmed.toLowerCase() === AUTO_CONCURRENCY) {
        return AUTO_CONCURRENCY;
      }
      // Not a number: the text itself, so the problem quotes what was given.
      return trimmed === '' || Number.isNaN(Number(trimmed)) ? text : Number(trimmed);
    }
    case 'boolean':
      return /^(true|1|yes|on)$/i.test(trimmed) ? true : /^(false|0|no|off)$/i.test(trimmed) ? false : text;
    case 'shares':
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The checked value, or a reason it cannot be used. */
function check(definition: SettingDefinition, value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  switch (definition.kind) {
    case 'string': {
      if (typeof value !== 'string') {
        return { ok: false, reason: 'expected text' };
      }
      const text = value.trim();
      if (text === '' && definition.blankIsDefault) {
        return { ok: true, value: definition.default };
      }
      if (definition.values && !definition.values.includes(text)) {
        return { ok: false, reason: `expected one of ${definition.values.join(', ')}` };
      }
      return { ok: true, value: text };
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { ok: false, reason: 'expected a number' };
      }
      if (definition.kind === 'integer' && !Number.isInteger(value)) {
        return { ok: false, reason: 'expected a whole number' };
      }
      if ((definition.minimum !== undefined && value < definition.minimum) || (definition.maximum !== undefined && value > definition.maximum)) {
        return { ok: false, reason: `expected ${definition.minimum ?? '-∞'} to ${definition.maximum ?? '∞'}` };
      }
      return { ok: true, value };
    }
    case 'integerOrAuto': {
      if (value === AUTO_CONCURRENCY) {
        return { ok: true, value };
      }
      const checked = check({ ...definition, kind: 'integer' }, value);
      return checked.ok ? checked : { ok: false, reason: `${checked.reason}, or "${AUTO_CONCURRENCY}"` };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, reason: 'expected true or false' };
    case 'shares': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        return { ok: false, reason: 'expected an object of category shares' };
      }
      const given = value as Partial<Record<TrainingCategory, unknown>>;
      const shares = { ...(definition.default as Record<TrainingCategory, number>) };
      for (const category of TRAINING_CATEGORIES) {
        const share = given[category];
        if (share === undefined) {
          continue;
        }
        if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) {
          return { ok: false, reason: `the share of ${category} must be a number of at least 0` };
        }
        shares[category] = share;
      }
      return { ok: true, value: shares };
    }
  }
}

/**
 * Resolves every setting from the sources in order of precedence (first wins), then the
 * defaults. Unusable values of lenient sources are reported and skipped; of strict ones, refused.
 */
export function resolveSettings(sources: readonly SettingsSource[]): ResolvedSettings {
  const values: Record<string, ResolvedSetting> = {};
  const problems: string[] = [];
  for (const [key, definition] of Object.entries(SETTING_DEFINITIONS)) {
    values[key] = { value: definition.default, source: 'default' };
    for (const source of sources) {
      const given = source.get(key);
      if (given === undefined || given.value === undefined || given.value === null) {
        continue;
      }
      const checked = check(definition, given.value);
      if (checked.ok) {
        values[key] = { value: checked.value, source: given.origin };
        break;
      }
      const problem = `${given.origin}: ${JSON.stringify(given.value)} is not usable for ${SETTINGS_SECTION}.${key} (${checked.reason})`;
      if (source.strict) {
        throw new InputError(problem);
      }
      problems.push(`${problem}; ignored`);
    }
  }
  return { settings: toStudioSettings((key) => values[key].value), values, problems };
}

function toStudioSettings(get: (key: string) => unknown): StudioSettings {
  const thresholds = Object.fromEntries(Object.keys(THRESHOLD_BOUNDS).map((name) => [name, get(THRESHOLD_SETTING_PREFIX + name)])) as LocalCheckThresholds;
  const minRating = get('export.minRating') as number;
  return {
    dataFolder: get('dataFolder') as string,
    target: { total: get('target.total') as number, shares: get('target.shares') as Record<TrainingCategory, number> },
    evaluation: {
      provider: get('evaluator.provider') as EvaluatorChoice,
      faceIdentity: get('checks.faceIdentity') as boolean,
      thresholds,
      visionModel: get('openai.model') as string,
    },
    openaiBaseUrl: get('openai.baseUrl') as string,
    generator: {
      provider: get('generator.provider') as ProviderChoice,
      model: get('replicate.model') as string,
      aspectRatio: get('replicate.aspectRatio') as string,
    },
    s3: {
      bucket: get('s3.bucket') as string,
      region: get('s3.region') as string,
      endpoint: get('s3.endpoint') as string,
      keyPrefix: get('s3.keyPrefix') as string,
      publicBaseUrl: get('s3.publicBaseUrl') as string,
    },
    execution: { concurrency: get('execution.concurrency') as Concurrency },
    balance: { maxRounds: get('balance.maxRounds') as number },
    export: { minRating: minRating >= 1 ? minRating : undefined },
  };
}

/** The settings with nothing set: every default. */
export function defaultSettings(): StudioSettings {
  return resolveSettings([]).settings;
}
