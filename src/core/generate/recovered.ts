import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { StudioError, errorKind } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { recoveredImageSchema } from '../manifest/dataFileSchemas';
import { formatJson, validateJsonText } from '../manifest/jsonFile';
import { assertWritableInside } from '../workspace/guards';
import { recoveredDir } from '../workspace/layout';
import { saveGeneratedImage, type SaveRequest, type SavedImage } from './saveResult';
import { isoTime } from '../util/time';

const RECOVERED_IMAGE = /^[\w-]+\.(jpg|png)$/;

/**
 * Keeps a paid image whose save failed (a lock, an invalid data file, the disk): its bytes go to
 * data/recovered/<actorId>/ with a record of its generation, for `reconcile --fix` to adopt.
 * Returns the image's path. Throws only when even that cannot be written.
 */
export async function keepPaidImage(request: SaveRequest, failure: unknown): Promise<string> {
  const { dataRoot, actorId, result } = request;
  const dir = recoveredDir(dataRoot, actorId);
  await assertWritableInside(dataRoot, dir);
  await fs.mkdir(dir, { recursive: true });
  const at = request.now?.() ?? new Date();
  const name = `${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}.${result.extension}`;
  const file = path.join(dir, name);
  await writeFileAtomic(file, result.bytes);
  const record: z.input<typeof recoveredImageSchema> = {
    actor_id: actorId,
    prompt_id: request.promptId,
    prompt: request.prompt,
    ...(request.baseImage ? { base_image: request.baseImage } : {}),
    category: request.category,
    model: result.model,
    parameters: result.parameters,
    seed: result.seed ?? null,
    ...(result.predictionId ? { prediction_id: result.predictionId } : {}),
    duration_ms: result.durationMs,
    recovered_at: isoTime(at),
    save_error: failure instanceof Error ? failure.message : String(failure),
  };
  await writeFileAtomic(`${file}.json`, formatJson(record));
  return file;
}

/** The recovered images of an actor (file names), oldest first. */
export async function listRecovered(dataRoot: string, actorId: string): Promise<string[]> {
  const names = await fs.readdir(recoveredDir(dataRoot, actorId)).catch(() => [] as string[]);
  return names.filter((name) => RECOVERED_IMAGE.test(name) && names.includes(`${name}.json`)).sort();
}

/**
 * Saves a recovered image into the actor's training data (a new number, manifest and prompt
 * metadata, as a generation would have), then removes it and its record from data/recovered.
 */
export async function adoptRecovered(dataRoot: string, actorId: string, name: string, now?: () => Date): Promise<SavedImage> {
  const file = path.join(recoveredDir(dataRoot, actorId), name);
  const recordFile = `${file}.json`;
  const read = validateJsonText(await fs.readFile(recordFile, 'utf8'), recoveredImageSchema);
  if (!read.ok) {
    throw new Error(`${recordFile} is not valid (${read.problems[0].message}); the image stays in ${path.dirname(file)}`);
  }
  const record = read.value;
  const saved = await saveGeneratedImage({
    dataRoot,
    actorId,
    promptId: record.prompt_id,
    prompt: record.prompt,
    ...(record.base_image ? { baseImage: record.base_image } : {}),
    category: record.category,
    now,
    result: {
      bytes: await fs.readFile(file),
      extension: path.extname(name).slice(1) as 'jpg' | 'png',
      model: record.model,
      parameters: record.parameters,
      ...(typeof record.seed === 'number' ? { seed: record.seed } : {}),
      ...(record.prediction_id ? { predictionId: record.prediction_id } : {}),
      durationMs: record.duration_ms,
    },
  });
  await fs.rm(file, { force: true });
  await fs.rm(recordFile, { force: true });
  return saved;
}

/**
 * Saves a paid result; when that fails, the image goes to data/recovered (see keepPaidImage) and
 * the error says where, and that `reconcile --fix` adopts it. A paid image is never dropped.
 */
export async function saveOrKeep(request: SaveRequest): Promise<SavedImage> {
  try {
    return await saveGeneratedImage(request);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    let kept: string;
    try {
      kept = await keepPaidImage(request, error);
    } catch (keepError) {
      throw new StudioError(
        `the generated image could not be saved (${reason}), nor kept in the recovered folder (${keepError instanceof Error ? keepError.message : String(keepError)})`,
        'external',
        { cause: error },
      );
    }
    const kind = errorKind(error);
    throw new StudioError(
      `the image was generated but not saved: ${reason}. It was kept as ${kept}; \`actor-studio reconcile --fix\` adopts it.`,
      kind === 'internal' ? 'external' : kind,
      {
        file: kept,
        cause: error,
      },
    );
  }
}
