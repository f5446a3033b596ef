/**
 * A small, bounded ELF reader over a ByteSource: the file header, program
 * headers, section headers by name and virtual-address → file-offset mapping.
 * It reads only the headers and the byte ranges asked for, never the whole
 * file, and every count and size taken from the file is checked against the
 * file's size and fixed limits before anything is allocated.
 */
import { MamoriError } from '../../core/index.js';
import type { ByteSource } from '../cataloger.js';
import { PT_LOAD, SHT_NOBITS } from './types.js';
import type { ElfHeader, ElfProgramHeader, ElfSection } from './types.js';

/** At most this many program headers (e_phnum is 16-bit; PN_XNUM extends it). */
export const MAX_PROGRAM_HEADERS = 65_536;
/** At most this many section headers (e_shnum 0 defers the count to section 0). */
export const MAX_SECTIONS = 1 << 18;
/** Largest program- or section-header table read, whatever its count and entry size. */
export const MAX_HEADER_TABLE_BYTES = 32 << 20;
/** Largest section-name string table read. */
export const MAX_SHSTRTAB_BYTES = 16 << 20;

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const PN_XNUM = 0xffff;
const SHN_XINDEX = 0xffff;

function invalid(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `ELF: ${message}`);
}

/** Class- and endianness-aware field reads over one header buffer. */
class Fields {
  constructor(
    private readonly buf: Buffer,
    private readonly le: boolean,
  ) {}
  u16(off: number): number {
    return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }
  u32(off: number): number {
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }
  u64(off: number): bigint {
    return this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
  }
  /** A 32- or 64-bit word as a bigint. */
  word(off: number, bits: 32 | 64): bigint {
    return bits === 64 ? this.u64(off) : BigInt(this.u32(off));
  }
  /**
   * A file offset or size as a number. Values past 2^53 lose precision, which
   * is harmless: they are past the end of any file and rejected as such.
   */
  size(off: number, bits: 32 | 64): number {
    return Number(this.word(off, bits));
  }
}

interface SectionTable {
  readonly offset: number;
  readonly entsize: number;
  readonly count: number;
  readonly strndx: number;
}

/** An opened ELF file. Section headers are read on first use. */
export class ElfFile {
  private sectionsPromise: Promise<readonly ElfSection[]> | undefined;

  private constructor(
    readonly source: ByteSource,
    readonly header: ElfHeader,
    readonly programHeaders: readonly ElfProgramHeader[],
    private readonly table: SectionTable | undefined,
  ) {}

  /** Reads the file header and program headers; throws MamoriError (INVALID_ARGUMENT) on a malformed file. */
  static async open(src: ByteSource): Promise<ElfFile> {
    const raw = await src.read(0, 64);
    if (raw.length < 16 || !raw.subarray(0, 4).equals(ELF_MAGIC)) throw invalid('not an ELF file');
    const cls = raw[4];
    const data = raw[5];
    if (cls !== 1 && cls !== 2) throw invalid(`unknown class ${String(cls)}`);
    if (data !== 1 && data !== 2) throw invalid(`unknown data encoding ${String(data)}`);
    const bits: 32 | 64 = cls === 2 ? 64 : 32;
    const ehsize = bits === 64 ? 64 : 52;
    if (raw.length < ehsize) throw invalid('file header truncated');
    const f = new Fields(raw, data === 1);
    const w = bits === 64 ? 8 : 4;
    const header: ElfHeader = {
      bits,
      littleEndian: data === 1,
      type: f.u16(16),
      machine: f.u16(18),
      entry: f.word(24, bits),
    };
    const phoff = f.size(24 + w, bits);
    const shoff = f.size(24 + 2 * w, bits);
    const base = 24 + 3 * w + 4; // past e_flags
    const phentsize = f.u16(base + 2);
    let phnum = f.u16(base + 4);
    const shentsize = f.u16(base + 6);
    const shnum = f.u16(base + 8);
    const shstrndx = f.u16(base + 10);

    // PN_XNUM: the real program-header count is in section 0's sh_info.
    if (phnum === PN_XNUM) {
      const s0 = await readExact(src, shoff, bits === 64 ? 64 : 40, 'section header 0');
      phnum = new Fields(s0, header.littleEndian).u32(bits === 64 ? 44 : 28);
    }
    const table: SectionTable | undefined =
      shoff === 0 ? undefined : { offset: shoff, entsize: shentsize, count: shnum, strndx: shstrndx };

    if (phnum > MAX_PROGRAM_HEADERS) {
      throw new MamoriError('LIMIT_EXCEEDED', `ELF: more than ${MAX_PROGRAM_HEADERS} program headers`);
    }
    const programHeaders: ElfProgramHeader[] = [];
    if (phnum > 0) {
      const minPh = bits === 64 ? 56 : 32;
      if (phentsize < minPh) throw invalid(`program header entry size ${phentsize} too small`);
      const bytes = phnum * phentsize;
      if (bytes > MAX_HEADER_TABLE_BYTES)
        throw new MamoriError('LIMIT_EXCEEDED', 'ELF: program header table too large');
      const buf = await readExact(src, phoff, bytes, 'program header table');
      const p = new Fields(buf, header.littleEndian);
      for (let i = 0; i < phnum; i++) {
        const o = i * phentsize;
        programHeaders.push(
          bits === 64
            ? {
                type: p.u32(o),
                flags: p.u32(o + 4),
                offset: p.size(o + 8, 64),
                vaddr: p.u64(o + 16),
                filesz: p.size(o + 32, 64),
                memsz: p.u64(o + 40),
              }
            : {
                type: p.u32(o),
                offset: p.u32(o + 4),
                vaddr: BigInt(p.u32(o + 8)),
                filesz: p.u32(o + 16),
                memsz: BigInt(p.u32(o + 20)),
                flags: p.u32(o + 24),
              },
        );
      }
    }
    return new ElfFile(src, header, programHeaders, table);
  }

