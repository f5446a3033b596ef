/**
 * The vulnerability database file: opening (with schema checks and recovery
 * of an interrupted import), and the pure reads the matcher and `db status`
 * make. Writing goes through an `ImportSession` (session.ts).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { MamoriError } from '../core/index.js';
import { packageKey } from './names.js';
import { APPLICATION_ID, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { ImportSession, type SessionSpec } from './session.js';
import type { Advisory, DbStatus, EcosystemCount, SourceInfo, SourceKind } from './types.js';

export interface OpenOptions {
  /** Open for reading only (the matcher); the file must exist. Default false: created when missing. */
  readonly readonly?: boolean;
  /** How long to wait for another process's import to finish before giving up; default 30 s. */
  readonly busyTimeoutMs?: number;
  /** Page cache of a writing connection, in KiB; default 65536. Beyond it, an import spills to the file early. */
  readonly cacheKiB?: number;
}

export interface LookupOptions {
  /** Also return withdrawn records; default false. */
  readonly includeWithdrawn?: boolean;
}

interface SourceRow {
  name: string;
  kind: SourceKind;
  location: string;
  imported_at: string;
  checked_at: string;
  records: number;
  invalid: number;
  newest: string | null;
  etag: string | null;
  last_modified: string | null;
}

function sqliteCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

/**
 * A SQLite error as a MamoriError. The message carries the cause's own text,
 * so the cause is not attached again (the CLI would print it twice).
 */
function wrap(path: string, e: unknown): MamoriError {
  if (e instanceof MamoriError) return e;
  const code = sqliteCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new MamoriError('INVALID_ARGUMENT', `${path} is not a usable vulnerability database (${msg})`);
  }
  if (code === 'SQLITE_BUSY') {
    return new MamoriError('IO', `${path} is locked by another import; try again when it has finished`);
  }
  return new MamoriError('IO', `vulnerability database ${path}: ${msg}`);
}

/** Opens (and, for writing, creates) the vulnerability database at `path`. */
export async function openVulnDb(path: string, options: OpenOptions = {}): Promise<VulnDb> {
  const readonly = options.readonly === true;
  const timeout = options.busyTimeoutMs ?? 30_000;
  let Sqlite: typeof Database;
  try {
    // Loaded on first use: commands that never touch the database do not pay for it.
    ({ default: Sqlite } = await import('better-sqlite3'));
  } catch (e) {
    throw new MamoriError('INTERNAL', `cannot load the SQLite binding better-sqlite3: ${String(e)}`);
  }
  if (readonly && !statSync(path, { throwIfNoEntry: false })?.isFile()) {
    throw new MamoriError(
      'NOT_FOUND',
      `no vulnerability database at ${path}; run "mamori db update" or "mamori db import FILE" first`,
    );
  }
  const open = (ro: boolean): Database.Database => {
    if (!ro) mkdirSync(dirname(path), { recursive: true });
    const conn = new Sqlite(path, { readonly: ro, fileMustExist: ro, timeout });
    try {
      // The first read rolls back a hot journal left by an interrupted import, or fails doing so.
      conn.pragma('schema_version', { simple: true });
      return conn;
    } catch (e) {
      conn.close();
      throw e;
    }
  };
  let conn: Database.Database;
  try {
    try {
      conn = open(readonly);
    } catch (e) {
      if (!readonly || !sqliteCode(e).startsWith('SQLITE_READONLY')) throw e;
      // An import was interrupted: its journal must be rolled back before the file can be read.
      try {
        open(false).close();
      } catch (e2) {
        throw new MamoriError(
          'IO',
          `an interrupted import left ${path}-journal, which only a user who may write ${path} can roll back; run "mamori db status" as that user`,
          { cause: e2 },
        );
      }
      conn = open(true);
    }
  } catch (e) {
    throw wrap(path, e);
  }
  try {
    prepare(conn, path, readonly, options.cacheKiB ?? 65536);
  } catch (e) {
    conn.close();
    throw wrap(path, e);
  }
  return new VulnDb(conn, path, readonly);
}

