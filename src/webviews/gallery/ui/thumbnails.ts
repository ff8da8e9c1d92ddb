// The thumbnails the gallery page holds: data: URIs from the host's replies, by file name, each
// with the key of its bytes, so a new state shows the ones it still names without asking again.
import type { GalleryView, ThumbnailResult } from '../protocol';

export type HeldThumbnail = Extract<ThumbnailResult, { src: string }>;

/** Keeps the base image's thumbnail apart from a training image of the same name. */
const BASE = '\u0000base:';

export class ThumbnailStore {
  private readonly held = new Map<string, HeldThumbnail>();

  constructor(private readonly ask: (filename: string, base: boolean) => Promise<ThumbnailResult>) {}

  /** The thumbnail held for this image, if any. */
  get(filename: string, base = false): HeldThumbnail | undefined {
    return this.held.get(base ? BASE + filename : filename);
  }

  /** Asks the host for the thumbnail and keeps it. */
  async fetch(filename: string, base = false): Promise<ThumbnailResult> {
    const result = await this.ask(filename, base);
    if ('src' in result) {
      this.held.set(base ? BASE + filename : filename, result);
    }
    return result;
  }

  /** Drops the thumbnails of images the view no longer has. */
  forgetAllBut(view: GalleryView | undefined): void {
    const names = new Set(view?.images.map((image) => image.filename));
    if (view?.baseImage) {
      names.add(BASE + view.baseImage);
    }
    for (const name of this.held.keys()) {
      if (!names.has(name)) {
        this.held.delete(name);
      }
    }
  }
}
