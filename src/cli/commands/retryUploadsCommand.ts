import { drainPendingUploads } from '../../core/generate/uploader';
import { CliCommand, dataRootOption, EXIT_FAILED, EXIT_OK, UsageError } from '../cliSupport';
import { objectStoreFrom, S3_OPTIONS, S3_USAGE } from '../s3Options';

/** `actor-studio retry-uploads`: uploads what waited in data/tracking/pending_uploads.json. */
export const retryUploadsCommand: CliCommand = {
  name: 'retry-uploads',
  summary: 'upload the images that waited while the object store was unreachable',
  usage: `actor-studio retry-uploads ${S3_USAGE} [--data DIR] [--json]`,
  options: { ...S3_OPTIONS },
  async run(values, io) {
    const dataRoot = dataRootOption(values, io);
    const store = objectStoreFrom(values, io.env ?? {});
    if (store.kind === 'none') {
      throw new UsageError('no object store: pass --s3-bucket (or set ACTOR_STUDIO_S3_BUCKET)');
    }
    const summary = await drainPendingUploads(store, dataRoot, io.signal);
    if (values.json) {
      io.stdout(JSON.stringify(summary, null, 2));
    } else {
      summary.uploaded.forEach((upload) => io.stdout(`uploaded ${upload.actorId}/${upload.filename} ${upload.url}`));
      summary.dropped.forEach((upload) => io.stderr(`dropped ${upload.actorId}/${upload.filename}: ${upload.reason}`));
      summary.failed.forEach((upload) => io.stderr(`failed ${upload.actorId}/${upload.filename}: ${upload.error}`));
      io.stdout(`${summary.uploaded.length} uploaded, ${summary.failed.length} failed, ${summary.remaining} still waiting`);
    }
    return summary.failed.length > 0 || summary.stoppedBecause ? EXIT_FAILED : EXIT_OK;
  },
};
