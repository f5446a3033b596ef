/**
 * What the vulnerability database holds, as a fingerprint that changes when
 * its content does: its schema, record counts and, per source, the records,
 * the newest record date and the feed's ETag / Last-Modified. A `db update`
 * that only confirms the feeds are current leaves it unchanged, so it does
 * not trigger rescans. The file's size and mtime are checked first: the
 * database is opened only when they moved.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { openVulnDb } from '../../vulndb/index.js';

export interface DbVersion {
  /** sha256 (hex) of the content summary. */
  readonly fingerprint: string;
  /** Short form for summaries: the first 12 hex digits. */
  readonly version: string;
  /** When a source was last checked, as the database says. */
  readonly updatedAt?: string;
}

/** Remembers the last fingerprint per file state; one per service (no module state). */
export class DbWatcher {
  private last: { key: string; version: DbVersion | undefined } | undefined;

  constructor(readonly path: string) {}

  /** The current version, or undefined when there is no database file. */
  async current(): Promise<DbVersion | undefined> {
    const st = await stat(this.path).catch(() => undefined);
    if (!st?.isFile()) {
      this.last = undefined;
      return undefined;
    }
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (this.last?.key === key) return this.last.version;
    const version = await fingerprint(this.path).catch(() => undefined);
    this.last = { key, version };
    return version;
  }
}

async function fingerprint(path: string): Promise<DbVersion> {
  const db = await openVulnDb(path, { readonly: true });
  try {
    const s = db.status();
    const content = {
      schemaVersion: s.schemaVersion,
      advisories: s.advisories,
      withdrawn: s.withdrawn,
      sources: s.sources.map((x) => ({
        name: x.name,
        kind: x.kind,
        records: x.records,
        invalid: x.invalid,
        newest: x.newest ?? null,
        etag: x.etag ?? null,
        lastModified: x.lastModified ?? null,
      })),
    };
    const hex = createHash('sha256').update(JSON.stringify(content)).digest('hex');
    return {
      fingerprint: hex,
      version: hex.slice(0, 12),
      ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}),
    };
  } finally {
    db.close();
  }
}
