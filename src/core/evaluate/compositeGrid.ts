import { loadSharp } from '../image/sharp';

/**
 * Composite grids for the vision evaluator: numbered thumbnails on one image, so a vision model
 * sees up to 20 training images in one request and answers per tile number. The numbers are
 * drawn as SVG text overlays (a dark badge with white digits in each tile's top-left corner).
 * The base image is not a tile: it is sent as its own image (see encodeImageForVision).
 */

/** Images per grid; more than this go in several grids. */
export const MAX_TILES_PER_GRID = 20;

export interface GridImage {
  filename: string;
  path: string;
}

export interface GridTile extends GridImage {
  /** The number drawn on the tile, from 1 within its grid. */
  number: number;
}

export interface CompositeGridOptions {
  /** Square tile edge in pixels (the thumbnail is fitted inside it). Default 256. */
  tileSize?: number;
  /** Tiles per row. Default 5 (a grid of 20 is 5 x 4). */
  columns?: number;
  /** JPEG quality of the grid. Default 85. */
  quality?: number;
}

export interface CompositeGrid {
  /** JPEG bytes of the grid. */
  image: Buffer;
  mimeType: 'image/jpeg';
  width: number;
  height: number;
  tiles: GridTile[];
}

/** Splits images into numbered groups of at most `perGrid` (numbers restart at 1 in each group). */
export function planGrids(images: readonly GridImage[], perGrid: number = MAX_TILES_PER_GRID): GridTile[][] {
  if (!Number.isInteger(perGrid) || perGrid < 1) {
    throw new RangeError(`perGrid must be a whole number of at least 1, not ${perGrid}`);
  }
  const grids: GridTile[][] = [];
  for (let start = 0; start < images.length; start += perGrid) {
    grids.push(images.slice(start, start + perGrid).map((image, index) => ({ filename: image.filename, path: image.path, number: index + 1 })));
  }
  return grids;
}

/** Where a grid of `tileCount` tiles puts them, and its size in pixels (known before any image is read). */
export function gridLayout(
  tileCount: number,
  options: CompositeGridOptions = {},
): { size: number; columns: number; gap: number; width: number; height: number } {
  const size = options.tileSize ?? 256;
  const columns = Math.min(options.columns ?? 5, tileCount);
  const rows = Math.ceil(tileCount / columns);
  const gap = 4;
  return { size, columns, gap, width: columns * size + (columns + 1) * gap, height: rows * size + (rows + 1) * gap };
}

function labelSvg(text: string, size: number): Buffer {
  const height = Math.max(18, Math.round(size * 0.16));
  const width = Math.round(height * (0.6 * text.length + 0.8));
  const fontSize = Math.round(height * 0.78);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect x="0" y="0" width="${width}" height="${height}" rx="${Math.round(height / 5)}" fill="#000" fill-opacity="0.78"/>` +
      `<text x="${width / 2}" y="${Math.round(height * 0.8)}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-weight="bold" ` +
      `font-size="${fontSize}" fill="#fff" text-anchor="middle">${text}</text></svg>`,
  );
}

/** Builds one grid of numbered thumbnails (at most MAX_TILES_PER_GRID). */
export async function buildCompositeGrid(tiles: readonly GridTile[], options: CompositeGridOptions = {}): Promise<CompositeGrid> {
  if (tiles.length === 0) {
    throw new RangeError('a composite grid needs at least one image');
  }
  if (tiles.length > MAX_TILES_PER_GRID) {
    throw new RangeError(`a composite grid holds at most ${MAX_TILES_PER_GRID} images, not ${tiles.length}; use planGrids`);
  }
  const sharp = await loadSharp();
  const { size, columns, gap, width, height } = gridLayout(tiles.length, options);

  const layers = await Promise.all(
    tiles.map(async (tile, index) => {
      const left = gap + (index % columns) * (size + gap);
      const top = gap + Math.floor(index / columns) * (size + gap);
      const thumbnail = await sharp(tile.path)
        .rotate()
        .resize(size, size, { fit: 'contain', background: { r: 24, g: 24, b: 24, alpha: 1 } })
        .flatten({ background: { r: 24, g: 24, b: 24 } })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return [
        // raw pixels: no PNG encode and decode per tile (the 20-tile grid stays well under 300 ms)
        { input: thumbnail.data, raw: { width: thumbnail.info.width, height: thumbnail.info.height, channels: thumbnail.info.channels }, left, top },
        { input: labelSvg(String(tile.number), size), left: left + 3, top: top + 3 },
      ];
    }),
  );

  const image = await sharp({ create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(layers.flat())
    .jpeg({ quality: options.quality ?? 85 })
    .toBuffer();
  return { image, mimeType: 'image/jpeg', width, height, tiles: [...tiles] };
}

/** Builds every grid for `images` (several when there are more than MAX_TILES_PER_GRID). */
export async function buildCompositeGrids(images: readonly GridImage[], options: CompositeGridOptions = {}): Promise<CompositeGrid[]> {
  const grids: CompositeGrid[] = [];
  for (const tiles of planGrids(images)) {
    grids.push(await buildCompositeGrid(tiles, options));
  }
  return grids;
}

/** An image (e.g. the base image) fitted inside `maxEdge` and re-encoded as a JPEG for a vision request. */
export async function encodeImageForVision(imagePath: string, maxEdge = 768, quality = 90): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(imagePath)
    .rotate()
    .resize(maxEdge, maxEdge, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .jpeg({ quality })
    .toBuffer();
}

export function jpegDataUri(bytes: Buffer): string {
  return `data:image/jpeg;base64,${bytes.toString('base64')}`;
}
