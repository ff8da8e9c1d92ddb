import * as path from 'node:path';
import { cropLabel } from '../../core/export/buckets';
import { ALONE, type DatasetPreview, NOT_EVALUATED, UPSCALED } from '../../core/export/preview';
import { type CliIO, table, terminalSafe } from '../cliSupport';

/** `export-dataset --preview` as text: per actor a table of its images, its buckets and its warnings. */
export function printPreview(preview: DatasetPreview, io: Pick<CliIO, 'stdout' | 'stderr'>): void {
  for (const actor of preview.actors) {
    const images = preview.images.filter((image) => image.actor === actor.actorId);
    const folder = images[0] ? ` in ${terminalSafe(path.dirname(images[0].file))}/` : '';
    io.stdout(
      `${actor.actorId}: ${actor.exported} image(s)${folder} for ${preview.format} at ${preview.resolution}, trigger "${terminalSafe(actor.trigger)}"; ${actor.skipped.length} skipped`,
    );
    if (images.length > 0) {
      const rows = images.map((image) => [
        terminalSafe(path.basename(image.file)),
        image.size ? `${image.size.width}x${image.size.height}` : '?',
        image.bucket ?? '?',
        image.crop ? cropLabel(image.crop) : '?',
        image.scale === undefined ? '?' : `x${image.scale}`,
        terminalSafe(image.caption),
      ]);
      io.stdout(table([['file', 'size', 'bucket', 'crop', 'scale', 'caption'], ...rows]));
    }
    const buckets = preview.buckets.filter((bucket) => bucket.actor === actor.actorId);
    if (buckets.length > 0) {
      io.stdout(`buckets: ${buckets.map((bucket) => `${bucket.bucket} (${bucket.count})`).join(', ')}`);
    }
    if (preview.format === 'kohya' && images.length > 0) {
      io.stdout(
        `kohya keeps the first ${actor.settings.keep_tokens} token(s) in place; shuffle_caption is ${actor.settings.shuffle_caption ? 'on: the rest shuffle' : 'off: captions train as written'}`,
      );
    }
    for (const image of images) {
      // These are summed up per actor below.
      for (const warning of image.warnings.filter((each) => ![UPSCALED, NOT_EVALUATED, ALONE].some((start) => each.startsWith(start)))) {
        io.stderr(`${actor.actorId}: ${terminalSafe(path.basename(image.file))}: ${terminalSafe(warning)}`);
      }
    }
    for (const warning of actor.warnings) {
      io.stderr(`${actor.actorId}: ${terminalSafe(warning)}`);
    }
    io.stdout('');
  }
  for (const failure of preview.failed) {
    io.stderr(`${failure.actorId}: not exported: ${failure.file}: ${failure.reason}`);
  }
  io.stdout(`preview only: nothing was written (${preview.images.length} image(s) of ${preview.actors.length} actor(s))`);
}
