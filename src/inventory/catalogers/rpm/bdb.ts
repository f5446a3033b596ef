/**
 * Reader for rpm's legacy Berkeley DB `Packages` file (a BDB hash database,
 * versions 8–10 of the hash format, either byte order), read without
 * libdb: the metadata page, then every hash page in file order, each
 * key/data pair being a 4-byte package number and the header blob, stored on
 * the page or in a chain of overflow pages.
 *
 * Bounds: the page count comes from the file size, never only from the
 * metadata; each overflow page may serve one item only (so a chain cannot
 * loop and pages cannot be read twice); lengths are checked against the page
 * and the blob limit. A bad pair is reported as a dropped record.
 */
import type { ByteSource } from '../../cataloger.js';
import { badDb, MAX_HEADER_BLOB, type RpmDbRecord } from './record.js';

const WHAT = 'Berkeley DB rpm database';
const HASH_MAGIC = 0x00061561;
const BTREE_MAGIC = 0x00053162;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
/** Metadata flag: pages carry a checksum, which moves the item index from byte 26 to byte 32. */
const DBMETA_CHKSUM = 0x01;
/** How much of the file is read at once while scanning pages. */
const SCAN_CHUNK = 1024 * 1024;

interface Db {
  readonly source: ByteSource;
  readonly le: boolean;
  readonly pageSize: number;
  /** Size of a page header: where the item index (and overflow data) starts. */
  readonly hdr: number;
  /** Pages present in the file (page 0 is the metadata page). */
  readonly pages: number;
  /** Overflow pages already consumed by an item. */
  readonly used: Uint8Array;
}

function u32(db: Db, b: Buffer, o: number): number {
  return db.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
}

function u16(db: Db, b: Buffer, o: number): number {
  return db.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
}

async function openDb(source: ByteSource): Promise<Db> {
  const meta = await source.read(0, 512);
  if (meta.length < 512) throw badDb(WHAT, 'file too short');
  let le: boolean;
  if (meta.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (meta.readUInt32BE(12) === HASH_MAGIC) le = false;
  else if (meta.readUInt32LE(12) === BTREE_MAGIC || meta.readUInt32BE(12) === BTREE_MAGIC) {
    throw badDb(WHAT, 'a B-tree database, not the hash database rpm writes');
  } else throw badDb(WHAT, 'not a Berkeley DB hash database');
  const r32 = (o: number): number => (le ? meta.readUInt32LE(o) : meta.readUInt32BE(o));
  const version = r32(16);
  if (version < 8 || version > 10) throw badDb(WHAT, `unsupported hash version ${version}`);
  const pageSize = r32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw badDb(WHAT, `bad page size ${pageSize}`);
  }
  if (meta[24] !== 0) throw badDb(WHAT, 'encrypted databases are not supported');
  if (meta[25] !== P_HASHMETA) throw badDb(WHAT, 'first page is not a hash metadata page');
  const hdr = ((meta[26] ?? 0) & DBMETA_CHKSUM) !== 0 ? 32 : 26;
  const pages = Math.min(r32(32) + 1, Math.floor(source.size / pageSize));
  return { source, le, pageSize, hdr, pages, used: new Uint8Array(Math.max(pages, 0)) };
}

/** Follows an overflow chain; returns the item's bytes or why they cannot be read. */
async function readOverflow(db: Db, first: number, total: number): Promise<Buffer | string> {
  if (total === 0 || total > MAX_HEADER_BLOB) return `overflow item of ${total} bytes out of bounds`;
  if (total > db.pages * (db.pageSize - db.hdr)) return 'overflow item longer than the file';
  const out = Buffer.allocUnsafe(total);
  let got = 0;
  let pgno = first;
  while (got < total) {
    if (pgno === 0 || pgno >= db.pages) return `overflow chain leaves the file (page ${pgno})`;
    if (db.used[pgno] === 1) return `overflow page ${pgno} used twice`;
    db.used[pgno] = 1;
    const page = await db.source.read(pgno * db.pageSize, db.pageSize);
    if (page.length < db.pageSize) return `overflow page ${pgno} truncated`;
    if (u32(db, page, 8) !== pgno || page[25] !== P_OVERFLOW) return `page ${pgno} is not an overflow page`;
    const len = u16(db, page, 22);
    if (len === 0 || db.hdr + len > db.pageSize || len > total - got)
      return `bad length on overflow page ${pgno}`;
    page.copy(out, got, db.hdr, db.hdr + len);
    got += len;
    pgno = u32(db, page, 16);
  }
  return out;
}

