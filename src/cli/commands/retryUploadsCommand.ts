import { InputError } from '../../core/errors';
import { retryPendingUploads } from '../../core/app/generation';
import { CliCommand, COMMON_USAGE, EXIT_FAILED, EXIT_OK } from '../cliSupport';
import { S3_OPTIONS, S3_USAGE } from '../s3Options';

/** `actor-studio retry-uploads`: uploads what waited in data/tracking/pending_uploads.json. */
export const retryUploadsCommand: CliCommand = {
  name: 'retry-uploads',
  summary: 'upload the images that waited while the object store was unreachable',
  usage: `actor-studio retry-uploads ${S3_USAGE} ${COMMON_USAGE}`,
  options: { ...S3_OPTIONS },
  async run(values, io, studio) {
    const summary = await retryPendingUploads(await studio.context(), io.signal);
    if (!summary) {
      throw new InputError('no object store: pass --s3-bucket, set ACTOR_STUDIO_S3_BUCKET, or set actorStudio.s3.bucket');
    }
    if (values.json) {
      io.stdout(JSON.stringify(summary, null, 2));
    } else {
      summary.uploaded.forEach((upload) => io.stdout(`uploaded ${upload.actorId}/${upload.filename} ${upload.url}`));
      summary.uploaded.forEach((upload) => upload.warning && io.stderr(`warning ${upload.actorId}/${upload.filename}: ${upload.warning}`));
      summary.dropped.forEach((upload) => io.stderr(`dropped ${upload.actorId}/${upload.filename}: ${upload.reason}`));
      summary.failed.forEach((upload) => io.stderr(`failed ${upload.actorId}/${upload.filename}: ${upload.error}`));
      io.stdout(`${summary.uploaded.length} uploaded, ${summary.failed.length} failed, ${summary.remaining} still waiting`);
    }
    return summary.failed.length > 0 || summary.stoppedBecause ? EXIT_FAILED : EXIT_OK;
  },
};
