// Child process for the numbering test: saves N images for one actor.
import sharp from 'sharp';
import { saveGeneratedImage } from '../../../src/core/generate/saveResult';

async function main(): Promise<void> {
  const [dataRoot, actorId, count] = process.argv.slice(2);
  const bytes = await sharp({ create: { width: 16, height: 9, channels: 3, background: '#aa3300' } })
    .jpeg()
    .toBuffer();
  for (let n = 0; n < Number(count); n++) {
    await saveGeneratedImage({
      dataRoot,
      actorId,
      promptId: 'worker',
      prompt: `worker ${process.pid} ${n}`,
      category: 'photorealistic',
      result: { bytes, extension: 'jpg', model: 'test/worker', parameters: {}, durationMs: 1 },
    });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