/** One key/data pair of a hash page, with the data not yet resolved. */
interface Pair {
  readonly key: number;
  readonly dataOff: number;
  readonly dataLen: number;
}

/** Lists a hash page's pairs; a malformed pair is returned as an error string. */
function pagePairs(db: Db, page: Buffer): (Pair | string)[] {
  const n = u16(db, page, 20);
  if (n > (db.pageSize - db.hdr) / 2) return [`hash page ${u32(db, page, 8)} has a bad item count`];
  const minOff = db.hdr + n * 2;
  const inp = (i: number): number => u16(db, page, db.hdr + i * 2);
  const out: (Pair | string)[] = [];
  for (let i = 0; i + 1 < n; i += 2) {
    const koff = inp(i);
    const voff = inp(i + 1);
    const kend = i === 0 ? db.pageSize : inp(i - 1);
    if (koff < minOff || voff < minOff || kend > db.pageSize || koff >= kend || voff >= koff) {
      out.push('item offsets out of the page');
      continue;
    }
    if (page[koff] !== H_KEYDATA || kend - koff !== 5) {
      out.push('key is not a 4-byte package number');
      continue;
    }
    out.push({ key: u32(db, page, koff + 1), dataOff: voff, dataLen: koff - voff });
  }
  return out;
}

async function pairData(db: Db, page: Buffer, pair: Pair): Promise<Buffer | string> {
  const type = page[pair.dataOff];
  if (type === H_KEYDATA) {
    return Buffer.from(page.subarray(pair.dataOff + 1, pair.dataOff + pair.dataLen));
  }
  if (type === H_OFFPAGE) {
    if (pair.dataLen < 12) return 'short off-page item';
    return readOverflow(db, u32(db, page, pair.dataOff + 4), u32(db, page, pair.dataOff + 8));
  }
  return `unsupported item type ${type ?? -1}`;
}

/**
 * Yields every package header blob of a Berkeley DB `Packages` file. Throws
 * MamoriError when the file is not a readable BDB hash database; a bad item
 * is yielded as an error record.
 */
export async function* readBerkeleyDb(source: ByteSource): AsyncGenerator<RpmDbRecord> {
  const db = await openDb(source);
  const perChunk = Math.max(1, Math.floor(SCAN_CHUNK / db.pageSize));
  for (let first = 1; first < db.pages; first += perChunk) {
    const count = Math.min(perChunk, db.pages - first);
    const chunk = await source.read(first * db.pageSize, count * db.pageSize);
    for (let i = 0; i < count; i++) {
      const pgno = first + i;
      const page = chunk.subarray(i * db.pageSize, (i + 1) * db.pageSize);
      if (page.length < db.pageSize) break;
      if (page[25] !== P_HASH && page[25] !== P_HASH_UNSORTED) continue;
      if (u32(db, page, 8) !== pgno) continue;
      for (const pair of pagePairs(db, page)) {
        if (typeof pair === 'string') {
          yield { error: `page ${pgno}: ${pair}` };
          continue;
        }
        // Package number 0 holds rpm's instance counter, not a header.
        if (pair.key === 0) continue;
        const data = await pairData(db, page, pair);
        yield typeof data === 'string' ? { key: pair.key, error: data } : { key: pair.key, blob: data };
      }
    }
  }
}
