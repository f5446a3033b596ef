/**
 * The registry's metadata store: repositories, blob links per repository,
 * manifests with their references, tags, referrers, the catalog and the
 * upload index, through one query layer (kysely) over SQLite (embedded
 * default, WAL) or PostgreSQL, with migrations run on open.
 *
 * Manifest bytes are NOT stored here: they go to the blob store under their
 * digest (as CNCF Distribution does), and the store keeps a row with what
 * listings, the referrers API and GC need (media type, size, artifact type,
 * subject, config, annotations, referenced digests). One place holds
 * content, the blob store's crash-safe writes and future S3 driver cover
 * manifests too, GC treats manifest digests as blobs to keep, and the
 * database stays small.
 *
 * Writes that change several rows run in one transaction. On SQLite the
 * store keeps one connection and runs its operations one at a time
 * (better-sqlite3 is synchronous; its answers arrive as already-resolved
 * promises, so a loop of store calls alone never yields to the event loop);
 * other processes on the same file wait up to the busy timeout for the
 * write lock. On PostgreSQL operations run in parallel on a pool and a
 * transaction that meets a deadlock is run again.
 *
 * Strings are stored verbatim within the limits in `STATE_LIMITS`; NUL and
 * lone surrogates are refused (PostgreSQL's text cannot hold NUL).
 */
export { openStateStore, StateStore } from './store.js';
export type { EngineKind } from './engine.js';
export type { ModuleColumns, ModuleMigration, StateModule } from './module.js';
export { LIMITS as STATE_LIMITS } from './validate.js';
export type {
  BlobLinkInput,
  BlobLinkRecord,
  CatalogOptions,
  DeleteManifestOptions,
  DeleteManifestResult,
  ManifestInput,
  ManifestListOptions,
  ManifestRecord,
  Page,
  PageOptions,
  PostgresStateConfig,
  PutManifestOptions,
  PutManifestResult,
  ReferrersOptions,
  RepositoryRecord,
  SqliteStateConfig,
  StateStoreConfig,
  TagRecord,
  UploadRecord,
} from './types.js';
