/** What importing the old tool's files for one actor found and did. */
export interface MigrationActorReport {
  actorId: string;
  /** One line per imported item, for people ("0002_x_1.jpg: entry from response.json + prompt_metadata.json"). */
  imported: string[];
  /** What could not be imported, with the reason. */
  notImported: { item: string; reason: string }[];
  /** True when the manifest would change (dry run) or changed. */
  changed: boolean;
}

/** What importing the old tool's prompt records into the generation log found and did. */
export interface LegacyLogReport {
  /** One line per file with what came (or would come) from it, and notes on items imported with a change. */
  imported: string[];
  notImported: { item: string; reason: string }[];
  /** Entries added (dry run: that would be added). */
  added: { successes: number; failures: number; ratings: number };
  /** Old records found already in the log (an earlier migration, or the current tool logged them). */
  alreadyInLog: number;
  changed: boolean;
}

export interface MigrationReport {
  dryRun: boolean;
  actors: MigrationActorReport[];
  /** The old prompt records (prompt_metadata.json, the enhanced tracker) into the generation log. */
  log: LegacyLogReport;
}

export interface MigrateRequest {
  dataRoot: string;
  actorIds: readonly string[];
  /** Report what would be imported without writing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}
