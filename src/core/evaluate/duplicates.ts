import type { Category } from '../manifest/categories';
import { hammingDistance } from './imageStats';

/** What duplicate grouping needs to know about one image. */
export interface DuplicateCandidate {
  filename: string;
  pixelHash: string;
  dHash: string;
  width: number;
  height: number;
  quality: number;
  category: Category;
}

export interface DuplicateFinding {
  filename: string;
  kind: 'exact_duplicate' | 'near_duplicate';
  /** The image kept in its place (the better one of the group). */
  duplicateOf: string;
  /** Hamming distance of the perceptual hashes to the kept image (0 for exact duplicates). */
  distance: number;
}

/** The image number of `<actorId>_<n>.<ext>`; names without one sort after numbered ones. */
export function imageNumber(filename: string): number {
  const match = /_(\d+)\.[^.]+$/.exec(filename);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

/** Better first: higher quality, then more pixels, then the lower (older) number, then the name. */
function compareBetter(a: DuplicateCandidate, b: DuplicateCandidate): number {
  return (
    b.quality - a.quality ||
    b.width * b.height - a.width * a.height ||
    imageNumber(a.filename) - imageNumber(b.filename) ||
    (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0)
  );
}

/**
 * Groups the images of one actor into exact duplicates (same decoded pixels) and near
 * duplicates (dHash within `maxHamming`), and names every image but the best of its group.
 * Near duplicates count only within one guessed category: a stylized rendering of the same
 * framing as a photo is a different training image, and its hash is often close to the photo's.
 */
export function findDuplicates(candidates: DuplicateCandidate[], maxHamming: number): DuplicateFinding[] {
  const parent = candidates.map((_, index) => index);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let i = 0; i < candidates.length; i += 1) {
    for (let j = i + 1; j < candidates.length; j += 1) {
      const a = candidates[i];
      const b = candidates[j];
      const exact = a.pixelHash === b.pixelHash;
      const near = a.category === b.category && hammingDistance(a.dHash, b.dHash) <= maxHamming;
      if (exact || near) {
        parent[root(i)] = root(j);
      }
    }
  }
  const groups = new Map<number, DuplicateCandidate[]>();
  candidates.forEach((candidate, index) => {
    const key = root(index);
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  });
  const findings: DuplicateFinding[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) {
      continue;
    }
    const [kept, ...others] = [...group].sort(compareBetter);
    for (const other of others) {
      const exact = other.pixelHash === kept.pixelHash;
      findings.push({
        filename: other.filename,
        kind: exact ? 'exact_duplicate' : 'near_duplicate',
        duplicateOf: kept.filename,
        distance: exact ? 0 : hammingDistance(other.dHash, kept.dHash),
      });
    }
  }
  return findings.sort((a, b) => imageNumber(a.filename) - imageNumber(b.filename) || (a.filename < b.filename ? -1 : 1));
}
