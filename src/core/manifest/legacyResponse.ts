import { InputError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { exists } from '../fs/files';
import { fileNameOfUrl, firstUrlIn } from '../util/legacyUrls';
import { assertWritableInside } from '../workspace/guards';
import { actorPaths, imageNumber } from '../workspace/layout';
import { legacyResponseSchema } from './dataFileSchemas';
import { formatJson, readJsonForUpdate } from './jsonFile';

/**
 * response.json, the old tool's list of the actor's uploaded URLs (seed 002: generation adds the
 * new image's URL), kept in step for the old tool's readers: only for actors that already have
 * one, in its shape (a list of URL strings, in image order). Items that are not ours to judge
 * (an S3 response object of another file, something without a URL) are kept as they are.
 * The caller holds the actor's lock. Each function returns a warning instead of throwing: the
 * image and its manifest entry are what count, this file only follows them.
 */
export async function addResponseUrl(dataRoot: string, actorId: string, filename: string, url: string): Promise<string | undefined> {
  return updateResponse(dataRoot, actorId, (items) => {
    const same = items.findIndex((item) => fileOf(item) === filename);
    if (same >= 0) {
      if (items[same] === url) return false;
      items[same] = url; // a new URL for the file (or a whole S3 response): the plain URL, where it stood
      return true;
    }
    const number = imageNumber(actorId, filename) ?? Infinity;
    const after = items.findIndex((item) => (imageNumber(actorId, fileOf(item) ?? '') ?? -1) > number);
    items.splice(after < 0 ? items.length : after, 0, url);
    return true;
  });
}

/** Drops the URLs of a file that left the set (deleted or trashed). */
export async function removeResponseUrl(dataRoot: string, actorId: string, filename: string): Promise<string | undefined> {
  return updateResponse(dataRoot, actorId, (items) => {
    const kept = items.filter((item) => fileOf(item) !== filename);
    if (kept.length === items.length) return false;
    items.splice(0, items.length, ...kept);
    return true;
  });
}

function fileOf(item: unknown): string | undefined {
  const url = firstUrlIn(item);
  return url === undefined ? undefined : fileNameOfUrl(url);
}

async function updateResponse(dataRoot: string, actorId: string, change: (items: unknown[]) => boolean): Promise<string | undefined> {
  const file = actorPaths(dataRoot, actorId).legacyResponse;
  try {
    if (!(await exists(file))) return undefined; // an actor of this tool's own: nothing to keep in step
    await assertWritableInside(dataRoot, file);
    const value = await readJsonForUpdate(
      file,
      legacyResponseSchema,
      (problems) => new InputError(`${file} is not valid (${problems[0].message}); it was left as it is`, { file }),
    );
    if (!Array.isArray(value)) {
      return `${file} is not a list of URLs (the old tool's shape); it was left as it is`;
    }
    if (change(value)) {
      await writeFileAtomic(file, formatJson(value));
    }
    return undefined;
  } catch (error) {
    return `response.json was not updated: ${(error as Error).message}`;
  }
}
