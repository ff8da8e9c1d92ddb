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

export interface MigrationReport {
  dryRun: boolean;
  actors: MigrationActorReport[];
}

export interface MigrateRequest {
  dataRoot: string;
  actorIds: readonly string[];
  /** Report what would be imported without writing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}
