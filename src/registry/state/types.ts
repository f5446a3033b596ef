/**
 * Public records and options of the registry state store. Digests and media
 * types are plain strings here: the server validates them against the OCI
 * grammar before calling the store, which only bounds them (validate.ts).
 */

interface CommonConfig {
  /** Clock for `created_at` / `updated_at` / upload times; default `Date.now`. */
  readonly now?: () => number;
}

export interface SqliteStateConfig extends CommonConfig {
  readonly kind: 'sqlite';
  /** The database file; created with its directory when missing. */
  readonly path: string;
  /** How long a writer waits for another process's write lock; default 30 s. */
  readonly busyTimeoutMs?: number;
}

export interface PostgresStateConfig extends CommonConfig {
  readonly kind: 'postgres';
  /** A libpq-style URL (`postgres://user:pass@host:port/db`, `?host=/socket/dir` for a Unix socket). */
  readonly connectionString: string;
  /** Connections in the pool; default 10. */
  readonly poolSize?: number;
}

export type StateStoreConfig = SqliteStateConfig | PostgresStateConfig;

export interface RepositoryRecord {
  readonly name: string;
  /** The first path segment of the name (Harbor's project). */
  readonly project: string;
  readonly createdAt: Date;
}

export interface BlobLinkInput {
  readonly digest: string;
  readonly size: number;
  readonly mediaType?: string;
}

export interface BlobLinkRecord {
  readonly repository: string;
  readonly digest: string;
  readonly size: number;
  readonly mediaType?: string;
  readonly createdAt: Date;
}

export interface ManifestInput {
  readonly digest: string;
  readonly mediaType: string;
  /** Length of the manifest bytes (which live in the blob store under `digest`). */
  readonly size: number;
  /**
   * The type the referrers API reports: the manifest's `artifactType`, or
   * for an image manifest without one, its config's media type.
   */
  readonly artifactType?: string;
  /** Digest of the `subject` descriptor (referrers); need not exist. */
  readonly subjectDigest?: string;
  readonly configDigest?: string;
  /** The manifest's annotations (returned by the referrers API); at most 64 KiB as JSON. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Every blob the manifest references (config and layers); each must be linked in the repository. */
  readonly blobs?: readonly string[];
  /** Child manifests of an index; each must be a manifest of the repository. */
  readonly children?: readonly string[];
}

export interface ManifestRecord {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly subjectDigest?: string;
  readonly configDigest?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

export interface PutManifestOptions {
  /** Point this tag at the manifest in the same transaction. */
  readonly tag?: string;
}

export type PutManifestResult =
  | { readonly status: 'stored'; readonly created: boolean; readonly previousTagTarget?: string }
  /** Nothing was written: these references are not in the repository. */
  | { readonly status: 'missing'; readonly blobs: readonly string[]; readonly manifests: readonly string[] };

export interface DeleteManifestOptions {
  /** Delete even when an index of the repository lists the manifest as a child. Default false. */
  readonly force?: boolean;
}

export type DeleteManifestResult =
  | { readonly status: 'deleted'; readonly tags: readonly string[] }
  | { readonly status: 'not-found' }
  /** Nothing was deleted: indexes of the repository list it as a child. */
  | { readonly status: 'referenced'; readonly parents: readonly string[] };

export interface TagRecord {
  readonly name: string;
  readonly digest: string;
  readonly updatedAt: Date;
}

export interface PageOptions {
  /** At most this many items (0 gives none); absent: all. */
  readonly n?: number;
  /** Start strictly after this value (binary order); absent or empty: from the start. */
  readonly last?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Whether items follow the last one returned (for a `Link: rel="next"` header). */
  readonly more: boolean;
}

export interface CatalogOptions extends PageOptions {
  /** Only repositories of these projects. */
  readonly projects?: readonly string[];
  /** Only repositories the caller may see (called for each candidate, in order). */
  readonly visible?: (name: string, project: string) => boolean;
}

export interface ManifestListOptions extends PageOptions {
  /** Leave out referrers (manifests with a subject). */
  readonly withoutSubject?: boolean;
  /** Only manifests no tag points at. */
  readonly untagged?: boolean;
}

export interface ReferrersOptions extends PageOptions {
  /** Only referrers of this artifact type. */
  readonly artifactType?: string;
}

export interface UploadRecord {
  readonly id: string;
  readonly repository: string;
  readonly startedAt: Date;
  readonly lastTouched: Date;
}
