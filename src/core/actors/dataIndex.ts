import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { followsActorIdConvention, parseActorId } from '../workspace/actorId';
import { realPathInside } from '../workspace/guards';
import { ACTORS_DIR } from '../workspace/layout';
import { loadActor } from './loadActor';
import type { ActorRecord, DataIndex } from './types';
import type { DataProblem } from '../workspace/problems';

/** Longest stretch of synchronous reading before the event loop gets a turn. */
const SLICE_MS = 8;

/**
 * An index of the data folder that re-reads only what was invalidated, so a change to one actor
 * costs one actor's reads, not thousands. Reads are synchronous but time-sliced: the event loop
 * gets a turn every few milliseconds, so the extension host never stalls on a big data folder.
 */
export class ActorIndex {
  private readonly actors = new Map<string, ActorRecord>();
  private listing?: ActorListing;

  constructor(readonly dataRoot: string) {}

  /** Forget one actor (it changed) or, without an id, everything (actors added or removed). */
  invalidate(actorId?: string): void {
    if (actorId === undefined) {
      this.actors.clear();
      this.listing = undefined;
    } else {
      this.actors.delete(actorId);
    }
  }

  /** The actor folders (cheap: one listing), without reading any actor. */
  list(): ActorListing {
    const listing = (this.listing ??= listActors(this.dataRoot));
    if (!listing.exists) {
      this.listing = undefined; // check again next time: the user may create the folder
    }
    return listing;
  }

  /** An actor already read and still valid, without touching the disk. */
  peek(actorId: string): ActorRecord | undefined {
    return this.actors.get(actorId);
  }

  /** One actor, read now if it is not cached. */
  actor(actorId: string): ActorRecord {
    let record = this.actors.get(actorId);
    if (!record) {
      record = loadActor(this.dataRoot, this.list().realRoot, actorId);
      this.actors.set(actorId, record);
    }
    return record;
  }

  async index(): Promise<DataIndex> {
    const listing = this.list();
    if (!listing.exists) {
      return { dataRoot: this.dataRoot, exists: false, actors: [], problems: listing.problems };
    }
    const actors: ActorRecord[] = [];
    let sliceStart = performance.now();
    for (const id of listing.ids) {
      actors.push(this.actor(id));
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return { dataRoot: this.dataRoot, exists: true, actors, problems: listing.problems };
  }
}

/** Reads the whole data folder once (the CLI and benchmarks; the editor keeps an ActorIndex). */
export function indexDataFolder(dataRoot: string): Promise<DataIndex> {
  return new ActorIndex(dataRoot).index();
}

export interface ActorListing {
  exists: boolean;
  realRoot: string;
  ids: string[];
  problems: DataProblem[];
}

function listActors(dataRoot: string): ActorListing {
  const problems: DataProblem[] = [];
  let realRoot: string;
  try {
    realRoot = realpathSync(dataRoot);
  } catch {
    return { exists: false, realRoot: dataRoot, ids: [], problems };
  }
  const actorsDir = path.join(dataRoot, ACTORS_DIR);
  let entries;
  try {
    entries = readdirSync(actorsDir, { withFileTypes: true });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing ? `no ${ACTORS_DIR}/ folder in the data folder` : `cannot list ${ACTORS_DIR}/: ${(error as Error).message}`;
    problems.push({ file: actorsDir, severity: missing ? 'info' : 'error', message });
    return { exists: true, realRoot, ids: [], problems };
  }
  const ids: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) {
      continue;
    }
    if (entry.isDirectory() && followsActorIdConvention(entry.name)) {
      ids.push(entry.name); // the common case, without the path work below (10,000 actors list in a few ms)
      continue;
    }
    const dir = path.join(actorsDir, entry.name);
    if (entry.isSymbolicLink() && !realPathInside(realRoot, dir)) {
      problems.push({ file: dir, severity: 'warning', message: `${entry.name} links outside the data folder and is ignored.` });
      continue;
    }
    if (!(entry.isDirectory() || (entry.isSymbolicLink() && statSync(dir).isDirectory()))) {
      problems.push({ file: dir, severity: 'info', message: `${entry.name} is not an actor folder and is ignored.` });
      continue;
    }
    if (!parseActorId(entry.name)) {
      problems.push({
        file: dir,
        severity: 'info',
        message: `${entry.name} does not follow <index>_<ethnicity words>_<age>_<sex> (e.g. 0000_european_16_male, 0005_south_asian_25_female); its details come from its manifest.`,
      });
    }
    ids.push(entry.name);
  }
  ids.sort();
  return { exists: true, realRoot, ids, problems };
}