  /** All section headers with names; empty when the file has none. Throws MamoriError on a malformed table. */
  sections(): Promise<readonly ElfSection[]> {
    this.sectionsPromise ??= this.loadSections();
    return this.sectionsPromise;
  }

  /** The first section with this name. */
  async section(name: string): Promise<ElfSection | undefined> {
    return (await this.sections()).find((s) => s.name === name);
  }

  /**
   * A section's bytes. Throws LIMIT_EXCEEDED when the section is larger than
   * `maxBytes`, INVALID_ARGUMENT when it runs past the end of the file.
   * A NOBITS section (.bss) has no bytes in the file and reads as empty.
   */
  async readSection(section: ElfSection, maxBytes: number): Promise<Buffer> {
    if (section.type === SHT_NOBITS) return Buffer.alloc(0);
    if (section.size > maxBytes) {
      throw new MamoriError(
        'LIMIT_EXCEEDED',
        `ELF: section ${section.name || section.index} is ${section.size} bytes, more than ${maxBytes}`,
      );
    }
    return readExact(this.source, section.offset, section.size, `section ${section.name || section.index}`);
  }

  /** The file offset that holds virtual address `addr`, through the PT_LOAD segments; undefined when unmapped. */
  fileOffset(addr: bigint): { offset: number; available: number } | undefined {
    for (const p of this.programHeaders) {
      if (p.type !== PT_LOAD || p.filesz === 0 || addr < p.vaddr) continue;
      const delta = addr - p.vaddr;
      if (delta >= BigInt(p.filesz)) continue;
      const d = Number(delta);
      const offset = p.offset + d;
      if (offset >= this.source.size) return undefined;
      return { offset, available: Math.min(p.filesz - d, this.source.size - offset) };
    }
    return undefined;
  }

  /**
   * Up to `size` bytes at virtual address `addr`, from the one segment that
   * maps it (shorter where the segment's file bytes end); empty when unmapped.
   */
  async readVirtual(addr: bigint, size: number): Promise<Buffer> {
    const at = this.fileOffset(addr);
    if (at === undefined || size <= 0) return Buffer.alloc(0);
    return this.source.read(at.offset, Math.min(size, at.available));
  }

  private async loadSections(): Promise<readonly ElfSection[]> {
    const t = this.table;
    if (t === undefined) return [];
    const { bits, littleEndian } = this.header;
    const minSh = bits === 64 ? 64 : 40;
    if (t.entsize < minSh) throw invalid(`section header entry size ${t.entsize} too small`);
    // Section 0 carries the real count and name-table index when they overflow the 16-bit fields.
    let count = t.count;
    let strndx = t.strndx;
    if (count === 0 || strndx === SHN_XINDEX) {
      const s0 = new Fields(await readExact(this.source, t.offset, minSh, 'section header 0'), littleEndian);
      if (count === 0) count = s0.size(bits === 64 ? 32 : 20, bits);
      if (strndx === SHN_XINDEX) strndx = s0.u32(bits === 64 ? 40 : 24);
    }
    if (count === 0) return [];
    if (count > MAX_SECTIONS)
      throw new MamoriError('LIMIT_EXCEEDED', `ELF: more than ${MAX_SECTIONS} sections`);
    const bytes = count * t.entsize;
    if (bytes > MAX_HEADER_TABLE_BYTES)
      throw new MamoriError('LIMIT_EXCEEDED', 'ELF: section header table too large');
    const buf = await readExact(this.source, t.offset, bytes, 'section header table');
    const f = new Fields(buf, littleEndian);
    const raw: Omit<ElfSection, 'name'>[] = [];
    const nameOffsets: number[] = [];
    for (let i = 0; i < count; i++) {
      const o = i * t.entsize;
      nameOffsets.push(f.u32(o));
      raw.push(
        bits === 64
          ? {
              index: i,
              type: f.u32(o + 4),
              flags: Number(f.u64(o + 8)),
              addr: f.u64(o + 16),
              offset: f.size(o + 24, 64),
              size: f.size(o + 32, 64),
              link: f.u32(o + 40),
              info: f.u32(o + 44),
            }
          : {
              index: i,
              type: f.u32(o + 4),
              flags: f.u32(o + 8),
              addr: BigInt(f.u32(o + 12)),
              offset: f.u32(o + 16),
              size: f.u32(o + 20),
              link: f.u32(o + 24),
              info: f.u32(o + 28),
            },
      );
    }
    let names: Buffer = Buffer.alloc(0);
    if (strndx !== 0) {
      const strtab = raw[strndx];
      if (strtab === undefined) throw invalid(`section-name table index ${strndx} out of range`);
      names = await this.readSection({ ...strtab, name: '.shstrtab' }, MAX_SHSTRTAB_BYTES);
    }
    return raw.map((s, i) => ({ ...s, name: cString(names, nameOffsets[i] ?? 0) }));
  }
}

/** Exactly `length` bytes at `offset`, or INVALID_ARGUMENT naming what ran past the end of the file. */
async function readExact(src: ByteSource, offset: number, length: number, what: string): Promise<Buffer> {
  if (offset < 0 || length < 0 || offset > src.size || length > src.size - offset) {
    throw invalid(`${what} (${length} bytes at offset ${offset}) lies past the end of the file`);
  }
  const b = await src.read(offset, length);
  if (b.length !== length) throw invalid(`${what} truncated`);
  return b;
}

function cString(buf: Buffer, off: number): string {
  if (off >= buf.length) return '';
  const end = buf.indexOf(0, off);
  return buf.toString('latin1', off, end === -1 ? buf.length : end);
}
