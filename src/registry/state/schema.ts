/**
 * The tables as kysely sees them. Times are milliseconds since the epoch in
 * `bigint` columns (one type on both engines, ordered and compared as
 * numbers); PostgreSQL's driver returns `bigint` as a string, so every
 * read goes through `toInt`.
 */
import type { ColumnType, Generated } from 'kysely';
import { MamoriError } from '../../core/index.js';

/** A `bigint` column: a number in, a number or a decimal string out. */
export type Int8 = ColumnType<number | string | bigint, number, number>;

export interface RepositoriesTable {
  id: Generated<number | string | bigint>;
  name: string;
  project: string;
  created_at: Int8;
}

export interface BlobLinksTable {
  repository_id: Int8;
  digest: string;
  size: Int8;
  media_type: string | null;
  created_at: Int8;
}

export interface ManifestsTable {
  repository_id: Int8;
  digest: string;
  media_type: string;
  size: Int8;
  artifact_type: string | null;
  subject_digest: string | null;
  config_digest: string | null;
  annotations: string | null;
  created_at: Int8;
}

export interface ManifestBlobsTable {
  repository_id: Int8;
  manifest_digest: string;
  blob_digest: string;
}

export interface ManifestChildrenTable {
  repository_id: Int8;
  manifest_digest: string;
  child_digest: string;
}

export interface TagsTable {
  repository_id: Int8;
  name: string;
  manifest_digest: string;
  updated_at: Int8;
}

export interface UploadsTable {
  id: string;
  repository: string;
  started_at: Int8;
  last_touched: Int8;
}

export interface MigrationsTable {
  name: string;
  applied_at: Int8;
}

export interface Schema {
  migrations: MigrationsTable;
  repositories: RepositoriesTable;
  blob_links: BlobLinksTable;
  manifests: ManifestsTable;
  manifest_blobs: ManifestBlobsTable;
  manifest_children: ManifestChildrenTable;
  tags: TagsTable;
  uploads: UploadsTable;
}

/** A `bigint` read back from either engine as a JS number. */
export function toInt(v: number | string | bigint): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new MamoriError(
      'INTERNAL',
      `state store returned a non-integer where an integer was stored: ${String(v)}`,
    );
  }
  return n;
}
