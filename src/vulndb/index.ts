export { openVulnDb, VulnDb } from './db.js';
export type { LookupOptions, OpenOptions } from './db.js';
export type { ImportSession, SessionSpec, CommitExtra } from './session.js';
export { importFeed } from './import.js';
export type { ImportOptions } from './import.js';
export { updateFeeds, feedUrl, DEFAULT_MIRROR, DEFAULT_ECOSYSTEMS } from './update.js';
export type { UpdateEvent, UpdateOptions, UpdateResult } from './update.js';
export { defaultDbPath, packageKey, ecosystemBase, DEBIAN_RELEASES } from './names.js';
export { SCHEMA_VERSION } from './schema.js';
export type {
  Advisory,
  Affected,
  DbStatus,
  EcosystemCount,
  ImportReport,
  JsonObject,
  Range,
  RangeEvent,
  Reference,
  Severity,
  SourceInfo,
  SourceKind,
} from './types.js';
