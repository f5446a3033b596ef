/**
 * The linking analyser: for each ELF executable outside the library
 * directories, its dynamic loader (PT_INTERP) and the libraries it needs
 * (DT_NEEDED). The entrypoint suggestion reads it to tell a static binary
 * (scratch) from one that needs only libc (distroless/base) or more.
 */
import { MamoriError } from '../core/index.js';
import { ELF_MAGIC, ElfFile } from '../inventory/elf/index.js';
import type { ByteSource, EntryInfo, StreamAnalyzer, StreamSink } from '../inventory/index.js';
import type { ElfFact } from './types.js';

export const ELF_ANALYZER = 'imagecheck-elf';

const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
/** Largest dynamic segment read (a real one is a few hundred bytes). */
const MAX_DYNAMIC_BYTES = 64 * 1024;
const MAX_NEEDED = 128;
const MAX_STRING = 256;

/** Where executables are libraries or data, not programs a container runs. */
const SKIPPED = /^\/(?:usr\/)?(?:lib|lib32|lib64|libx32|share|include|src)\//;
const SKIPPED_ROOTS = /^\/(?:proc|sys|dev)\//;

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf
    .toString('latin1', 0, end === -1 ? Math.min(buf.length, MAX_STRING) : Math.min(end, MAX_STRING))
    .replace(/[^\x20-\x7e]/g, '?');
}

async function readAt(src: ByteSource, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 || offset >= src.size || length <= 0) return Buffer.alloc(0);
  return src.read(offset, Math.min(length, src.size - offset));
}

/** Reads the linking facts of an ELF file; undefined when it is not a readable ELF executable. */
export async function readElfFact(src: ByteSource): Promise<ElfFact | undefined> {
  let elf: ElfFile;
  try {
    elf = await ElfFile.open(src);
  } catch {
    return undefined;
  }
  // Only executables and position-independent executables / shared objects.
  if (elf.header.type !== 2 && elf.header.type !== 3) return undefined;
  let interpreter: string | undefined;
  const interp = elf.programHeaders.find((p) => p.type === PT_INTERP);
  if (interp) {
    const s = cString(await readAt(src, interp.offset, Math.min(interp.filesz, 4096)));
    if (s !== '') interpreter = s;
  }
  const needed: string[] = [];
  const dyn = elf.programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (dyn) {
    const { bits, littleEndian: le } = elf.header;
    const buf = await readAt(src, dyn.offset, Math.min(dyn.filesz, MAX_DYNAMIC_BYTES));
    const size = bits === 64 ? 16 : 8;
    const offsets: bigint[] = [];
    let strtab: bigint | undefined;
    for (let o = 0; o + size <= buf.length; o += size) {
      const tag =
        bits === 64
          ? le
            ? buf.readBigInt64LE(o)
            : buf.readBigInt64BE(o)
          : BigInt(le ? buf.readInt32LE(o) : buf.readInt32BE(o));
      const val =
        bits === 64
          ? le
            ? buf.readBigUInt64LE(o + 8)
            : buf.readBigUInt64BE(o + 8)
          : BigInt(le ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 4));
      if (tag === DT_NULL) break;
      if (tag === DT_NEEDED && offsets.length < MAX_NEEDED) offsets.push(val);
      if (tag === DT_STRTAB) strtab = val;
    }
    if (strtab !== undefined) {
      for (const off of offsets) {
        const name = cString(await elf.readVirtual(strtab + off, MAX_STRING));
        if (name !== '') needed.push(name);
      }
    }
  }
  return { ...(interpreter !== undefined ? { interpreter } : {}), needed };
}

/** Bytes kept from the start of each executable: the headers, the loader's name and (in practice) the dynamic string table. */
const PREFIX_BYTES = 1024 * 1024;

/** Bytes of a file kept at known offsets; reading anything else is an error (the fact is then left out). */
class SparseSource implements ByteSource {
  constructor(
    readonly size: number,
    private readonly ranges: ReadonlyArray<{ readonly offset: number; readonly bytes: Buffer }>,
  ) {}

  read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, offset + Math.max(0, length));
    for (const r of this.ranges) {
      if (offset >= r.offset && end <= r.offset + r.bytes.length) {
        return Promise.resolve(r.bytes.subarray(offset - r.offset, end - r.offset));
      }
    }
    return Promise.reject(new MamoriError('INVALID_ARGUMENT', `ELF bytes ${offset}+${length} were not kept`));
  }
}

