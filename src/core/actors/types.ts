import type { Category } from '../manifest/categories';
import type { ImageEntry, Manifest } from '../manifest/manifestSchema';
import type { CategoryCounts } from './targets';
import type { Descriptor } from '../workspace/actorId';
import type { DataProblem } from '../workspace/problems';

export interface ActorInfo {
  /** The number the id starts with, when the id follows the convention. */
  index?: number;
  ethnicity?: string;
  age?: number;
  sex?: string;
  /** The actor type ("human" when absent), from the manifest's actor metadata or the old tool's top level. */
  type?: string;
  displayName?: string;
  descriptor: Descriptor | string;
}

export interface ActorImage {
  filename: string;
  path: string;
  category: Category;
  /** The number in `<actorId>_<n>`, if the file is named that way. */
  number?: number;
  /** In the manifest; untracked images exist only on disk and are never dropped. */
  tracked: boolean;
  /** In the manifest but the file is not on disk. */
  missing: boolean;
  entry?: ImageEntry;
}

export type ManifestState = 'ok' | 'missing' | 'invalid';

export interface ActorRecord {
  id: string;
  dir: string;
  manifestPath: string;
  manifestState: ManifestState;
  manifest?: Manifest;
  info: ActorInfo;
  baseImage?: { filename: string; path: string };
  /** Tracked, untracked and missing images, by number then name. */
  images: ActorImage[];
  /** Images present on disk, per category. */
  counts: CategoryCounts;
  total: number;
  problems: DataProblem[];
}

export interface DataIndex {
  dataRoot: string;
  exists: boolean;
  actors: ActorRecord[];
  /** Problems not tied to one actor (e.g. a folder that is not an actor). */
  problems: DataProblem[];
}
