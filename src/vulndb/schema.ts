/**
 * The on-disk schema. The version lives in `PRAGMA user_version` (and in the
 * `meta` table, for people reading the file with sqlite3); the file is marked
 * as mamori's with `PRAGMA application_id`. Advisories are stored as JSON in
 * OSV's shape; `affected` indexes them by (ecosystem, package key).
 */
export const SCHEMA_VERSION = 1;

/** "mamo" as a big-endian 32-bit integer. */
export const APPLICATION_ID = 0x6d616d6f;

export const SCHEMA_SQL = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE source (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  records INTEGER NOT NULL,
  invalid INTEGER NOT NULL,
  newest TEXT,
  etag TEXT,
  last_modified TEXT,
  gen INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per record. OSV records are keyed by their id (unique across OSV,
-- whichever ecosystem zip brought them); distro records by (source, id, part)
-- where part is the source package the record is about.
CREATE TABLE advisory (
  rowid INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  part TEXT NOT NULL,
  modified TEXT,
  withdrawn TEXT,
  hash TEXT NOT NULL,
  gen INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE UNIQUE INDEX advisory_key ON advisory (id, source, part);

-- The lookup the matcher makes: every record naming a package in an ecosystem.
CREATE TABLE affected (
  ecosystem TEXT NOT NULL,
  package TEXT NOT NULL,
  advisory INTEGER NOT NULL,
  PRIMARY KEY (ecosystem, package, advisory)
) WITHOUT ROWID;
CREATE INDEX affected_advisory ON affected (advisory);
`;
