export { LEGACY_MANIFEST_COPY, migrateActors } from './migrate';
export { firstUrlIn, objectKeyFromUrl } from '../util/legacyUrls';
export * from './types';
export { describeLegacyLogImport } from './legacyLog';
export { LEGACY_TRACKER_FILES } from './legacyTracker';
