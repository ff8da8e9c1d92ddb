import type { ObjectStore } from '../storage/types';

/** Every kind of drift between a manifest, the files on disk, prompt_metadata.json and the object store. */
export const DRIFT_KINDS = [
  /** An image file in training_data that the manifest does not list. */
  'untracked_file',
  /** A manifest entry whose file is not on disk. */
  'missing_file',
  /** An entry with an s3_key (or a URL) whose object is not in the bucket. */
  's3_missing',
  /** An object under the actor's prefix that no manifest entry names. */
  's3_extra',
  /** s3_url holds something other than a plain URL string (the old tool stored whole response objects). */
  'url_not_string',
  /** Two entries with the same index. */
  'duplicate_index',
  /** Two files sharing one number (e.g. _7.jpg and _7.png). */
  'number_shared',
  /** prompt_metadata.json lists an image the manifest does not, lacks one it does, or disagrees on its prompt or URL. */
  'prompt_metadata_out_of_step',
  /** The file's sha256 differs from the manifest's. */
  'sha256_mismatch',
  /** A paid image whose save failed, kept in data/recovered/<actorId>/. */
  'recovered_image',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftFinding {
  kind: DriftKind;
  actorId: string;
  /** The image concerned, when there is one. */
  filename?: string;
  /** The file the finding is about (absolute), for links and diagnostics. */
  file?: string;
  /** For people: what is wrong. */
  message: string;
  /** For people: what `--fix` does about it (never a plain deletion). */
  fix: string;
}

export interface ReconcileRequest {
  dataRoot: string;
  actorIds: readonly string[];
  /** Compared with the objects under each actor's prefix (ListObjectsV2) when given and not 'none'. */
  store?: ObjectStore;
  signal?: AbortSignal;
}

export interface ReconcileReport {
  actors: { actorId: string; findings: DriftFinding[] }[];
  /** Findings over all actors. */
  total: number;
}

export interface FixSummary {
  /** What was done, one line per change, for people. */
  applied: string[];
  /** What could not be fixed, with the reason. */
  failed: { finding: DriftFinding; reason: string }[];
}
