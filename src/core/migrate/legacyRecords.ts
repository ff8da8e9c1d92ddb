import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ImportedEntries } from '../tracking/generationLog';
import { readJson } from './legacyFiles';
import type { LegacyLogReport } from './types';
import { isoTime } from '../util/time';

/* What reading any of the old tool's record files shares: the entries collected so far and the report. */

export type JsonObject = Record<string, unknown>;

export interface Collected {
  entries: ImportedEntries;
  report: LegacyLogReport;
  known: Set<string>;
  /** result_path of every success already logged: the current tool logs what it also puts in prompt_metadata.json. */
  loggedResults: Set<string>;
  /** `actor/file/stars` of every rating already logged: the rating command logs what it also puts in the manifest. */
  loggedRatings: Set<string>;
  actorIds: readonly string[];
  dataRoot: string;
  realRoot: string;
}

/** `legacy-` and a hash of the parts: the same old record always gets the same id. */
export function legacyId(...parts: unknown[]): string {
  return `legacy-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}

/** An ISO timestamp from the old tool's (Python, often zone-less) time text, or undefined. */
export function timestampOf(raw: unknown): { timestamp: string; legacy?: string } | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  // Python's time() gives seconds since 1970; isoformat() text is read as it stands.
  const date = typeof raw === 'number' ? new Date(raw * 1000) : new Date(raw);
  if (Number.isNaN(date.getTime())) return undefined;
  const timestamp = isoTime(date);
  return timestamp === raw || date.toISOString() === raw ? { timestamp } : { timestamp, legacy: String(raw) };
}

/** Adds an entry unless its id is already in the log (or was collected already). */
export function collect<K extends keyof ImportedEntries>(collected: Collected, kind: K, entry: ImportedEntries[K][number]): boolean {
  const id = (entry as { id: string }).id;
  if (collected.known.has(id)) {
    collected.report.alreadyInLog++;
    return false;
  }
  collected.known.add(id);
  (collected.entries[kind] as unknown[]).push(entry);
  return true;
}

export function countsLine(file: string, counts: Record<string, number>): string | undefined {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${count} ${what}`);
  return parts.length > 0 ? `${file}: ${parts.join(', ')} into the generation log` : undefined;
}

export function textField(record: JsonObject, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

export function objectField(record: JsonObject, ...names: string[]): JsonObject | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  }
  return undefined;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An old record file's content; undefined when it is missing, or invalid (then reported by position, and left as it is). */
export async function readRecordFile<T>(collected: Collected, file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const read = await readJson(collected, file, schema);
  if (read.state === 'invalid') {
    collected.report.notImported.push({ item: read.where, reason: `${read.reason}; nothing of it was imported into the log and the file was left as it is` });
  }
  return read.state === 'ok' ? read.value : undefined;
}
