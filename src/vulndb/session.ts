/**
 * One import: a single transaction that puts a source's records into the
 * database, decides per record whether it is new, changed, unchanged or
 * older than what is stored, and on commit removes what a distro feed no
 * longer lists and records the source. Rolling back (or the process dying)
 * leaves the database exactly as it was.
 */
import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { packageKey } from './names.js';
import type { Advisory, ImportReport, SourceKind } from './types.js';

export interface SessionSpec {
  /** The source's name (`osv:Go`, `alpine-secdb:v3.11-main`, `debian-tracker`). */
  readonly name: string;
  readonly kind: SourceKind;
  readonly location: string;
  /**
   * The feed is the whole truth for the records whose `source` is `name`:
   * records it no longer lists are removed on commit. False for OSV, whose
   * records may arrive from several zips and are withdrawn, not deleted.
   */
  readonly owned: boolean;
}

export interface CommitExtra {
  readonly etag?: string;
  readonly lastModified?: string;
  /** The time recorded as import time; default now. */
  readonly at?: Date;
}

const MAX_PROBLEMS = 20;

type Outcome = 'added' | 'updated' | 'unchanged' | 'older';

interface Existing {
  rowid: number;
  modified: string | null;
  hash: string;
}

export class ImportSession {
  private readonly started = Date.now();
  private readonly gen: number;
  private readonly counts = { records: 0, added: 0, updated: 0, unchanged: 0, older: 0, invalid: 0 };
  private readonly problems: string[] = [];
  private newest: string | undefined;
  private state: 'open' | 'committed' | 'rolled back' = 'open';
  private readonly find: Database.Statement<[string, string, string], Existing>;
  private readonly insert: Database.Statement<unknown[]>;
  /** First import of this source: most records are new, so insert before looking. */
  private readonly firstImport: boolean;
  private readonly update: Database.Statement<unknown[]>;
  private readonly touch: Database.Statement<[number, number]>;
  private readonly addAffected: Database.Statement<[string, string, number]>;
  private readonly dropAffected: Database.Statement<[number]>;

  constructor(
    private readonly conn: Database.Database,
    private readonly spec: SessionSpec,
  ) {
    // IMMEDIATE: take the write lock now, so two imports never interleave.
    conn.exec('BEGIN IMMEDIATE');
    try {
      const prev = conn.prepare('SELECT gen FROM source WHERE name = ?').get(spec.name) as
        { gen: number } | undefined;
      this.gen = (prev?.gen ?? 0) + 1;
      this.firstImport = prev === undefined;
      this.find = conn.prepare(
        'SELECT rowid, modified, hash FROM advisory WHERE id = ? AND source = ? AND part = ?',
      );
      this.insert = conn.prepare(
        `INSERT INTO advisory (source, id, part, modified, withdrawn, hash, gen, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id, source, part) DO NOTHING`,
      );
      this.update = conn.prepare(
        'UPDATE advisory SET modified = ?, withdrawn = ?, hash = ?, gen = ?, data = ? WHERE rowid = ?',
      );
      this.touch = conn.prepare('UPDATE advisory SET gen = ? WHERE rowid = ?');
      this.addAffected = conn.prepare(
        'INSERT OR IGNORE INTO affected (ecosystem, package, advisory) VALUES (?, ?, ?)',
      );
      this.dropAffected = conn.prepare('DELETE FROM affected WHERE advisory = ?');
    } catch (e) {
      conn.exec('ROLLBACK');
      throw e;
    }
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /**
   * Stores one record. `part` tells apart records of one id from a distro
   * feed (one per source package); OSV records leave it empty.
   */
  put(adv: Advisory, part = ''): Outcome {
    const data = JSON.stringify(adv);
    this.counts.records++;
    if (adv.modified && (!this.newest || adv.modified > this.newest)) this.newest = adv.modified;
    const digest = hash('sha1', data, 'base64');
    const row = [
      adv.source,
      adv.id,
      part,
      adv.modified ?? null,
      adv.withdrawn ?? null,
      digest,
      this.gen,
      data,
    ];
    if (this.firstImport) {
      const r = this.insert.run(...row);
      if (r.changes === 1) return this.added(adv, Number(r.lastInsertRowid));
    }
    const old = this.find.get(adv.id, adv.source, part);
    if (!old) return this.added(adv, Number(this.insert.run(...row).lastInsertRowid));
    let outcome: Outcome;
    if (old.hash === digest) {
      outcome = 'unchanged';
      if (this.spec.owned) this.touch.run(this.gen, old.rowid);
    } else if (adv.modified && old.modified && adv.modified < old.modified) {
      outcome = 'older';
      if (this.spec.owned) this.touch.run(this.gen, old.rowid);
    } else {
      this.update.run(adv.modified ?? null, adv.withdrawn ?? null, digest, this.gen, data, old.rowid);
      this.dropAffected.run(old.rowid);
      this.index(adv, old.rowid);
      outcome = 'updated';
    }
    this.counts[outcome]++;
    return outcome;
  }

  private added(adv: Advisory, rowid: number): Outcome {
    this.index(adv, rowid);
    this.counts.added++;
    return 'added';
  }

  /** The lookup rows of a record: one per (ecosystem, package key) it names. */
  private index(adv: Advisory, rowid: number): void {
    for (const a of adv.affected)
      this.addAffected.run(a.ecosystem, packageKey(a.ecosystem, a.package), rowid);
  }

  /** Counts a malformed record that was skipped, keeping the first reasons for the report. */
  skip(reason: string): void {
    this.counts.invalid++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(reason);
  }

  /** Number of records handled so far (valid and invalid). */
  get handled(): number {
    return this.counts.records + this.counts.invalid;
  }

  commit(extra: CommitExtra = {}): ImportReport {
    this.assertOpen();
    const at = (extra.at ?? new Date()).toISOString();
    let removed = 0;
    try {
      if (this.spec.owned) {
        const stale = this.conn
          .prepare('SELECT rowid FROM advisory WHERE source = ? AND gen < ?')
          .pluck()
          .all(this.spec.name, this.gen) as number[];
        const del = this.conn.prepare('DELETE FROM advisory WHERE rowid = ?');
        for (const rowid of stale) {
          this.dropAffected.run(rowid);
          del.run(rowid);
        }
        removed = stale.length;
      }
      this.conn
        .prepare(
          `INSERT INTO source (name, kind, location, imported_at, checked_at, records, invalid, newest, etag, last_modified, gen)
           VALUES (@name, @kind, @location, @at, @at, @records, @invalid, @newest, @etag, @lastModified, @gen)
           ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
             imported_at = excluded.imported_at, checked_at = excluded.checked_at, records = excluded.records,
             invalid = excluded.invalid, newest = excluded.newest, etag = excluded.etag,
             last_modified = excluded.last_modified, gen = excluded.gen`,
        )
        .run({
          name: this.spec.name,
          kind: this.spec.kind,
          location: this.spec.location,
          at,
          records: this.counts.records,
          invalid: this.counts.invalid,
          newest: this.newest ?? null,
          etag: extra.etag ?? null,
          lastModified: extra.lastModified ?? null,
          gen: this.gen,
        });
      this.conn.exec('COMMIT');
      this.state = 'committed';
    } catch (e) {
      this.rollback();
      throw e;
    }
    return {
      source: this.spec.name,
      kind: this.spec.kind,
      location: this.spec.location,
      ...this.counts,
      removed,
      problems: [...this.problems],
      durationMs: Date.now() - this.started,
    };
  }

  rollback(): void {
    if (this.state !== 'open') return;
    this.state = 'rolled back';
    if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`import session already ${this.state}`);
  }
}
