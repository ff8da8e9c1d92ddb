import type { z } from 'zod';
import { legacyActorFields } from '../actors/loadActor';
import { actorMetadataSchema, baseImageSchema, generationSchema, imageEntrySchema, manifestSchema } from '../manifest/manifestSchema';
import { isObject } from './legacyRecords';

type JsonObject = Record<string, unknown>;

/** An old value moved out of the way: where it stood in the manifest and why it did not fit. */
export interface SetAside {
  item: string;
  problem: string;
}

/** The field (in the manifest's top level) that holds what was set aside. */
export const LEGACY_FIELD = 'legacy';

/** Lists of entries this project owns: looked at entry by entry, so one odd entry does not take the others along. */
const ENTRY_SCHEMAS: Record<string, z.ZodType> = { images: imageEntrySchema, base_images: baseImageSchema, generations: generationSchema };

/**
 * Old values of fields this project owns whose shape does not fit its schema (a `generations`
 * entry with no `id`, an `age` written as text) move to `legacy.<field>` in the manifest (list
 * entries to a list there, actor keys to `legacy.actor`), so the rest of the actor can be
 * imported and nothing is lost. Run after the repairs migrate knows (a URL object becomes its
 * URL), so only what could not be read is moved. Lists are changed in place.
 */
export function setAsideUnfitting(manifest: JsonObject): SetAside[] {
  if (manifest[LEGACY_FIELD] !== undefined && !isObject(manifest[LEGACY_FIELD])) {
    return []; // a field of that name that is not ours: the schema check reports what does not fit
  }
  const legacy = (manifest[LEGACY_FIELD] ?? {}) as JsonObject;
  const setAside: SetAside[] = [];
  const moved = (item: string, problem: string | undefined, to: string) => setAside.push({ item, problem: `${problem}; moved to ${LEGACY_FIELD}.${to}` });
  for (const [field, schema] of Object.entries(manifestSchema.shape) as [string, z.ZodType][]) {
    const value = manifest[field];
    if (value === undefined || schema.safeParse(value).success) continue;
    const entrySchema = ENTRY_SCHEMAS[field];
    if (entrySchema && Array.isArray(value) && (legacy[field] === undefined || Array.isArray(legacy[field]))) {
      const problems = value.map((entry) => problemOf(entrySchema, entry));
      problems.forEach((problem, position) => problem && moved(`${field}[${position}]`, problem, field));
      legacy[field] = [...((legacy[field] as unknown[] | undefined) ?? []), ...value.filter((_, position) => problems[position])];
      value.splice(0, value.length, ...value.filter((_, position) => !problems[position]));
    } else if (field === 'actor' && isObject(value) && (legacy.actor === undefined || isObject(legacy.actor))) {
      const shape = actorMetadataSchema.shape as Record<string, z.ZodType>;
      const target = (legacy.actor ?? {}) as JsonObject;
      for (const key of Object.keys(value).filter((each) => shape[each] && target[each] === undefined && problemOf(shape[each], value[each]))) {
        moved(`actor.${key}`, problemOf(shape[key], value[key]), `actor.${key}`);
        target[key] = value[key];
        delete value[key];
      }
      if (Object.keys(target).length > 0) legacy.actor = target;
    } else if (legacy[field] === undefined) {
      moved(field, problemOf(schema, value), field);
      legacy[field] = value;
      delete manifest[field];
    }
  }
  if (Object.keys(legacy).length > 0) manifest[LEGACY_FIELD] = legacy;
  return setAside;
}

/** The old tool's top-level `sex` and `type` go into `actor` where it has none (the top-level fields stay). Returns what was carried. */
export function carryActorFields(manifest: JsonObject): string[] {
  manifest.actor ??= {};
  if (!isObject(manifest.actor)) return []; // the schema check names it
  const actor = manifest.actor;
  return Object.entries(legacyActorFields(manifest))
    .filter(([key]) => actor[key] === undefined)
    .map(([key, value]) => {
      actor[key] = value;
      return `${key} "${value}" from the old top-level "${key}"`;
    });
}

/** The first reason a value does not fit, as `path: message`; undefined when it fits. */
function problemOf(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const [issue] = result.error.issues;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
