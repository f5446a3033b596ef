/**
 * The linking analyser: for each ELF executable outside the library
 * directories, its dynamic loader (PT_INTERP) and the libraries it needs
 * (DT_NEEDED). The entrypoint suggestion reads it to tell a static binary
 * (scratch) from one that needs only libc (distroless/base) or more.
 */
import { ELF_MAGIC, ElfFile } from '../inventory/elf/index.js';
import type { ByteSource, Cataloger } from '../inventory/index.js';
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

export const elfAnalyzer: Cataloger<ElfFact> = {
  name: ELF_ANALYZER,
  version: 1,
  tags: [],
  magic: [ELF_MAGIC],
  // Entrypoints can be large static binaries; only the headers are read.
  maxFileSize: 1024 * 1024 * 1024,
  select: (entry) =>
    (entry.mode & 0o111) !== 0 && !SKIPPED.test(entry.path) && !SKIPPED_ROOTS.test(entry.path),
  parse: (file) => readElfFact(file.source),
  assemble: () => [],
};
