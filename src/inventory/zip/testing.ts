/**
 * Test support: writes ZIP archives byte by byte, including ones whose
 * headers lie (declared sizes, counts, offsets), which no archiver produces.
 * Used by the tests of the reader and of catalogers that read archives.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  readonly name: string;
  /** Uncompressed content. */
  readonly data?: Buffer | string;
  /** 0 stored, 8 deflate (default), or any other value written as is. */
  readonly method?: number;
  /** Bytes written as the entry's data instead of compressing `data`. */
  readonly raw?: Buffer;
  /** Uncompressed size written in the headers instead of the real one. */
  readonly declaredSize?: number;
  readonly crc?: number;
  readonly flags?: number;
  /** Write sizes and offset in a ZIP64 extra field. */
  readonly zip64?: boolean;
}

export interface BuildOptions {
  /** Bytes before the archive (a launcher script); offsets are written relative to the archive. */
  readonly prefix?: Buffer;
  /** Write ZIP64 end records. */
  readonly zip64?: boolean;
  /** Entry count written in the end record(s) instead of the real one. */
  readonly declaredEntries?: number;
  /** Central directory offset written in the end record(s) instead of the real one. */
  readonly cdOffset?: number;
  readonly comment?: string;
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

function u64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

function sat32(v: number, zip64: boolean): number {
  return zip64 || v >= 0xffffffff ? 0xffffffff : v;
}

/** Builds a ZIP archive from entries, honouring every override. */
export function buildZip(entries: readonly RawEntry[], options: BuildOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : (e.data ?? Buffer.alloc(0));
    const method = e.method ?? 8;
    const body = e.raw ?? (method === 8 ? deflateRawSync(data) : data);
    const name = Buffer.from(e.name, 'utf8');
    const usize = e.declaredSize ?? data.length;
    const crc = e.crc ?? crc32(data);
    const flags = (e.flags ?? 0) | 0x0800;
    const z = e.zip64 === true;
    const extra = z
      ? Buffer.concat([u16(1), u16(24), u64(usize), u64(body.length), u64(offset)])
      : Buffer.alloc(0);
    const common = [u16(20), u16(flags), u16(method), u16(0), u16(0x21), u32(crc)];
    const sizes = [u32(sat32(body.length, z)), u32(sat32(usize, z))];
    locals.push(
      Buffer.concat([
        u32(0x04034b50),
        ...common,
        ...sizes,
        u16(name.length),
        u16(extra.length),
        name,
        extra,
        body,
      ]),
    );
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(0x031e),
        ...common,
        ...sizes,
        u16(name.length),
        u16(extra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(sat32(offset, z)),
        name,
        extra,
      ]),
    );
    offset += locals[locals.length - 1]?.length ?? 0;
  }
  const cd = Buffer.concat(centrals);
  const cdOffset = options.cdOffset ?? offset;
  const count = options.declaredEntries ?? entries.length;
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const tail: Buffer[] = [];
  if (options.zip64 === true) {
    const at = offset + cd.length;
    tail.push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16(45),
        u16(45),
        u32(0),
        u32(0),
        u64(count),
        u64(count),
        u64(cd.length),
        u64(cdOffset),
      ]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(at), u32(1)]),
    );
  }
  const z = options.zip64 === true;
  tail.push(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(z ? 0xffff : Math.min(count, 0xffff)),
      u16(z ? 0xffff : Math.min(count, 0xffff)),
      u32(sat32(cd.length, z)),
      u32(sat32(cdOffset, z)),
      u16(comment.length),
      comment,
    ]),
  );
  return Buffer.concat([options.prefix ?? Buffer.alloc(0), ...locals, cd, ...tail]);
}
