import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../../core/index.js';
import { BufferSource, FileSource } from '../../bytesource.js';
import { readBerkeleyDb, readRpmDb, type RpmDbContents } from './index.js';
import * as fx from './testdata/fixtures.js';

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

async function readFileDb(path: string): Promise<RpmDbContents> {
  const src = await FileSource.open(path);
  try {
    return await readRpmDb('bdb', src);
  } finally {
    await src.close();
  }
}

/** Reads a database from bytes; any exception other than a MamoriError fails the test. */
async function readBytes(bytes: Buffer): Promise<RpmDbContents | Error> {
  try {
    return await readRpmDb('bdb', new BufferSource(bytes));
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    return e;
  }
}

interface PageView {
  readonly type: number;
  readonly next: number;
  readonly offset: number;
}

/** Page types and links of a little-endian database, for the corruption tests. */
function pages(db: Buffer, pageSize: number): PageView[] {
  const out: PageView[] = [];
  for (let o = 0; o < db.length; o += pageSize)
    out.push({ type: db[o + 25] ?? 0, next: db.readUInt32LE(o + 16), offset: o });
  return out;
}

describe('readBerkeleyDb', () => {
  let dir = '';
  let blobs: Buffer[] = [];
  let expected: fx.Expected[] = [];
  before(async () => {
    dir = await fx.tempDir('bdb');
    const sqlite = await fx.makeSqliteDb(dir, await fx.buildRpms(dir), true);
    blobs = await fx.exportHeaders(sqlite);
    expected = await fx.rpmQuery(sqlite);
  });
  after(() => fx.removeDir(dir));

  for (const pageSize of [512, 4096, 65536] as const) {
    for (const bigEndian of [false, true]) {
      it(`reads a ${bigEndian ? 'big' : 'little'}-endian hash database with ${pageSize}-byte pages as rpm does`, async () => {
        const path = await fx.makeBdb(dir, blobs, { pageSize, bigEndian });
        // rpm's own read-only Berkeley DB backend sees the same packages as in the SQLite database.
        assert.deepEqual(await fx.rpmQuery(dirname(path), 'bdb_ro'), expected);
        const db = await readFileDb(path);
        assert.equal(db.dropped, 0);
        assert.equal(db.records, expected.length);
        assert.deepEqual(db.headers.map(fx.comparable).sort(byName), expected);
      });
    }
  }

  it('follows long overflow chains and reads items stored on the page', async () => {
    const small = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 512, bigEndian: false }));
    const overflow512 = pages(small, 512).filter((p) => p.type === 7).length;
    // The 94 KiB header of big-mamori alone needs more than 180 pages of 512 bytes.
    assert.ok(overflow512 > 180, `only ${overflow512} overflow pages`);
    const large = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 65536, bigEndian: false }));
    const overflow64k = pages(large, 65536).filter((p) => p.type === 7).length;
    // Fewer overflow pages than headers: the small headers sit on the hash pages themselves.
    assert.ok(overflow64k < blobs.length, `${overflow64k} overflow pages`);
    assert.equal(((await readBytes(large)) as RpmDbContents).headers.length, expected.length);
  });

  it('reads databases whose pages carry checksums', async () => {
    for (const bigEndian of [false, true]) {
      const path = await fx.makeBdb(dir, blobs, { pageSize: 4096, bigEndian, checksum: true });
      const db = await readFileDb(path);
      assert.equal(db.dropped, 0);
      assert.deepEqual(db.headers.map(fx.comparable).sort(byName), expected);
    }
  });

  it('rejects files that are not rpm hash databases with a clear error', async () => {
    const btree = await readFile(
      await fx.makeBdb(dir, blobs, { pageSize: 4096, bigEndian: false, type: 'btree' }),
    );
    await assert.rejects(readRpmDb('bdb', new BufferSource(btree)), /B-tree database/);
    await assert.rejects(readRpmDb('bdb', new BufferSource(Buffer.alloc(0))), /file too short/);
    await assert.rejects(
      readRpmDb('bdb', new BufferSource(Buffer.alloc(8192, 0x41))),
      /not a Berkeley DB hash database/,
    );
    const hash = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 4096, bigEndian: false }));
    const encrypted = Buffer.from(hash);
    encrypted[24] = 1;
    await assert.rejects(readRpmDb('bdb', new BufferSource(encrypted)), /encrypted/);
    const badPage = Buffer.from(hash);
    badPage.writeUInt32LE(3000, 20);
    await assert.rejects(readRpmDb('bdb', new BufferSource(badPage)), /bad page size 3000/);
  });

  it('drops the packages of a truncated database and keeps the rest', async () => {
    const db = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 512, bigEndian: false }));
    for (const keep of [0.3, 0.6, 0.9]) {
      const r = await readBytes(db.subarray(0, Math.floor(db.length * keep)));
      if (r instanceof Error) continue; // the hash pages themselves may be gone
      assert.ok(r.headers.length < expected.length);
      for (const h of r.headers) assert.ok(expected.some((e) => e.name === h.name));
    }
  });

  it('drops a package whose overflow chain loops, and stops', async () => {
    const path = await fx.makeBdb(dir, blobs, { pageSize: 512, bigEndian: false });
    const db = await readFile(path);
    const chained = pages(db, 512).find((p) => p.type === 7 && p.next !== 0);
    assert.ok(chained);
    db.writeUInt32LE(chained.offset / 512, chained.offset + 16); // the page points to itself
    await writeFile(join(dirname(path), 'Packages'), db);
    const r = await readFileDb(path);
    assert.equal(r.dropped, 1);
    assert.match(r.errors[0] ?? '', /used twice/);
    assert.equal(r.headers.length, expected.length - 1);
  });

  it('drops a package whose overflow page is not one', async () => {
    const db = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 512, bigEndian: false }));
    const ov = pages(db, 512).filter((p) => p.type === 7);
    const victim = ov[ov.length - 1];
    assert.ok(victim);
    db[victim.offset + 25] = 5;
    const r = await readBytes(db);
    assert.ok(!(r instanceof Error));
    assert.equal(r.dropped, 1);
    assert.match(r.errors[0] ?? '', /not an overflow page/);
  });

  it('yields error records for bad hash items and skips rpm’s instance counter', async () => {
    const db = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 4096, bigEndian: false }));
    const records = [];
    for await (const r of readBerkeleyDb(new BufferSource(db))) records.push(r);
    // key 0 (the instance counter) is not a package
    assert.ok(records.every((r) => r.key !== 0));
    assert.equal(records.length, blobs.length);
    const hashPage = pages(db, 4096).find((p) => p.type === 13 && db.readUInt16LE(p.offset + 20) > 0);
    assert.ok(hashPage);
    db.writeUInt16LE(1, hashPage.offset + 26); // first key offset now inside the index
    const bad = [];
    for await (const r of readBerkeleyDb(new BufferSource(db))) if ('error' in r) bad.push(r.error);
    assert.ok(bad.some((e) => /item offsets out of the page/.test(e)));
  });

  it('never hangs or throws anything but MamoriError on mutated databases (fuzz)', async () => {
    const base = await readFile(await fx.makeBdb(dir, blobs, { pageSize: 512, bigEndian: false }));
    const pageCount = base.length / 512;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            // a random byte anywhere
            fc.tuple(fc.constant('byte' as const), fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })),
            // a page header field (prev/next page, item count, free offset, type) or the first index slots
            fc.tuple(
              fc.constant('field' as const),
              fc.nat(pageCount - 1),
              fc.constantFrom(12, 16, 20, 22, 25, 26, 28, 30),
              fc.oneof(fc.nat(pageCount + 2), fc.constantFrom(0, 1, 0xffff, 0xffffffff)),
            ),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        fc.option(fc.nat(base.length)),
        async (mutations, cut) => {
          const db = Buffer.from(base);
          for (const m of mutations) {
            if (m[0] === 'byte') db[m[1]] = m[2];
            else {
              const at = m[1] * 512 + m[2];
              if (m[2] === 25) db[at] = m[3] & 0xff;
              else if (m[2] >= 20) db.writeUInt16LE(m[3] & 0xffff, at);
              else db.writeUInt32LE(m[3] >>> 0, at);
            }
          }
          await readBytes(cut === null ? db : db.subarray(0, cut));
        },
      ),
      { numRuns: 400 },
    );
  });
});
