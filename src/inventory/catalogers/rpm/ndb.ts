/**
 * Reader for rpm's native `Packages.db` (the "ndb" backend, used by SUSE):
 * a 32-byte file header, `slotnpages` 4 KiB pages of 16-byte slots
 * (package number, block offset, block count, in 16-byte blocks), then the
 * blobs, each framed by a head (magic, package number, timestamp, length)
 * and a tail (checksum, length, magic). All integers are little-endian.
 *
 * Bounds: slot pages must lie in the file, a blob must lie in the file after
 * the slot pages, must not overlap the previous one and must fit the blob
 * limit; its frame must agree with its slot. A bad slot is reported as a
 * dropped record. Like rpm, the blob checksum is not verified on read.
 */
import type { ByteSource } from '../../cataloger.js';
import { MamoriError } from '../../../core/index.js';
import { badDb, MAX_HEADER_BLOB, MAX_PACKAGES, type RpmDbRecord } from './record.js';

const WHAT = 'NDB rpm database';
const magic = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);
const PKGDB_MAGIC = magic('RpmP');
const SLOT_MAGIC = magic('Slot');
const BLOBHEAD_MAGIC = magic('BlbS');
const BLOBTAIL_MAGIC = magic('BlbE');
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const HEADER_SIZE = 32;
const BLOBHEAD_SIZE = 16;
const BLOBTAIL_SIZE = 12;
/** Slot pages read at once. */
const SLOT_PAGES_PER_READ = 64;
/** Most slot pages accepted (a million slots; rpm adds a page per 256 packages and never removes one). */
const MAX_SLOT_PAGES = 4096;

interface Slot {
  readonly pkgidx: number;
  readonly blkoff: number;
  readonly blkcnt: number;
}

async function readSlots(source: ByteSource, slotPages: number): Promise<(Slot | string)[]> {
  const out: (Slot | string)[] = [];
  for (let first = 0; first < slotPages; first += SLOT_PAGES_PER_READ) {
    const count = Math.min(SLOT_PAGES_PER_READ, slotPages - first);
    const buf = await source.read(first * PAGE_SIZE, count * PAGE_SIZE);
    if (buf.length < count * PAGE_SIZE) throw badDb(WHAT, 'slot pages truncated');
    for (let page = 0; page < count; page++) {
      let badSlots = 0;
      // The first two slot positions of page 0 hold the file header.
      for (let o = first + page === 0 ? HEADER_SIZE : 0; o < PAGE_SIZE; o += SLOT_SIZE) {
        const p = page * PAGE_SIZE + o;
        if (buf.readUInt32LE(p) !== SLOT_MAGIC) {
          badSlots++;
          continue;
        }
        const blkoff = buf.readUInt32LE(p + 8);
        if (blkoff === 0) continue; // free slot
        out.push({ pkgidx: buf.readUInt32LE(p + 4), blkoff, blkcnt: buf.readUInt32LE(p + 12) });
      }
      if (badSlots > 0) out.push(`slot page ${first + page}: ${badSlots} slots with a bad magic`);
    }
  }
  return out;
}

/** Reads one blob and checks its frame against the slot; returns the header bytes or why not. */
async function readBlob(source: ByteSource, slot: Slot): Promise<Buffer | string> {
  const buf = await source.read(slot.blkoff * BLK_SIZE, slot.blkcnt * BLK_SIZE);
  if (buf.length !== slot.blkcnt * BLK_SIZE) return 'blob truncated';
  if (buf.readUInt32LE(0) !== BLOBHEAD_MAGIC) return 'bad blob head magic';
  if (buf.readUInt32LE(4) !== slot.pkgidx) return 'blob belongs to another package';
  const len = buf.readUInt32LE(12);
  if (Math.ceil((BLOBHEAD_SIZE + len + BLOBTAIL_SIZE) / BLK_SIZE) !== slot.blkcnt)
    return 'blob length disagrees with its slot';
  const tail = buf.length - BLOBTAIL_SIZE;
  if (buf.readUInt32LE(tail + 4) !== len || buf.readUInt32LE(tail + 8) !== BLOBTAIL_MAGIC)
    return 'bad blob tail';
  return buf.subarray(BLOBHEAD_SIZE, BLOBHEAD_SIZE + len);
}

/**
 * Yields every package header blob of an NDB `Packages.db`, in file order.
 * Throws MamoriError when the file is not a readable NDB database; a bad slot
 * or blob is yielded as an error record.
 */
export async function* readNdb(source: ByteSource): AsyncGenerator<RpmDbRecord> {
  const head = await source.read(0, HEADER_SIZE);
  if (head.length < HEADER_SIZE || head.readUInt32LE(0) !== PKGDB_MAGIC) throw badDb(WHAT, 'bad magic');
  const version = head.readUInt32LE(4);
  if (version !== 0) throw badDb(WHAT, `unsupported version ${version}`);
  const slotPages = head.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES || slotPages * PAGE_SIZE > source.size) {
    throw badDb(WHAT, `bad slot page count ${slotPages}`);
  }

  const fileBlks = Math.floor(source.size / BLK_SIZE);
  const maxBlks = Math.ceil((BLOBHEAD_SIZE + MAX_HEADER_BLOB + BLOBTAIL_SIZE) / BLK_SIZE);
  const slots = await readSlots(source, slotPages);
  for (const s of slots) if (typeof s === 'string') yield { error: s };
  const valid = slots.filter((s): s is Slot => typeof s !== 'string').sort((a, b) => a.blkoff - b.blkoff);
  if (valid.length > MAX_PACKAGES) {
    throw new MamoriError('LIMIT_EXCEEDED', `${WHAT}: more than ${MAX_PACKAGES} packages`);
  }
  let lastEnd = slotPages * (PAGE_SIZE / BLK_SIZE);
  for (const slot of valid) {
    const fail = (error: string): RpmDbRecord => ({ key: slot.pkgidx, error });
    if (slot.pkgidx === 0 || slot.blkcnt * BLK_SIZE < BLOBHEAD_SIZE + BLOBTAIL_SIZE) yield fail('bad slot');
    else if (slot.blkcnt > maxBlks) yield fail('blob larger than the header limit');
    else if (slot.blkoff < lastEnd) yield fail('blob overlaps the slot pages or another blob');
    else if (slot.blkoff + slot.blkcnt > fileBlks)
      yield fail('blob past the end of the file (truncated database)');
    else {
      lastEnd = slot.blkoff + slot.blkcnt;
      const blob = await readBlob(source, slot);
      yield typeof blob === 'string' ? fail(blob) : { key: slot.pkgidx, blob };
    }
  }
}
