import { GenerateInputError, generateImage } from '../../core/generate/generateImage';
import { createGenerator, DEFAULT_ASPECT_RATIO, DEFAULT_REPLICATE_MODEL, ProviderChoice } from '../../core/generate/providerConfig';
import { GenerationError } from '../../core/generate/types';
import { loadPromptLibrary } from '../../core/prompts/library';
import { uploaderFor } from '../../core/generate/uploader';
import { objectStoreFrom, S3_OPTIONS, S3_USAGE } from '../s3Options';
import { CliCommand, dataRootOption, EXIT_FAILED, EXIT_OK, UsageError } from '../cliSupport';
import { formatProblem } from '../../core/workspace/problems';

const PROVIDERS = ['auto', 'local', 'replicate'];

/**
 * `actor-studio generate`: one image for an actor from a library prompt. Keys come from the
 * environment (REPLICATE_API_TOKEN, the AWS chain); S3 from flags or ACTOR_STUDIO_S3_* variables.
 */
export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'generate one training image for an actor from a library prompt',
  usage:
    'actor-studio generate --actor-id ID --prompt PROMPT_ID [--provider auto|local|replicate] [--seed N] [--model OWNER/NAME]\n' +
    `       [--aspect-ratio 16:9] ${S3_USAGE} [--data DIR] [--json]`,
  options: {
    'actor-id': { type: 'string' },
    prompt: { type: 'string' },
    provider: { type: 'string', default: 'auto' },
    seed: { type: 'string' },
    model: { type: 'string' },
    'aspect-ratio': { type: 'string' },
    ...S3_OPTIONS,
  },
  async run(values, io) {
    const env = io.env ?? {};
    const actorId = values['actor-id'] as string | undefined;
    const promptId = values.prompt as string | undefined;
    if (!actorId || !promptId) {
      throw new UsageError(`--actor-id and --prompt are required\nusage: ${this.usage}`);
    }
    const provider = String(values.provider);
    if (!PROVIDERS.includes(provider)) {
      throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}, not "${provider}"`);
    }
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw new UsageError(`--seed must be an integer, not "${values.seed}"`);
    }
    const dataRoot = dataRootOption(values, io);
    const library = await loadPromptLibrary(dataRoot);
    // A broken prompts.json does not stop generation from the built-ins, but it is said.
    library.problems.forEach((problem) => io.stderr(formatProblem(io.cwd, problem)));
    const generator = await createGenerator({
      provider: provider as ProviderChoice,
      replicateToken: env.REPLICATE_API_TOKEN,
      replicateBaseUrl: env.ACTOR_STUDIO_REPLICATE_BASE_URL,
      model: (values.model as string | undefined) ?? DEFAULT_REPLICATE_MODEL,
      aspectRatio: (values['aspect-ratio'] as string | undefined) ?? DEFAULT_ASPECT_RATIO,
    }).catch((error: Error) => {
      throw new UsageError(error.message);
    });
    const store = objectStoreFrom(values, env);
    const upload = uploaderFor(store, dataRoot);
    try {
      const image = await generateImage({
        dataRoot,
        actorId,
        promptId,
        prompts: library.prompts,
        generator,
        upload,
        seed,
        signal: io.signal,
        onProgress: (message) => io.isTTY && !values.json && io.stderr(`  ${message}`),
        onWarning: (message) => io.stderr(`actor-studio: warning: ${message}`),
      });
      if (image.logWarning) {
        io.stderr(`actor-studio: warning: ${image.logWarning}`);
      }
      if (values.json) {
        io.stdout(
          JSON.stringify(
            {
              actor_id: actorId,
              filename: image.filename,
              path: image.path,
              index: image.index,
              prompt_id: image.prompt.id,
              category: image.prompt.category,
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
        io.stdout(`saved ${image.filename} (${image.prompt.id}, ${image.result.model}${image.url ? `, ${image.url}` : ''})`);
        if (image.uploadQueued) {
          io.stderr(`upload queued, will be retried: ${image.uploadQueued}`);
        }
      }
      return EXIT_OK;
    } catch (error) {
      if (error instanceof GenerateInputError) {
        throw new UsageError(error.message);
      }
      if (error instanceof GenerationError) {
        const result = { actor_id: actorId, prompt_id: promptId, failure_reason: error.reason, error: error.message };
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
