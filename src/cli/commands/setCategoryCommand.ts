import { InputError } from '../../core/errors';
import { TRAINING_CATEGORIES } from '../../core/manifest/categories';
import { describeCategory, parseTrainingCategory, setImageCategory } from '../../core/tracking/categories';
import { CliCommand, EXIT_OK, requireDataFolder } from '../cliSupport';

const SET_CATEGORY_USAGE = `actor-studio set-category --actor-id ID --image FILENAME --category ${TRAINING_CATEGORIES.join('|')} [--data DIR] [--json]`;

/**
 * `actor-studio set-category`: the user's category for one image, into its manifest entry with
 * `category_source: "user"`; evaluation, planning, migrate and reconcile never overwrite it.
 */
export const setCategoryCommand: CliCommand = {
  name: 'set-category',
  summary: "set an image's category (photorealistic, bw_stylized, color_stylized); a user's choice is never overwritten",
  usage: SET_CATEGORY_USAGE,
  options: {
    'actor-id': { type: 'string' },
    image: { type: 'string' },
    category: { type: 'string' },
  },
  async run(values, io, studio) {
    const actorId = values['actor-id'] as string | undefined;
    const filename = values.image as string | undefined;
    const given = values.category as string | undefined;
    if (!actorId || !filename || !given) {
      throw new InputError(`--actor-id, --image and --category are required\nusage: ${SET_CATEGORY_USAGE}`);
    }
    const category = parseTrainingCategory(given.trim());
    const dataRoot = await requireDataFolder(studio.dataRoot);
    const { previous, entry } = await setImageCategory(dataRoot, { actorId, filename, category });
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            actor_id: actorId,
            filename,
            category,
            category_source: 'user',
            previous: { category: previous.category, category_source: previous.source ?? null },
            prompt_category: entry.prompt_category ?? null,
          },
          null,
          2,
        ),
      );
    } else {
      io.stdout(`${actorId}/${filename}: ${describeCategory(category, 'user')} (was ${describeCategory(previous.category, previous.source)})`);
    }
    return EXIT_OK;
  },
};