function prepare(conn: Database.Database, path: string, readonly: boolean, cacheKiB: number): void {
  const appId = conn.pragma('application_id', { simple: true }) as number;
  const version = conn.pragma('user_version', { simple: true }) as number;
  const tables = (conn.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n;
  if (appId === 0 && version === 0 && tables === 0) {
    if (readonly)
      throw new MamoriError('INVALID_ARGUMENT', `${path} is an empty file, not a vulnerability database`);
    create(conn);
  } else if (appId !== APPLICATION_ID) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${path} is a SQLite file but not a mamori vulnerability database`,
    );
  } else if (version > SCHEMA_VERSION) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${path} has schema version ${version}, written by a newer mamori (this one reads up to ${SCHEMA_VERSION}); upgrade mamori or use another --db`,
    );
  } else if (version < SCHEMA_VERSION) {
    throw new MamoriError(
      'INVALID_ARGUMENT',
      `${path} has schema version ${version}, older than this mamori's ${SCHEMA_VERSION}; delete it and run "mamori db update"`,
    );
  }
  if (readonly) {
    conn.pragma('mmap_size = 268435456');
  } else {
    conn.pragma('journal_mode = DELETE');
    conn.pragma('synchronous = NORMAL');
    conn.pragma(`cache_size = -${Math.max(64, Math.floor(cacheKiB))}`);
    conn.pragma('temp_store = MEMORY');
  }
}

