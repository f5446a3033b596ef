import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isMamoriError } from '../../../core/index.js';
import { BufferSource, FileSource } from '../../bytesource.js';
import { parseRpmHeader, readRpmDb, readRpmSqlite, type RpmDbRecord } from './index.js';
import * as fx from './testdata/fixtures.js';
import { basicEntries, encodeHeader } from './testdata/header-writer.js';

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

async function collect(input: Parameters<typeof readRpmSqlite>[0]): Promise<RpmDbRecord[]> {
  const out: RpmDbRecord[] = [];
  for await (const r of readRpmSqlite(input)) out.push(r);
  return out;
}

function headersOf(records: readonly RpmDbRecord[]): fx.Expected[] {
  return records
    .flatMap((r) => ('blob' in r ? [parseRpmHeader(r.blob)] : []))
    .map(fx.comparable)
    .sort(byName);
}

/** Runs `fn` with os.tmpdir() pointing at a private directory; returns what is left in it afterwards. */
async function leftovers(dir: string, fn: () => Promise<unknown>): Promise<string[]> {
  const tmp = join(dir, `tmp-${Math.random().toString(36).slice(2)}`);
  await mkdir(tmp);
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = tmp;
  try {
    await fn().catch(() => undefined);
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
  return readdir(tmp);
}

describe('readRpmSqlite', () => {
  let dir = '';
  let dbFile = '';
  let expected: fx.Expected[] = [];
  before(async () => {
    dir = await fx.tempDir('sqlite');
    const dbpath = await fx.makeSqliteDb(dir, await fx.buildRpms(dir), true);
    expected = await fx.rpmQuery(dbpath);
    // The database file alone, as an image layer carries it (no -wal or -shm beside it).
    await mkdir(join(dir, 'alone'));
    dbFile = join(dir, 'alone', 'rpmdb.sqlite');
    await copyFile(join(dbpath, 'rpmdb.sqlite'), dbFile);
  });
  after(() => fx.removeDir(dir));

  it('reads the database rpm wrote, from a path, bytes or a ByteSource', async () => {
    const bytes = await readFile(dbFile);
    assert.equal(bytes[18], 2, 'rpm writes its SQLite database in WAL mode');
    assert.deepEqual(headersOf(await collect(dbFile)), expected);
    assert.deepEqual(headersOf(await collect(bytes)), expected);
    const src = await FileSource.open(dbFile);
    try {
      assert.deepEqual(headersOf(await collect(src)), expected);
    } finally {
      await src.close();
    }
  });

  it('writes nothing beside the caller’s file and leaves nothing in the temporary directory', async () => {
    const before = await readFile(dbFile);
    const left = await leftovers(dir, () => collect(dbFile));
    assert.deepEqual(left, []);
    assert.deepEqual(await readdir(join(dir, 'alone')), ['rpmdb.sqlite']);
    assert.ok((await readFile(dbFile)).equals(before));
    // Also when the reader is abandoned early or fails.
    const early = await leftovers(dir, async () => {
      for await (const _ of readRpmSqlite(dbFile)) break;
    });
    assert.deepEqual(early, []);
    assert.deepEqual(await leftovers(dir, () => collect(Buffer.from('not a database'))), []);
  });

  it('rejects files that are not an rpm SQLite database with a clear error', async () => {
    await assert.rejects(
      collect(Buffer.from('SQLite format 2\0'.padEnd(200, 'x'))),
      /not an SQLite database/,
    );
    await assert.rejects(collect(Buffer.alloc(0)), /not an SQLite database/);
    await assert.rejects(collect(join(dir, 'does-not-exist')), (e) => isMamoriError(e, 'IO'));

    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE Names (key TEXT)');
    // A view that would never end if it were read.
    db.exec(
      'CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, x AS blob FROM c',
    );
    db.close();
    await assert.rejects(collect(other), /no Packages table/);
  });

  it('reports a truncated database as an error, without crashing', async () => {
    const bytes = await readFile(dbFile);
    for (const keep of [100, 4096, Math.floor(bytes.length / 2)]) {
      try {
        const recs = await collect(bytes.subarray(0, keep));
        assert.ok(recs.length <= expected.length);
      } catch (e) {
        assert.ok(isMamoriError(e), String(e));
      }
    }
  });

  it('drops rows that hold no valid header and keeps the others', async () => {
    const mixed = join(dir, 'mixed.sqlite');
    const db = new Database(mixed);
    db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
    const ins = db.prepare('INSERT INTO Packages (hnum, blob) VALUES (?, ?)');
    ins.run(1, encodeHeader(basicEntries('good', '1', '1')));
    ins.run(2, 'text, not a blob');
    ins.run(3, Buffer.from([0, 0, 0, 1, 0, 0, 0, 200]));
    db.close();
    const r = await readRpmDb('sqlite', new BufferSource(await readFile(mixed)));
    assert.deepEqual(
      r.headers.map((h) => h.name),
      ['good'],
    );
    assert.equal(r.records, 3);
    assert.equal(r.dropped, 2);
    assert.match(r.errors.join('\n'), /package 2: blob is not a BLOB/);
    assert.match(r.errors.join('\n'), /package 3: rpm header: truncated/);
  });
});
