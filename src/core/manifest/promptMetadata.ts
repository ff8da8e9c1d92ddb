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
  const file = actorPaths(dataRoot, actorId).promptMetadata;
  const metadata = await readJsonForUpdate(
    file,
    promptMetadataSchema,
    (problems) => new Error(`${file} is not valid (${problems[0].message}, line ${problems[0].line + 1}); it was left as it is.`),
  );
  const previous = metadata.images[filename] ?? {};
  const prompt = entry.prompt ?? previous.prompt ?? '';
  metadata.images[filename] = { ...previous, ...entry, prompt, prompt_preview: prompt.slice(0, PROMPT_PREVIEW_LENGTH) };
  await writeFileAtomic(file, formatJson(promptMetadataSchema.parse(metadata)));
}