/**
 * Where the dynamic segment lies, from the program header table in `head`
 * (undefined: not known yet or none).
 */
function dynamicRange(head: Buffer): { offset: number; length: number } | undefined {
  if (head.length < 64 || !head.subarray(0, 4).equals(ELF_MAGIC)) return undefined;
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  const u16 = (o: number) => (le ? head.readUInt16LE(o) : head.readUInt16BE(o));
  const u32 = (o: number) => (le ? head.readUInt32LE(o) : head.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? head.readBigUInt64LE(o) : head.readBigUInt64BE(o));
  const phoff = is64 ? u64(32) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  for (let i = 0; i < phnum && i < 256; i++) {
    const o = phoff + i * phentsize;
    if (o + (is64 ? 56 : 32) > head.length) return undefined;
    if (u32(o) !== PT_DYNAMIC) continue;
    const offset = is64 ? u64(o + 8) : u32(o + 4);
    const filesz = is64 ? u64(o + 32) : u32(o + 16);
    return Number.isSafeInteger(offset) ? { offset, length: Math.min(filesz, MAX_DYNAMIC_BYTES) } : undefined;
  }
  return undefined;
}

/**
 * Keeps an executable's first megabyte and its dynamic segment as they
 * stream past, nothing else: a 200 MB static binary costs one megabyte.
 */
class ElfSink implements StreamSink<ElfFact> {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private seen = 0;
  private notElf = false;
  /** The dynamic segment when it lies past the kept head (within it, the head has it). */
  private dynamic: { offset: number; length: number } | undefined;
  private readonly collected: Buffer[] = [];
  private collectedLength = 0;

  constructor(private readonly size: number) {}

  get done(): boolean {
    if (this.notElf) return true;
    if (this.headLength < Math.min(PREFIX_BYTES, this.size)) return false;
    return this.dynamic === undefined || this.collectedLength >= this.dynamic.length;
  }

  write(chunk: Buffer): void {
    const start = this.seen;
    this.seen += chunk.length;
    if (this.headLength < PREFIX_BYTES) {
      const part = chunk.subarray(0, PREFIX_BYTES - this.headLength);
      this.head.push(Buffer.from(part));
      const before = this.headLength;
      this.headLength += part.length;
      if (before < 4 && this.headLength >= 4 && !Buffer.concat(this.head).subarray(0, 4).equals(ELF_MAGIC)) {
        this.notElf = true;
        return;
      }
      if (this.headLength >= Math.min(PREFIX_BYTES, this.size)) {
        const d = dynamicRange(Buffer.concat(this.head));
        // Only a segment wholly past the head and inside the file is worth waiting for.
        if (d && d.offset >= this.headLength && d.offset + d.length <= this.size) this.dynamic = d;
      }
    }
    const d = this.dynamic;
    if (d && this.collectedLength < d.length && start + chunk.length > d.offset) {
      const from = Math.max(0, d.offset + this.collectedLength - start);
      const part = chunk.subarray(from, from + d.length - this.collectedLength);
      this.collected.push(Buffer.from(part));
      this.collectedLength += part.length;
    }
  }

  async end(): Promise<ElfFact | undefined> {
    if (this.notElf) return undefined;
    const ranges = [{ offset: 0, bytes: Buffer.concat(this.head) }];
    if (this.dynamic) ranges.push({ offset: this.dynamic.offset, bytes: Buffer.concat(this.collected) });
    try {
      return await readElfFact(new SparseSource(this.size, ranges));
    } catch {
      // Linking information beyond what was kept (a huge dynamic string table): no fact, no guess.
      return undefined;
    }
  }
}

export const elfAnalyzer: StreamAnalyzer<ElfFact> = {
  name: ELF_ANALYZER,
  version: 2,
  select: (entry: EntryInfo) =>
    (entry.mode & 0o111) !== 0 &&
    entry.size >= 64 &&
    !SKIPPED.test(entry.path) &&
    !SKIPPED_ROOTS.test(entry.path),
  open: (entry: EntryInfo) => new ElfSink(entry.size),
};
