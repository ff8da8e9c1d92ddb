export { LEGACY_MANIFEST_COPY, migrateActors } from './migrate';
export { firstUrlIn, objectKeyFromUrl } from './legacyUrls';
export * from './types';
export { describeLegacyLogImport, LEGACY_TRACKER_FILES } from './legacyLog';
