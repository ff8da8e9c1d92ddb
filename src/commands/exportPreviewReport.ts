import { cropLabel } from '../core/export/buckets';
import type { DatasetPreview } from '../core/export/preview';
import { codeSpan, plainMarkdown } from './markdownReports';

export const EXPORT_PREVIEW_SCHEME = 'actor-studio-export-preview';

const TRAINER_NAMES = { kohya: 'kohya sd-scripts', 'ai-toolkit': 'ai-toolkit' } as const;

/** Export Dataset's preview as Markdown: per actor its warnings, buckets and every image with its caption. */
export function formatExportPreview(preview: DatasetPreview): string {
  const lines = [
    `# Export preview: ${TRAINER_NAMES[preview.format]} at ${preview.resolution}`,
    '',
    'Nothing is written until you choose **Export**. Captions are shown as the trainer reads them; each image goes to the bucket the trainer picks, resized and centre-cropped (pixels cut: L left, R right, T top, B bottom).',
  ];
  for (const actor of preview.actors) {
    const images = preview.images.filter((image) => image.actor === actor.actorId);
    lines.push('', `## ${plainMarkdown(actor.actorId)}`, '');
    lines.push(`${images.length} image(s), ${actor.skipped.length} skipped; trigger ${codeSpan(actor.trigger)}.`);
    const settings = Object.entries(actor.settings).map(([key, value]) => `${key} = ${codeSpan(String(value))}`);
    lines.push(`${preview.format === 'kohya' ? 'dataset.toml' : 'Set in the ai-toolkit config'}: ${settings.join(', ')}.`);
    if (actor.warnings.length > 0) {
      lines.push('', '### Warnings', '', ...actor.warnings.map((warning) => `- ${plainMarkdown(warning)}`));
    }
    const buckets = preview.buckets.filter((bucket) => bucket.actor === actor.actorId);
    if (buckets.length > 0) {
      lines.push('', '### Buckets', '', '| bucket | images |', '| --- | --- |', ...buckets.map((bucket) => `| ${bucket.bucket} | ${bucket.count} |`));
    }
    if (images.length > 0) {
      lines.push('', '### Images', '', '| file | size | bucket | crop | scale | caption | warnings |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const image of images) {
        const size = image.size ? `${image.size.width}x${image.size.height}` : '?';
        const crop = image.crop ? cropLabel(image.crop) : '?';
        const scale = image.scale === undefined ? '?' : `x${image.scale}`;
        const caption = `${plainMarkdown(image.caption)}${image.tokens ? ` (fixed: ${plainMarkdown(image.tokens.fixed.join(', '))})` : ''}`;
        lines.push(
          `| ${codeSpan(image.file)} | ${size} | ${image.bucket ?? '?'} | ${crop} | ${scale} | ${caption} | ${image.warnings.map(plainMarkdown).join('; ')} |`,
        );
      }
    }
  }
  for (const failure of preview.failed) {
    lines.push('', `## ${plainMarkdown(failure.actorId)}: not exported`, '', `${codeSpan(failure.file)}: ${plainMarkdown(failure.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}
