/**
 * Writes an NDB `Packages.db` the way rpm's ndb backend (lib/backend/ndb/
 * rpmpkg.c) lays it out, for tests: no tool on Debian writes this format
 * (Debian's rpm is built without ndb), so the tests put real header blobs
 * (exported from a real rpmdb) into this frame.
 *
 * Layout, all integers little-endian: a 32-byte header ("RpmP", version 0,
 * generation, slot page count, next package index) sharing page 0 with the
 * slots; `slotPages` 4 KiB pages of 16-byte slots ("Slot", package index,
 * block offset, block count; offset 0 = free); then the blobs in 16-byte
 * blocks: head ("BlbS", package index, timestamp, length), the header blob,
 * zero padding, tail (Adler-32 of head+blob+padding, length, "BlbE").
 *
 * The reader was also checked once against a real SUSE (SLE 15 SP3)
 * Packages.db; see README.md.
 */

const PAGE = 4096;
const BLK = 16;

const magic = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export interface NdbPackage {
  readonly pkgidx: number;
  readonly blob: Buffer;
}

export interface NdbOptions {
  /** Slot pages (default 1; rpm adds one each 256 packages). */
  readonly slotPages?: number;
  /** Free blocks left between consecutive blobs, as after removals. */
  readonly gapBlocks?: number;
  /** Free slots left before each used slot, as after removals. */
  readonly freeSlotsBetween?: number;
}

export interface NdbLayout {
  readonly file: Buffer;
  /** Byte offset of each package's blob frame, by package index. */
  readonly blobOffsets: ReadonlyMap<number, number>;
  /** Byte offset of each package's slot, by package index. */
  readonly slotOffsets: ReadonlyMap<number, number>;
}

function frame(p: NdbPackage): Buffer {
  const blkcnt = Math.ceil((16 + p.blob.length + 12) / BLK);
  const out = Buffer.alloc(blkcnt * BLK);
  out.writeUInt32LE(magic('BlbS'), 0);
  out.writeUInt32LE(p.pkgidx, 4);
  out.writeUInt32LE(1_700_000_000, 8);
  out.writeUInt32LE(p.blob.length, 12);
  p.blob.copy(out, 16);
  const tail = out.length - 12;
  out.writeUInt32LE(adler32(out.subarray(0, tail)), tail);
  out.writeUInt32LE(p.blob.length, tail + 4);
  out.writeUInt32LE(magic('BlbE'), tail + 8);
  return out;
}

export function writeNdb(pkgs: readonly NdbPackage[], opts: NdbOptions = {}): NdbLayout {
  const slotPages = opts.slotPages ?? 1;
  const gap = opts.gapBlocks ?? 0;
  const freeBetween = opts.freeSlotsBetween ?? 0;
  const slotArea = Buffer.alloc(slotPages * PAGE);
  for (let o = 0; o < slotArea.length; o += 16) slotArea.writeUInt32LE(magic('Slot'), o);
  slotArea.writeUInt32LE(magic('RpmP'), 0);
  slotArea.writeUInt32LE(0, 4);
  slotArea.writeUInt32LE(7, 8);
  slotArea.writeUInt32LE(slotPages, 12);
  slotArea.writeUInt32LE(Math.max(0, ...pkgs.map((p) => p.pkgidx)) + 1, 16);
  slotArea.fill(0, 20, 32);

  const frames: Buffer[] = [];
  const blobOffsets = new Map<number, number>();
  const slotOffsets = new Map<number, number>();
  let blkoff = (slotPages * PAGE) / BLK;
  let slot = 32 + freeBetween * 16;
  for (const p of pkgs) {
    if (slot + 16 > slotArea.length) throw new Error('not enough slot pages');
    const f = frame(p);
    const blkcnt = f.length / BLK;
    slotArea.writeUInt32LE(p.pkgidx, slot + 4);
    slotArea.writeUInt32LE(blkoff, slot + 8);
    slotArea.writeUInt32LE(blkcnt, slot + 12);
    slotOffsets.set(p.pkgidx, slot);
    blobOffsets.set(p.pkgidx, blkoff * BLK);
    frames.push(f);
    if (gap > 0) frames.push(Buffer.alloc(gap * BLK));
    blkoff += blkcnt + gap;
    slot += 16 * (1 + freeBetween);
  }
  return { file: Buffer.concat([slotArea, ...frames]), blobOffsets, slotOffsets };
}