function create(conn: Database.Database): void {
  conn.pragma('journal_mode = DELETE');
  conn.pragma('page_size = 8192');
  conn.transaction(() => {
    conn.exec(SCHEMA_SQL);
    const meta = conn.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    meta.run('schema_version', String(SCHEMA_VERSION));
    meta.run('created_at', new Date().toISOString());
    meta.run('format', 'OSV records as JSON; see https://ossf.github.io/osv-schema/');
    conn.pragma(`application_id = ${APPLICATION_ID}`);
    conn.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function toSource(r: SourceRow): SourceInfo {
  return {
    name: r.name,
    kind: r.kind,
    location: r.location,
    importedAt: r.imported_at,
    checkedAt: r.checked_at,
    records: r.records,
    invalid: r.invalid,
    ...(r.newest ? { newest: r.newest } : {}),
    ...(r.etag ? { etag: r.etag } : {}),
    ...(r.last_modified ? { lastModified: r.last_modified } : {}),
  };
}

/** Names per batched lookup statement. */
const BATCH = 2000;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class VulnDb {
  private session: ImportSession | undefined;
  private readonly lookup: Database.Statement<[string, string, number], { data: string }>;
  private readonly byIdStmt: Database.Statement<[string], { data: string }>;
  private readonly lookupMany: Database.Statement<
    [string, string, number],
    { package: string; id: string; source: string; part: string; data: string }
  >;

  constructor(
    private readonly conn: Database.Database,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    this.lookup = conn.prepare(
      `SELECT a.data FROM affected f JOIN advisory a ON a.rowid = f.advisory
       WHERE f.ecosystem = ? AND f.package = ? AND (a.withdrawn IS NULL OR ?)
       ORDER BY a.id, a.source, a.part`,
    );
    this.byIdStmt = conn.prepare('SELECT data FROM advisory WHERE id = ? ORDER BY source, part');
    this.lookupMany = conn.prepare(
      `SELECT f.package, a.id, a.source, a.part, a.data FROM affected f JOIN advisory a ON a.rowid = f.advisory
       WHERE f.ecosystem = ? AND f.package IN (SELECT value FROM json_each(?)) AND (a.withdrawn IS NULL OR ?)`,
    );
  }

  /**
   * Every record that names `packageName` in `ecosystem` (spelled as OSV does:
   * `Debian:12`, `Go`, `PyPI`, `Alpine:v3.11`); names are compared per
   * ecosystem (see `packageKey`). Withdrawn records are left out unless asked for.
   */
  advisoriesFor(ecosystem: string, packageName: string, options: LookupOptions = {}): Advisory[] {
    const rows = this.read(() =>
      this.lookup.all(ecosystem, packageKey(ecosystem, packageName), options.includeWithdrawn ? 1 : 0),
    );
    return rows.map((r) => JSON.parse(r.data) as Advisory);
  }

  /**
   * `advisoriesFor` for many packages of one ecosystem in a few queries (the
   * matcher's path: one statement per 2,000 names instead of one per
   * package). Keyed by the names as given; names without records are absent.
   */
  advisoriesForMany(
    ecosystem: string,
    packageNames: readonly string[],
    options: LookupOptions = {},
  ): Map<string, Advisory[]> {
    const byKey = new Map<string, string[]>();
    for (const n of packageNames) {
      const k = packageKey(ecosystem, n);
      const names = byKey.get(k);
      if (names) names.push(n);
      else byKey.set(k, [n]);
    }
    const keys = [...byKey.keys()];
    const rowsByKey = new Map<string, { id: string; source: string; part: string; data: string }[]>();
    this.read(() => {
      for (let i = 0; i < keys.length; i += BATCH) {
        const chunk = JSON.stringify(keys.slice(i, i + BATCH));
        for (const r of this.lookupMany.all(ecosystem, chunk, options.includeWithdrawn ? 1 : 0)) {
          const list = rowsByKey.get(r.package);
          if (list) list.push(r);
          else rowsByKey.set(r.package, [r]);
        }
      }
    });
    const out = new Map<string, Advisory[]>();
    for (const [k, rows] of rowsByKey) {
      rows.sort((a, b) => cmp(a.id, b.id) || cmp(a.source, b.source) || cmp(a.part, b.part));
      const advisories = rows.map((r) => JSON.parse(r.data) as Advisory);
      for (const n of byKey.get(k) ?? []) out.set(n, advisories);
    }
    return out;
  }

  /** Every record with this id (one per source, and per package for distro feeds). */
  advisoriesById(id: string): Advisory[] {
    return this.read(() => this.byIdStmt.all(id)).map((r) => JSON.parse(r.data) as Advisory);
  }

  /** One imported source, by name. */
  source(name: string): SourceInfo | undefined {
    const r = this.read(() => this.conn.prepare('SELECT * FROM source WHERE name = ?').get(name)) as
      SourceRow | undefined;
    return r ? toSource(r) : undefined;
  }

  /** Sources, counts per ecosystem, size and age. */
  status(): DbStatus {
    return this.read(() => {
      const count = (sql: string) => (this.conn.prepare(sql).get() as { n: number }).n;
      const sources = (this.conn.prepare('SELECT * FROM source ORDER BY name').all() as SourceRow[]).map(
        toSource,
      );
      const ecosystems = this.conn
        .prepare(
          `SELECT ecosystem, count(DISTINCT package) AS packages, count(*) AS entries
           FROM affected GROUP BY ecosystem ORDER BY ecosystem`,
        )
        .all() as EcosystemCount[];
      const updatedAt = sources
        .map((s) => s.checkedAt)
        .sort()
        .at(-1);
      const pages =
        (this.conn.pragma('page_count', { simple: true }) as number) *
        (this.conn.pragma('page_size', { simple: true }) as number);
      return {
        path: this.path,
        schemaVersion: this.conn.pragma('user_version', { simple: true }) as number,
        sizeBytes: pages,
        advisories: count('SELECT count(*) AS n FROM advisory'),
        withdrawn: count('SELECT count(*) AS n FROM advisory WHERE withdrawn IS NOT NULL'),
        sources,
        ecosystems,
        ...(updatedAt ? { updatedAt } : {}),
      };
    });
  }

  /**
   * Starts the one import this handle may run at a time: a transaction that
   * commits everything the source brings, or nothing.
   */
  beginImport(spec: SessionSpec): ImportSession {
    if (this.readonly) throw new MamoriError('INVALID_ARGUMENT', `${this.path} was opened read-only`);
    if (this.session?.open)
      throw new MamoriError('INVALID_ARGUMENT', 'another import is running on this database');
    try {
      this.session = new ImportSession(this.conn, spec);
    } catch (e) {
      throw wrap(this.path, e);
    }
    return this.session;
  }

  /** Records that a source was checked and found current (an HTTP 304), without importing. */
  markChecked(name: string, at: Date = new Date()): void {
    this.read(() =>
      this.conn.prepare('UPDATE source SET checked_at = ? WHERE name = ?').run(at.toISOString(), name),
    );
  }

  close(): void {
    if (this.session?.open) this.session.rollback();
    this.conn.close();
  }

  private read<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw wrap(this.path, e);
    }
  }
}
