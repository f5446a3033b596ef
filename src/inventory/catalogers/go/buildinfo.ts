/**
 * Reads the build information the Go linker embeds in every binary, the way
 * `go version -m` does (Go's debug/buildinfo), without executing anything:
 *
 * 1. The blob starts with the 16-byte-aligned magic `\xff Go buildinf:` in
 *    the `.go.buildinfo` section, or, without section headers, somewhere in
 *    the first writable (non-executable) PT_LOAD segment.
 * 2. Byte 14 is the pointer size, byte 15 the flags. Since Go 1.18 flag 2 is
 *    set and the Go version and module text follow the 32-byte header as
 *    varint-length-prefixed strings. Before, the header holds two pointers to
 *    Go string headers `{data pointer, length}`, resolved through the program
 *    headers in the byte order of flag 1.
 * 3. The module text is framed by 16-byte sentinels, stripped here, and
 *    parsed as modinfo.ts describes.
 */
import { MamoriError } from '../../../core/index.js';
import type { ByteSource } from '../../cataloger.js';
import { ElfFile, PF_W, PF_X, PT_LOAD } from '../../elf/index.js';
import { parseModinfo } from './modinfo.js';
import type { GoBuildInfo } from './types.js';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Most bytes of a data segment searched for the magic. */
export const MAX_SCAN_BYTES = 32 << 20;
/** Longest Go version or module-information string read. */
export const MAX_STRING_BYTES = 8 << 20;
/** Longest Go version string accepted (real ones are a few dozen bytes). */
const MAX_VERSION_BYTES = 1024;
const HEADER_SIZE = 32;
const ALIGN = 16n;
const CHUNK = 1 << 20;
/** Reads per search: enough for MAX_SCAN_BYTES in whole chunks, and a bound when hostile segments hand out slivers. */
const MAX_SCAN_READS = 2 * (MAX_SCAN_BYTES / CHUNK);
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE = 2;

/** Go build information of an ELF binary; undefined when it carries none (not a Go binary). */
export async function readGoBuildInfo(src: ByteSource): Promise<GoBuildInfo | undefined> {
  const elf = await ElfFile.open(src);
  const raw = await readRawBuildInfo(elf);
  if (raw === undefined) return undefined;
  const mod = stripSentinels(raw.mod);
  return { goVersion: raw.version, ...parseModinfo(mod.toString('utf8')) };
}

/** The Go version and the framed module text, as stored. */
export async function readRawBuildInfo(elf: ElfFile): Promise<{ version: string; mod: Buffer } | undefined> {
  const region = await dataRegion(elf);
  if (region === undefined) return undefined;
  const addr = await searchMagic(elf, region.addr, region.size);
  if (addr === undefined) return undefined;
  const hdr = await elf.readVirtual(addr, HEADER_SIZE);
  if (hdr.length < HEADER_SIZE) return undefined;
  const ptrSize = hdr[14] ?? 0;
  const flags = hdr[15] ?? 0;
  let vers: Buffer | undefined;
  let mod: Buffer | undefined;
  if ((flags & FLAG_INLINE) !== 0) {
    const v = await decodeString(elf, addr + BigInt(HEADER_SIZE));
    vers = v?.bytes;
    if (v !== undefined) mod = (await decodeString(elf, v.next))?.bytes;
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) return undefined;
    const readPtr = pointerReader(ptrSize, (flags & FLAG_BIG_ENDIAN) !== 0);
    vers = await readGoString(elf, ptrSize, readPtr, readPtr(hdr, 16));
    mod = await readGoString(elf, ptrSize, readPtr, readPtr(hdr, 16 + ptrSize));
  }
  if (vers === undefined || vers.length === 0 || vers.length > MAX_VERSION_BYTES) return undefined;
  return { version: vers.toString('utf8'), mod: mod ?? Buffer.alloc(0) };
}

