import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { FileHasher } from '../fs/files';
import { Semaphore } from '../util/semaphore';
import { loadSharp } from './sharp';

/** A thumbnail on disk, or why the image has none (the gallery shows a placeholder with the reason). */
export type Thumbnail = { file: string } | { broken: string };

export interface ThumbnailCacheOptions {
  /** The longest side in pixels (default 256: a grid tile, sharp on a 2x screen at 128 px). */
  size?: number;
  /** Images decoded at once (default 2: sharp's own thread pool does the rest). */
  concurrency?: number;
  /** Shared with other users of hashes, so an unchanged file is read once. */
  hasher?: FileHasher;
}

/**
 * Thumbnails of images in a folder of their own (the extension's global storage, never the data
 * folder), keyed by the sha256 of the image's bytes: the same bytes under any name or actor share
 * one file, and changed bytes get a new one. The hash is remembered while the file's size, mtime
 * and inode stay the same (FileHasher), so a warm gallery reads no image twice. The manifest's
 * `sha256` is not trusted as the key: it describes the bytes when they were recorded, and a file
 * replaced by hand keeps the old value. Files are WebP, written atomically; old ones are never
 * read for another key, so a cache folder shared by two windows stays correct.
 */
export class ThumbnailCache {
  readonly size: number;
  private readonly slots: Semaphore;
  private readonly hasher: FileHasher;
  /** Thumbnails being made, by target file: two requests for the same bytes make it once. */
  private readonly making = new Map<string, Promise<Thumbnail>>();
  /** How many thumbnails were encoded (tests and the benchmark). */
  made = 0;

  constructor(
    readonly dir: string,
    options: ThumbnailCacheOptions = {},
  ) {
    this.size = options.size ?? 256;
    this.slots = new Semaphore(options.concurrency ?? 2);
    this.hasher = options.hasher ?? new FileHasher();
  }

  /** Where the thumbnail of bytes with this hash lives (it may not exist yet). */
  fileFor(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), `${sha256}-${this.size}.webp`);
  }

  /** The thumbnail of `image`, made now when the cache has none; never throws for a bad image. */
  async thumbnail(image: string): Promise<Thumbnail> {
    let sha256: string;
    try {
      sha256 = await this.hasher.hash(image);
    } catch (error) {
      return { broken: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is not on disk' : `cannot read it (${(error as Error).message})` };
    }
    const target = this.fileFor(sha256);
    if (await isFile(target)) {
      return { file: target };
    }
    let pending = this.making.get(target);
    if (!pending) {
      pending = this.slots.run(() => this.make(image, target)).finally(() => this.making.delete(target));
      this.making.set(target, pending);
    }
    return pending;
  }

  /**
   * The thumbnail file of `image` if it is made and the image's hash is known already (nothing is
   * read or made): what a page can show in its first paint. Undefined otherwise: ask `thumbnail`.
   */
  async cached(image: string): Promise<string | undefined> {
    const sha256 = await this.hasher.known(image);
    const target = sha256 && this.fileFor(sha256);
    return target && (await isFile(target)) ? target : undefined;
  }

  private async make(image: string, target: string): Promise<Thumbnail> {
    const sharp = await loadSharp();
    let bytes: Buffer;
    try {
      bytes = await sharp(image, { failOn: 'error' })
        .rotate()
        .resize({ width: this.size, height: this.size, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
    } catch (error) {
      return { broken: `not a readable image (${firstLine((error as Error).message)})` };
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, bytes);
    this.made++;
    return { file: target };
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
