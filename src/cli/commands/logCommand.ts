import * as path from 'node:path';
import { InputError } from '../../core/errors';
import { TRAINING_CATEGORIES, type TrainingCategory } from '../../core/manifest/categories';
import { LOGGABLE_FAILURE_REASONS, logExternalFailure, logExternalSuccess } from '../../core/reconcile/externalAttempt';
import { CliCommand, EXIT_OK, requireDataFolder } from '../cliSupport';

const SAVE_METHODS = ['auto', 'manual', 'user_save'] as const;

const LOG_USAGE =
  'actor-studio log --actor-id ID --prompt TEXT (--image FILE [--category photorealistic|bw_stylized|color_stylized] | --failed REASON --message TEXT) [--model M] [--parameters JSON] [--save-method auto|manual|user_save] [--data DIR] [--json]';

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new InputError(`--${flag} must be one of ${allowed.join(', ')}, not "${String(value)}"`);
  }
  return value as T;
}

function parametersOf(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    parsed = undefined; // not JSON: refused below like any other non-object
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`--parameters must be a JSON object such as '{"aspect_ratio":"16:9","seed":42}', not ${String(value)}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * `actor-studio log`: another tool's attempt into the generation log (seed 001's
 * quick_integrate_tracking). A success adopts its image, which must already be in the actor's
 * training folder, into the manifest as `reconcile --fix` does; a failure is logged with its reason.
 */
export const logCommand: CliCommand = {
  name: 'log',
  summary: "log another tool's attempt: a success adopts its image from the actor's training folder; --failed logs a failure",
  usage: LOG_USAGE,
  options: {
    'actor-id': { type: 'string' },
    prompt: { type: 'string' },
    image: { type: 'string' },
    category: { type: 'string' },
    failed: { type: 'string' },
    message: { type: 'string' },
    model: { type: 'string' },
    parameters: { type: 'string' },
    'save-method': { type: 'string' },
  },
  async run(values, io, studio) {
    const actorId = values['actor-id'] as string | undefined;
    const prompt = values.prompt as string | undefined;
    if (!actorId || prompt === undefined) {
      throw new InputError(`--actor-id and --prompt are required\nusage: ${LOG_USAGE}`);
    }
    const failed = values.failed !== undefined;
    if (
      failed
        ? values.message === undefined || values.image !== undefined || values.category !== undefined
        : values.image === undefined || values.message !== undefined
    ) {
      throw new InputError(`give either --image FILE (a success) or --failed REASON with --message TEXT (a failure, no image)\nusage: ${LOG_USAGE}`);
    }
    const attempt = {
      dataRoot: await requireDataFolder(studio.dataRoot),
      actorId,
      prompt,
      model: values.model as string | undefined,
      parameters: parametersOf(values.parameters),
      saveMethod: oneOf('save-method', values['save-method'], SAVE_METHODS),
    };
    if (failed) {
      const reason = oneOf('failed', values.failed, LOGGABLE_FAILURE_REASONS)!;
      const { entry, logWarning } = await logExternalFailure({ ...attempt, reason, message: String(values.message) });
      if (logWarning) {
        io.stderr(`actor-studio: warning: ${logWarning}`);
      }
      io.stdout(values.json ? JSON.stringify({ logged: 'failure', entry }, null, 2) : `logged a failure of ${actorId} (${entry.failure_reason})`);
      return EXIT_OK;
    }
    const category = oneOf<TrainingCategory>('category', values.category, TRAINING_CATEGORIES);
    const imagePath = path.resolve(io.cwd, String(values.image));
    const outcome = await logExternalSuccess({ ...attempt, imagePath, category });
    if (outcome.logWarning) {
      io.stderr(`actor-studio: warning: ${outcome.logWarning}`);
    }
    if (values.json) {
      io.stdout(
        JSON.stringify({ logged: outcome.entry ? 'success' : null, filename: outcome.filename, adopted: outcome.adopted, entry: outcome.entry }, null, 2),
      );
    } else {
      const manifest = outcome.adopted ? `into the manifest: ${outcome.adopted}` : 'already in the manifest, entry left as it is';
      const logged = outcome.entry ? 'logged a success' : 'already logged';
      io.stdout(`${actorId}/${outcome.filename}: ${logged}; ${manifest}`);
    }
    return EXIT_OK;
  },
};
