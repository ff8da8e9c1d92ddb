import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mapLimit } from '../util/mapLimit';
import { parseActorId } from './actorId';
import { realPathInside } from './guards';
import { ACTORS_DIR } from './layout';
import { loadActor } from './loadActor';
import type { ActorRecord, DataIndex, DataProblem } from './types';

/** Enough parallel reads to keep the disk busy without exhausting file handles. */
const READ_CONCURRENCY = 16;

/**
 * An index of the data folder that re-reads only what was invalidated, so a change to one actor
 * costs one actor's reads, not thousands.
 */
export class ActorIndex {
  private readonly actors = new Map<string, Promise<ActorRecord>>();
  private listing?: Promise<Listing>;

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

  async index(): Promise<DataIndex> {
    const listing = await (this.listing ??= listActors(this.dataRoot));
    if (!listing.exists) {
      this.listing = undefined; // check again next time: the user may create the folder
      return { dataRoot: this.dataRoot, exists: false, actors: [], problems: listing.problems };
    }
    const actors = await mapLimit(listing.ids, READ_CONCURRENCY, (id) => this.actor(id, listing.realRoot));
    return { dataRoot: this.dataRoot, exists: true, actors, problems: listing.problems };
  }

  private actor(actorId: string, realRoot: string): Promise<ActorRecord> {
    let record = this.actors.get(actorId);
    if (!record) {
      record = loadActor(this.dataRoot, realRoot, actorId);
      this.actors.set(actorId, record);
      record.catch(() => this.actors.delete(actorId));
    }
    return record;
  }
}

/** Reads the whole data folder once (the CLI and benchmarks; the editor keeps an ActorIndex). */
export function indexDataFolder(dataRoot: string): Promise<DataIndex> {
  return new ActorIndex(dataRoot).index();
}

interface Listing {
  exists: boolean;
  realRoot: string;
  ids: string[];
  problems: DataProblem[];
}

async function listActors(dataRoot: string): Promise<Listing> {
  const problems: DataProblem[] = [];
  let realRoot: string;
  try {
    realRoot = await fs.realpath(dataRoot);
  } catch {
    return { exists: false, realRoot: dataRoot, ids: [], problems };
  }
  const actorsDir = path.join(dataRoot, ACTORS_DIR);
  let entries;
  try {
    entries = await fs.readdir(actorsDir, { withFileTypes: true });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing ? `no ${ACTORS_DIR}/ folder in the data folder` : `cannot list ${ACTORS_DIR}/: ${(error as Error).message}`;
    problems.push({ file: actorsDir, severity: missing ? 'info' : 'error', message });
    return { exists: true, realRoot, ids: [], problems };
  }
  const ids: string[] = [];
  for (const entry of entries) {
    const dir = path.join(actorsDir, entry.name);
    if (entry.name.startsWith('.')) {
      continue;
    }
    if (entry.isSymbolicLink() && !(await realPathInside(realRoot, dir))) {
      problems.push({ file: dir, severity: 'warning', message: `${entry.name} links outside the data folder and is ignored.` });
      continue;
    }
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await fs.stat(dir)).isDirectory());
    if (!isDir) {
      problems.push({ file: dir, severity: 'info', message: `${entry.name} is not an actor folder and is ignored.` });
      continue;
    }
    if (!parseActorId(entry.name)) {
      problems.push({
        file: dir,
        severity: 'info',
        message: `${entry.name} does not follow <index>_<ethnicity>_<age>_<sex> (e.g. 0000_european_16_male); its details come from its manifest.`,
      });
    }
    ids.push(entry.name);
  }
  ids.sort();
  return { exists: true, realRoot, ids, problems };
}
