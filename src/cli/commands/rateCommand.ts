import { InputError } from '../../core/errors';
import { clearRating, rateImage, RatingError, stars as starText } from '../../core/tracking/ratings';
import { CliCommand, EXIT_OK, requireDataFolder } from '../cliSupport';

const RATE_USAGE = 'actor-studio rate --actor-id ID --image FILENAME (--stars N [--feedback TEXT] | --clear) [--data DIR] [--json]';

/**
 * `actor-studio rate`: 1 to 5 stars with optional feedback on one image, into its manifest entry
 * and the generation log. `--clear` removes the rating from the manifest (the log keeps history).
 */
export const rateCommand: CliCommand = {
  name: 'rate',
  summary: 'rate an image 1 to 5 stars with optional feedback (manifest and generation log); --clear removes it',
  usage: RATE_USAGE,
  options: {
    'actor-id': { type: 'string' },
    image: { type: 'string' },
    stars: { type: 'string' },
    feedback: { type: 'string' },
    clear: { type: 'boolean', default: false },
  },
  async run(values, io, studio) {
    const actorId = values['actor-id'] as string | undefined;
    const filename = values.image as string | undefined;
    if (!actorId || !filename) {
      throw new InputError(`--actor-id and --image are required\nusage: ${RATE_USAGE}`);
    }
    if (values.clear === (values.stars !== undefined) || (values.clear && values.feedback !== undefined)) {
      throw new InputError(`give either --stars N (with --feedback TEXT if you like) or --clear\nusage: ${RATE_USAGE}`);
    }
    const dataRoot = await requireDataFolder(studio.dataRoot);
    try {
      if (values.clear) {
        const { cleared, logWarning } = await clearRating(dataRoot, { actorId, filename });
        if (logWarning) {
          io.stderr(`actor-studio: warning: ${logWarning}`);
        }
        if (values.json) {
          io.stdout(JSON.stringify({ actor_id: actorId, filename, rating: null, cleared: cleared ?? null, log_warning: logWarning ?? null }, null, 2));
        } else {
          io.stdout(cleared ? `${actorId}/${filename}: rating removed (was ${starText(cleared.stars)})` : `${actorId}/${filename}: had no rating`);
        }
        return EXIT_OK;
      }
      const stars = String(values.stars).trim();
      if (!/^[1-5]$/.test(stars)) {
        throw new InputError(`--stars must be a whole number from 1 to 5, not "${values.stars}"`);
      }
      const outcome = await rateImage(dataRoot, { actorId, filename, stars: Number(stars), feedback: values.feedback as string | undefined });
      if (outcome.logWarning) {
        io.stderr(`actor-studio: warning: ${outcome.logWarning}`);
      }
      if (values.json) {
        io.stdout(JSON.stringify({ actor_id: actorId, filename, rating: outcome.rating, log_warning: outcome.logWarning ?? null }, null, 2));
      } else {
        const feedback = outcome.rating.feedback ? ` "${outcome.rating.feedback}"` : '';
        io.stdout(`${actorId}/${filename}: ${starText(outcome.rating.stars)} (${outcome.rating.stars}/5)${feedback}`);
      }
      return EXIT_OK;
    } catch (error) {
      if (error instanceof RatingError) {
        throw new InputError(error.message);
      }
      throw error;
    }
  },
};
