import { InputError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { actorPaths } from '../workspace/layout';
import { promptMetadataSchema } from './dataFileSchemas';
import { formatJson, readJsonForUpdate } from './jsonFile';

export interface PromptMetadataEntry {
  prompt: string;
  generated_at: string;
  s3_url: string;
  index: number;
}

/** The old tool shows the first 100 characters of a prompt as its preview. */
export const PROMPT_PREVIEW_LENGTH = 100;

/**
 * Adds or updates one image's entry in prompt_metadata.json, kept in step with the manifest for
 * the old tool's readers. The caller holds the actor's lock. An unreadable file is not
 * overwritten: the error names it.
 */
export async function recordPromptMetadata(dataRoot: string, actorId: string, filename: string, entry: Partial<PromptMetadataEntry>): Promise<void> {
  const { file, metadata } = await readPromptMetadata(dataRoot, actorId);
  const previous = metadata.images[filename] ?? {};
  const prompt = entry.prompt ?? previous.prompt ?? '';
  metadata.images[filename] = { ...previous, ...entry, prompt, prompt_preview: prompt.slice(0, PROMPT_PREVIEW_LENGTH) };
  await writeFileAtomic(file, formatJson(promptMetadataSchema.parse(metadata)));
}

/** Throws (naming the file and the problem) unless prompt_metadata.json is missing or valid: checked before a run writes it. */
export async function checkPromptMetadata(dataRoot: string, actorId: string): Promise<void> {
  await readPromptMetadata(dataRoot, actorId).catch((error: Error) => {
    // A folder or an unreadable file in its place: the raw error would not say which file.
    throw error instanceof InputError
      ? error
      : new InputError(`${actorPaths(dataRoot, actorId).promptMetadata} cannot be read: ${error.message}`, { cause: error });
  });
}

type StoredPromptMetadata = ReturnType<typeof promptMetadataSchema.parse>['images'][string];

async function readPromptMetadata(dataRoot: string, actorId: string) {
  const file = actorPaths(dataRoot, actorId).promptMetadata;
  const metadata = await readJsonForUpdate(
    file,
    promptMetadataSchema,
    (problems) => new InputError(`${file} is not valid (${problems[0].message}, line ${problems[0].line + 1}); it was left as it is.`, { file }),
  );
  return { file, metadata };
}

/**
 * Removes one image's entry (the image went to the trash) and returns it with its position, so
 * putting it back restores the file as it was. The caller holds the actor's lock.
 */
export async function takePromptMetadata(
  dataRoot: string,
  actorId: string,
  filename: string,
): Promise<{ entry: StoredPromptMetadata; position: number } | undefined> {
  const { file, metadata } = await readPromptMetadata(dataRoot, actorId);
  const names = Object.keys(metadata.images);
  const position = names.indexOf(filename);
  if (position < 0) {
    return undefined;
  }
  const entry = metadata.images[filename];
  delete metadata.images[filename];
  await writeFileAtomic(file, formatJson(promptMetadataSchema.parse(metadata)));
  return { entry, position };
}

/** Puts an entry back at its old position (see takePromptMetadata). The caller holds the actor's lock. */
export async function restorePromptMetadata(dataRoot: string, actorId: string, filename: string, entry: StoredPromptMetadata, position: number): Promise<void> {
  const { file, metadata } = await readPromptMetadata(dataRoot, actorId);
  const others = Object.entries(metadata.images).filter(([name]) => name !== filename);
  others.splice(Math.min(position, others.length), 0, [filename, entry]);
  metadata.images = Object.fromEntries(others);
  await writeFileAtomic(file, formatJson(promptMetadataSchema.parse(metadata)));
}
