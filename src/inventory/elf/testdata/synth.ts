/**
 * Test support: writes small synthetic ELF files (32/64-bit, either byte
 * order) with chosen segments and sections, for layouts no installed tool
 * produces (Go's pre-1.18 pointer format, big-endian cargo-auditable data)
 * and as seeds for fuzzing.
 */

export interface SynthSegment {
  readonly type: number;
  readonly flags: number;
  readonly vaddr: bigint;
  readonly data: Buffer;
  /** Defaults to the data's length. */
  readonly memsz?: bigint;
}

export interface SynthSection {
  readonly name: string;
  /** Default PROGBITS (1). */
  readonly type?: number;
  readonly flags?: number;
  /** A section inside a segment: its address; the file offset follows from the segments. */
  readonly addr?: bigint;
  /** Bytes for a section of its own (not inside a segment). */
  readonly data?: Buffer;
  /** Size of a section inside a segment. */
  readonly size?: number;
}

export interface SynthElf {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly machine?: number;
  readonly segments: readonly SynthSegment[];
  readonly sections?: readonly SynthSection[];
}

class Writer {
  constructor(
    readonly buf: Buffer,
    private readonly le: boolean,
  ) {}
  u16(off: number, v: number): void {
    if (this.le) this.buf.writeUInt16LE(v, off);
    else this.buf.writeUInt16BE(v, off);
  }
  u32(off: number, v: number): void {
    if (this.le) this.buf.writeUInt32LE(v, off);
    else this.buf.writeUInt32BE(v, off);
  }
  word(off: number, v: bigint | number, bits: 32 | 64): void {
    if (bits === 32) this.u32(off, Number(v));
    else if (this.le) this.buf.writeBigUInt64LE(BigInt(v), off);
    else this.buf.writeBigUInt64BE(BigInt(v), off);
  }
}

const align16 = (n: number): number => (n + 15) & ~15;

export function buildElf(spec: SynthElf): Buffer {
  const { bits, littleEndian } = spec;
  const ehsize = bits === 64 ? 64 : 52;
  const phentsize = bits === 64 ? 56 : 32;
  const shentsize = bits === 64 ? 64 : 40;
  const sections = spec.sections ?? [];

  // Layout: header, program headers, segment data, own section data, .shstrtab, section headers.
  let off = align16(ehsize + spec.segments.length * phentsize);
  const segOffsets = spec.segments.map((s) => {
    const at = off;
    off = align16(off + s.data.length);
    return at;
  });
  const secOffsets = sections.map((s) => {
    if (s.data === undefined) {
      const i = spec.segments.findIndex(
        (g) => s.addr !== undefined && s.addr >= g.vaddr && s.addr < g.vaddr + BigInt(g.data.length),
      );
      const seg = spec.segments[i];
      return seg === undefined || s.addr === undefined ? 0 : (segOffsets[i] ?? 0) + Number(s.addr - seg.vaddr);
    }
    const at = off;
    off = align16(off + s.data.length);
    return at;
  });
  const names = ['', ...sections.map((s) => s.name), '.shstrtab'];
  const strtab = Buffer.from(`${names.join('\0')}\0`, 'latin1');
  const nameOffsets: number[] = [];
  let pos = 0;
  for (const n of names) {
    nameOffsets.push(pos);
    pos += Buffer.byteLength(n, 'latin1') + 1;
  }
  const strtabOff = off;
  off = align16(off + strtab.length);
  const shoff = off;
  const shnum = sections.length + 2;
  const total = shoff + shnum * shentsize;

  const w = new Writer(Buffer.alloc(total), littleEndian);
  const b = w.buf;
  b.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, littleEndian ? 1 : 2, 1], 0);
  w.u16(16, 2); // ET_EXEC
  w.u16(18, spec.machine ?? (bits === 64 ? 62 : 3));
  w.u32(20, 1);
  const ws = bits === 64 ? 8 : 4;
  w.word(24, 0, bits); // entry
  w.word(24 + ws, ehsize, bits); // phoff
  w.word(24 + 2 * ws, shoff, bits); // shoff
  const base = 24 + 3 * ws + 4;
  w.u16(base, ehsize);
  w.u16(base + 2, phentsize);
  w.u16(base + 4, spec.segments.length);
  w.u16(base + 6, shentsize);
  w.u16(base + 8, shnum);
  w.u16(base + 10, shnum - 1);

  spec.segments.forEach((s, i) => {
    const o = ehsize + i * phentsize;
    const fo = segOffsets[i] ?? 0;
    const memsz = s.memsz ?? BigInt(s.data.length);
    if (bits === 64) {
      w.u32(o, s.type);
      w.u32(o + 4, s.flags);
      w.word(o + 8, fo, 64);
      w.word(o + 16, s.vaddr, 64);
      w.word(o + 24, s.vaddr, 64);
      w.word(o + 32, s.data.length, 64);
      w.word(o + 40, memsz, 64);
      w.word(o + 48, 16, 64);
    } else {
      w.u32(o, s.type);
      w.u32(o + 4, fo);
      w.u32(o + 8, Number(s.vaddr));
      w.u32(o + 12, Number(s.vaddr));
      w.u32(o + 16, s.data.length);
      w.u32(o + 20, Number(memsz));
      w.u32(o + 24, s.flags);
      w.u32(o + 28, 16);
    }
    s.data.copy(b, fo);
  });
  sections.forEach((s, i) => {
    if (s.data !== undefined) s.data.copy(b, secOffsets[i] ?? 0);
  });
  strtab.copy(b, strtabOff);

  const writeSection = (index: number, name: number, type: number, flags: number, addr: bigint, o: number, size: number): void => {
    const at = shoff + index * shentsize;
    if (bits === 64) {
      w.u32(at, name);
      w.u32(at + 4, type);
      w.word(at + 8, flags, 64);
      w.word(at + 16, addr, 64);
      w.word(at + 24, o, 64);
      w.word(at + 32, size, 64);
      w.word(at + 48, 1, 64);
    } else {
      w.u32(at, name);
      w.u32(at + 4, type);
      w.u32(at + 8, flags);
      w.u32(at + 12, Number(addr));
      w.u32(at + 16, o);
      w.u32(at + 20, size);
      w.u32(at + 32, 1);
    }
  };
  sections.forEach((s, i) => {
    writeSection(
      i + 1,
      nameOffsets[i + 1] ?? 0,
      s.type ?? 1,
      s.flags ?? 0,
      s.addr ?? 0n,
      secOffsets[i] ?? 0,
      s.data?.length ?? s.size ?? 0,
    );
  });
  writeSection(shnum - 1, nameOffsets[shnum - 1] ?? 0, 3, 0, 0n, strtabOff, strtab.length);
  return b;
}
