import { InputError } from '../../core/errors';
import { loadManifest } from '../../core/manifest/manifestStore';
import { keepOnReview, needsReview } from '../../core/tracking/review';
import { actorPaths } from '../../core/workspace/layout';
import { CliCommand, EXIT_OK, requireDataFolder } from '../cliSupport';

const REVIEW_USAGE = 'actor-studio review --actor-id ID --image FILENAME --keep [--data DIR] [--json]';

/**
 * `actor-studio review`: a person's decision on an image that needs review (a face the checks could
 * not score). `--keep` records "keep" in its manifest entry: it no longer needs review, stays in the
 * set and is exported. To delete it instead, the editor's Delete Image moves it to the trash.
 */
export const reviewCommand: CliCommand = {
  name: 'review',
  summary: 'keep an image that needs review (a face the checks could not score): --keep records it in the manifest',
  usage: REVIEW_USAGE,
  options: {
    'actor-id': { type: 'string' },
    image: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
  async run(values, io, studio) {
    const actorId = values['actor-id'] as string | undefined;
    const filename = values.image as string | undefined;
    if (!actorId || !filename) {
      throw new InputError(`--actor-id and --image are required\nusage: ${REVIEW_USAGE}`);
    }
    if (!values.keep) {
      throw new InputError(`say what to do with the image: --keep (deleting goes through the editor's Delete Image, to the trash)\nusage: ${REVIEW_USAGE}`);
    }
    const dataRoot = await requireDataFolder(studio.dataRoot);
    // Whether it needed review before (keeping an image that did not is allowed, and said).
    let needed: boolean | undefined;
    try {
      const manifest = await loadManifest(actorPaths(dataRoot, actorId).manifest);
      needed = needsReview(manifest.images.find((image) => image.filename === filename));
    } catch {
      needed = undefined; // keepOnReview says what is wrong with the actor or its manifest
    }
    const entry = await keepOnReview(dataRoot, { actorId, filename });
    if (values.json) {
      io.stdout(JSON.stringify({ actor_id: actorId, filename, review: entry.review, needed_review: needed ?? null }, null, 2));
    } else {
      io.stdout(`${actorId}/${filename}: kept on review${needed === false ? ' (it did not need review)' : ''}`);
    }
    return EXIT_OK;
  },
};
