import { InputError } from '../../core/errors';
import type { TrainingCategory } from '../../core/manifest/categories';
import { generate } from '../../core/app/generation';
import { GenerateInputError } from '../../core/generate/generateImage';
import { GenerationError } from '../../core/generate/types';
import { S3_OPTIONS, S3_USAGE } from '../s3Options';
import { CliCommand, COMMON_USAGE, EXIT_FAILED, EXIT_OK } from '../cliSupport';
import { formatProblem } from '../../core/workspace/formatProblem';
import { parseTrainingCategory } from '../../core/tracking/categories';

/**
 * `actor-studio generate`: one image for an actor from a library prompt or a text of the user's
 * own (`--prompt-text`, recorded with no library id, category from `--category` or the text). Keys come from the
 * environment (REPLICATE_API_TOKEN, the AWS chain); model, aspect ratio and S3 from the settings (flags first).
 */
export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'generate one training image for an actor from a library prompt or a free prompt text',
  usage:
    'actor-studio generate --actor-id ID (--prompt PROMPT_ID | --prompt-text TEXT [--category CATEGORY]) [--base-image FILE]\n' +
    '       [--provider auto|local|replicate] [--seed N] [--model OWNER/NAME]\n' +
    `       [--aspect-ratio 16:9] ${S3_USAGE} ${COMMON_USAGE}`,
  options: {
    'actor-id': { type: 'string' },
    prompt: { type: 'string' },
    'prompt-text': { type: 'string' },
    category: { type: 'string' },
    'base-image': { type: 'string' },
    provider: { type: 'string' },
    seed: { type: 'string' },
    model: { type: 'string' },
    'aspect-ratio': { type: 'string' },
    ...S3_OPTIONS,
  },
  async run(values, io, studio) {
    const actorId = values['actor-id'] as string | undefined;
    const promptId = values.prompt as string | undefined;
    const promptText = values['prompt-text'] as string | undefined;
    if (!actorId || (promptId === undefined) === (promptText === undefined)) {
      throw new InputError(`--actor-id and one of --prompt or --prompt-text are required\nusage: ${this.usage}`);
    }
    if (values.category !== undefined && promptText === undefined) {
      throw new InputError('--category goes with --prompt-text (a library prompt has its own category)');
    }
    const category = values.category === undefined ? undefined : parseCategoryFlag(values.category as string);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new InputError(`--seed must be an integer, not "${values.seed}"`);
    }
    const context = await studio.context();
    // A generator the settings cannot build (Replicate without a token) fails before anything else.
    await context.services.generator().catch((error: Error) => {
      throw new InputError(error.message);
    });
    try {
      const image = await generate(context, {
        actorId,
        promptId,
        promptText,
        category,
        baseImage: values['base-image'] as string | undefined,
        seed,
        signal: io.signal,
        onProgress: (message) => io.isTTY && !values.json && io.stderr(`  ${message}`),
        onWarning: (message) => io.stderr(`actor-studio: warning: ${message}`),
        // A broken prompts.json does not stop generation from the built-ins, but it is said.
        onPromptProblem: (problem) => io.stderr(formatProblem(io.cwd, problem)),
      });
      if (values.json) {
        io.stdout(
          JSON.stringify(
            {
              actor_id: actorId,
              filename: image.filename,
              path: image.path,
              index: image.index,
              prompt_id: image.prompt.id,
              prompt: image.prompt.text,
              category: image.prompt.category,
              base_image: image.entry.base_image ?? null,
              model: image.result.model,
              seed: image.result.seed ?? null,
              sha256: image.entry.sha256,
              s3_url: image.url ?? null,
              upload_queued: image.uploadQueued ?? null,
            },
            null,
            2,
          ),
        );
      } else {
        io.stdout(`${image.path}`);
        const prompt = image.prompt.id ?? `custom prompt, ${image.prompt.category}`;
        io.stdout(`saved ${image.filename} (${prompt}, ${image.result.model}${image.url ? `, ${image.url}` : ''})`);
        if (image.uploadQueued) {
          io.stderr(`upload queued, will be retried: ${image.uploadQueued}`);
        }
      }
      return EXIT_OK;
    } catch (error) {
      if (error instanceof GenerateInputError) {
        throw new InputError(error.message);
      }
      if (error instanceof GenerationError) {
        const result = { actor_id: actorId, prompt_id: promptId ?? null, failure_reason: error.reason, error: error.message };
        if (values.json) {
          io.stdout(JSON.stringify(result, null, 2));
        }
        io.stderr(`actor-studio: generation failed (${error.reason}): ${error.message}`);
        return EXIT_FAILED;
      }
      throw error;
    }
  },
};

function parseCategoryFlag(value: string): TrainingCategory {
  try {
    return parseTrainingCategory(value.trim());
  } catch (error) {
    throw new InputError(`--${(error as Error).message}`);
  }
}
