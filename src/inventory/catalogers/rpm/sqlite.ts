/**
 * Reader for rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16): the table
 * `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`.
 *
 * The database is always copied into a private temporary directory first, so
 * SQLite never creates journal or shared-memory files beside the caller's
 * file, and the copy is switched from WAL to rollback-journal mode (header
 * bytes 18–19) so that it opens read-only without a `-shm` file. The copy is
 * removed afterwards.
 */
import { mkdtemp, open, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { isMamoriError, MamoriError } from '../../../core/index.js';
import type { ByteSource } from '../../cataloger.js';
import { badDb, MAX_HEADER_BLOB, type RpmDbRecord } from './record.js';

const WHAT = 'SQLite rpm database';
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const COPY_CHUNK = 1024 * 1024;

async function copyIn(input: string | Uint8Array | ByteSource, dest: string): Promise<void> {
  if (typeof input === 'string') {
    await copyFile(input, dest);
    return;
  }
  if (input instanceof Uint8Array) {
    await writeFile(dest, input);
    return;
  }
  const fh = await open(dest, 'w');
  try {
    for (let off = 0; off < input.size; off += COPY_CHUNK) {
      const chunk = await input.read(off, COPY_CHUNK);
      if (chunk.length === 0) break;
      await fh.write(chunk, 0, chunk.length, off);
    }
  } finally {
    await fh.close();
  }
}

/** Checks the SQLite magic and turns a WAL database into a rollback-journal one. */
async function prepareCopy(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const head = Buffer.alloc(100);
    const { bytesRead } = await fh.read(head, 0, 100, 0);
    if (bytesRead < 100 || !head.subarray(0, 16).equals(SQLITE_MAGIC))
      throw badDb(WHAT, 'not an SQLite database');
    if (head[18] === 2 || head[19] === 2) await fh.write(Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    await fh.close();
  }
}

function wrap(e: unknown): MamoriError {
  if (isMamoriError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new MamoriError('INVALID_ARGUMENT', `${WHAT}: ${msg}`, { cause: e });
}

function* rows(db: Database.Database): Generator<RpmDbRecord> {
  const kind = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").pluck().get();
  if (kind !== 'table') throw badDb(WHAT, 'no Packages table');
  const stmt = db.prepare('SELECT hnum, blob FROM Packages').raw(true);
  for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
    const [hnum, blob] = row;
    const key = typeof hnum === 'number' && Number.isSafeInteger(hnum) ? hnum : undefined;
    if (key === undefined) yield { error: 'hnum is not an integer' };
    else if (!Buffer.isBuffer(blob)) yield { key, error: 'blob is not a BLOB' };
    else if (blob.length > MAX_HEADER_BLOB) yield { key, error: `blob of ${blob.length} bytes is too large` };
    else yield { key, blob };
  }
}

/**
 * Yields every package header blob of an `rpmdb.sqlite`, given as a path, its
 * bytes or a ByteSource. Throws MamoriError when the file is not a readable
 * rpm SQLite database.
 */
export async function* readRpmSqlite(input: string | Uint8Array | ByteSource): AsyncGenerator<RpmDbRecord> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-rpm-'));
  try {
    const path = join(dir, 'rpmdb.sqlite');
    try {
      await copyIn(input, path);
    } catch (e) {
      throw new MamoriError(
        'IO',
        `${WHAT}: cannot copy the database: ${e instanceof Error ? e.message : String(e)}`,
        {
          cause: e,
        },
      );
    }
    await prepareCopy(path);
    let db: Database.Database;
    try {
      // Loaded on first use: most images have no rpm database.
      const { default: Sqlite } = await import('better-sqlite3');
      db = new Sqlite(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw wrap(e);
    }
    const it = rows(db);
    try {
      for (;;) {
        let next: IteratorResult<RpmDbRecord>;
        try {
          next = it.next();
        } catch (e) {
          throw wrap(e);
        }
        if (next.done === true) break;
        yield next.value;
      }
    } finally {
      it.return(undefined);
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