/** Module text without its sentinels; empty when not framed (a binary built outside module mode). */
export function stripSentinels(mod: Buffer): Buffer {
  if (mod.length >= 33 && mod[mod.length - 17] === 0x0a) return mod.subarray(16, mod.length - 16);
  return Buffer.alloc(0);
}

async function dataRegion(elf: ElfFile): Promise<{ addr: bigint; size: bigint } | undefined> {
  let section;
  try {
    section = await elf.section('.go.buildinfo');
  } catch (e) {
    // A damaged section table still leaves the program headers to search.
    if (!(e instanceof MamoriError)) throw e;
  }
  if (section !== undefined) return { addr: section.addr, size: BigInt(section.size) };
  const seg = elf.programHeaders.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  return seg === undefined ? undefined : { addr: seg.vaddr, size: seg.memsz };
}

async function searchMagic(elf: ElfFile, from: bigint, size: bigint): Promise<bigint | undefined> {
  const end = from + size;
  let at = (from + ALIGN - 1n) & ~(ALIGN - 1n);
  for (let scanned = 0, reads = 0; at < end && scanned < MAX_SCAN_BYTES && reads < MAX_SCAN_READS; reads++) {
    const want = end - at < BigInt(CHUNK) ? Number(end - at) : CHUNK;
    const buf = await elf.readVirtual(at, want);
    if (buf.length === 0) return undefined;
    for (let i = buf.indexOf(BUILDINFO_MAGIC); i !== -1; i = buf.indexOf(BUILDINFO_MAGIC, i + 1)) {
      if (((at + BigInt(i)) & (ALIGN - 1n)) === 0n) return at + BigInt(i);
    }
    at += BigInt(buf.length);
    scanned += buf.length;
  }
  return undefined;
}

function uvarint(b: Buffer): { value: number; n: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < b.length && i < 10; i++) {
    const c = b[i] ?? 0;
    value += (c & 0x7f) * scale;
    if (c < 0x80) return { value, n: i + 1 };
    scale *= 128;
  }
  return undefined;
}

function tooLong(length: number | bigint): MamoriError {
  return new MamoriError(
    'LIMIT_EXCEEDED',
    `Go build info: string of ${String(length)} bytes, more than ${MAX_STRING_BYTES}`,
  );
}

/** A varint-length-prefixed string at `addr` (the Go ≥ 1.18 layout). */
async function decodeString(
  elf: ElfFile,
  addr: bigint,
): Promise<{ bytes: Buffer; next: bigint } | undefined> {
  const v = uvarint(await elf.readVirtual(addr, 10));
  if (v === undefined) return undefined;
  if (v.value > MAX_STRING_BYTES) throw tooLong(v.value);
  const start = addr + BigInt(v.n);
  const bytes = await elf.readVirtual(start, v.value);
  if (bytes.length < v.value) return undefined;
  return { bytes, next: start + BigInt(v.value) };
}

type PointerReader = (b: Buffer, off: number) => bigint;

function pointerReader(size: 4 | 8, bigEndian: boolean): PointerReader {
  if (size === 4) return (b, off) => BigInt(bigEndian ? b.readUInt32BE(off) : b.readUInt32LE(off));
  return (b, off) => (bigEndian ? b.readBigUInt64BE(off) : b.readBigUInt64LE(off));
}

/** The Go string whose header `{data, len}` is at `addr` (the pre-1.18 layout). */
async function readGoString(
  elf: ElfFile,
  ptrSize: number,
  readPtr: PointerReader,
  addr: bigint,
): Promise<Buffer | undefined> {
  const hdr = await elf.readVirtual(addr, 2 * ptrSize);
  if (hdr.length < 2 * ptrSize) return undefined;
  const data = readPtr(hdr, 0);
  const len = readPtr(hdr, ptrSize);
  if (len > BigInt(MAX_STRING_BYTES)) throw tooLong(len);
  const bytes = await elf.readVirtual(data, Number(len));
  return bytes.length < Number(len) ? undefined : bytes;
}
