// Child process for the cross-process lock test: appends N images to one manifest.
import { updateManifest } from '../../../src/core/manifest/manifestStore';

async function main(): Promise<void> {
  const [dataRoot, actorId, count, tag] = process.argv.slice(2);
  for (let n = 0; n < Number(count); n++) {
    await updateManifest(dataRoot, actorId, async (manifest) => {
      // Yield between read and write so an unlocked writer would lose updates.
      await new Promise((resolve) => setTimeout(resolve, 1));
      manifest.images.push({ filename: `${tag}_${n}.jpg`, category: 'unknown' });
    });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
