/**
 * The on-disk structures of a ZIP archive (APPNOTE.TXT 6.3): finding the end
 * of central directory record (classic and ZIP64) and decoding the central
 * directory into entries. Pure functions over buffers read from a ByteSource;
 * every count, offset and length is checked before it is used.
 */
import { TextDecoder } from 'node:util';
import { MamoriError } from '../../core/index.js';
import type { ByteSource } from '../cataloger.js';
import type { ZipEntry, ZipLimits } from './types.js';

const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

const EOCD_LEN = 22;
const ZIP64_LOCATOR_LEN = 20;
const ZIP64_EOCD_LEN = 56;
const CENTRAL_LEN = 46;
/** Size of a local file header before its name and extra field. */
export const LOCAL_LEN = 30;
export const SIG_LOCAL = 0x04034b50;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;

export function invalid(message: string, cause?: unknown): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `zip: ${message}`, cause === undefined ? undefined : { cause });
}

export function tooBig(message: string): MamoriError {
  return new MamoriError('LIMIT_EXCEEDED', `zip: ${message}`);
}

/** A little-endian unsigned 64-bit field, refused when it does not fit a safe integer. */
function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${what} is out of range`);
  return Number(v);
}

/** Where the central directory is, after reconciling the end records with the file. */
export interface DirectoryLocation {
  /** Absolute offset of the first central directory header. */
  readonly start: number;
  readonly size: number;
  /** Entry count the end record declares (only its low 16 bits are trusted for classic archives). */
  readonly declaredEntries: number;
  readonly zip64: boolean;
  /** Bytes before the archive proper (a launcher script or stub); added to every recorded offset. */
  readonly base: number;
}

/** Finds the last end of central directory record whose comment fits the file. */
function findEocd(tail: Buffer): number {
  for (let i = tail.length - EOCD_LEN; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const commentLen = tail.readUInt16LE(i + 20);
    if (i + EOCD_LEN + commentLen <= tail.length) return i;
  }
  return -1;
}

interface Zip64End {
  readonly at: number;
  readonly entries: number;
  readonly size: number;
  readonly offset: number;
}

/** Reads the ZIP64 end record the locator points to (or the one right before the locator). */
async function readZip64End(src: ByteSource, locatorAt: number): Promise<Zip64End | undefined> {
  if (locatorAt < ZIP64_EOCD_LEN) return undefined;
  const loc = await src.read(locatorAt, ZIP64_LOCATOR_LEN);
  if (loc.length < ZIP64_LOCATOR_LEN || loc.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) return undefined;
  const recorded = u64(loc, 8, 'ZIP64 end record offset');
  for (const at of [recorded, locatorAt - ZIP64_EOCD_LEN]) {
    if (at < 0 || at + ZIP64_EOCD_LEN > locatorAt) continue;
    const rec = await src.read(at, ZIP64_EOCD_LEN);
    if (rec.length < ZIP64_EOCD_LEN || rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) continue;
    return {
      at,
      entries: u64(rec, 32, 'ZIP64 entry count'),
      size: u64(rec, 40, 'ZIP64 central directory size'),
      offset: u64(rec, 48, 'ZIP64 central directory offset'),
    };
  }
  return undefined;
}

/** Locates the central directory and checks it lies inside the file and within the limits. */
export async function locateDirectory(src: ByteSource, limits: ZipLimits): Promise<DirectoryLocation> {
  const size = src.size;
  if (!Number.isSafeInteger(size) || size < EOCD_LEN) throw invalid('too short to be a ZIP archive');
  const tailLen = Math.min(size, EOCD_LEN + 0xffff);
  const tail = await src.read(size - tailLen, tailLen);
  if (tail.length !== tailLen) throw invalid('short read at the end of the archive');
  const rel = findEocd(tail);
  if (rel < 0) throw invalid('end of central directory not found (truncated or not a ZIP archive)');
  const eocdAt = size - tailLen + rel;

  let entries = tail.readUInt16LE(rel + 10);
  let cdSize = tail.readUInt32LE(rel + 12);
  let cdOffset = tail.readUInt32LE(rel + 16);
  let endAt = eocdAt;
  const saturated = entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  const z64 = await readZip64End(src, eocdAt - ZIP64_LOCATOR_LEN);
  if (z64) {
    entries = z64.entries;
    cdSize = z64.size;
    cdOffset = z64.offset;
    endAt = z64.at;
  } else if (saturated && (cdSize === 0xffffffff || cdOffset === 0xffffffff)) {
    throw invalid('ZIP64 end of central directory record missing');
  }

  if (entries > limits.maxEntries) {
    throw tooBig(`archive declares ${entries} entries, more than the limit of ${limits.maxEntries}`);
  }
  if (cdSize > limits.maxCentralDirectorySize) {
    throw tooBig(
      `central directory of ${cdSize} bytes exceeds the limit of ${limits.maxCentralDirectorySize}`,
    );
  }
  if (entries * CENTRAL_LEN > cdSize && (z64 !== undefined || entries !== 0xffff)) {
    throw invalid(`central directory of ${cdSize} bytes cannot hold ${entries} entries`);
  }
  if (cdOffset + cdSize > endAt) throw invalid('central directory offset points past its end record');

  // Data prepended to the archive shifts every offset; the end record tells by how much.
  let base = endAt - cdSize - cdOffset;
  if (base > 0) {
    const probe = await src.read(cdOffset, 4);
    if (probe.length === 4 && probe.readUInt32LE(0) === SIG_CENTRAL) base = 0;
  }
  return { start: base + cdOffset, size: cdSize, declaredEntries: entries, zip64: z64 !== undefined, base };
}

/** The fields of the ZIP64 extended information extra field that the header saturated. */
function applyZip64Extra(
  extra: Buffer,
  sizes: { uncompressed: number; compressed: number; offset: number },
  name: string,
): void {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const len = extra.readUInt16LE(at + 2);
    const end = at + 4 + len;
    if (end > extra.length) break;
    if (id === 0x0001) {
      let p = at + 4;
      const next = (what: string): number => {
        if (p + 8 > end) throw invalid(`entry ${JSON.stringify(name)}: ZIP64 extra field lacks the ${what}`);
        const v = u64(extra, p, `entry ${what}`);
        p += 8;
        return v;
      };
      if (sizes.uncompressed === 0xffffffff) sizes.uncompressed = next('uncompressed size');
      if (sizes.compressed === 0xffffffff) sizes.compressed = next('compressed size');
      if (sizes.offset === 0xffffffff) sizes.offset = next('local header offset');
      return;
    }
    at = end;
  }
}

function decodeName(raw: Buffer, flags: number, utf8: TextDecoder): string {
  if ((flags & FLAG_UTF8) !== 0) return raw.toString('utf8');
  try {
    return utf8.decode(raw);
  } catch {
    // Not UTF-8: legacy archives use an 8-bit code page; keep every byte as one character.
    return raw.toString('latin1');
  }
}

/**
 * Decodes every central directory header. Reading stops where the headers
 * stop; the count found must agree with the end record (modulo 2^16 for
 * classic archives, whose 16-bit counter wraps).
 */
export function parseDirectory(
  cd: Buffer,
  loc: DirectoryLocation,
  archiveSize: number,
  limits: ZipLimits,
): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  while (at + CENTRAL_LEN <= cd.length && cd.readUInt32LE(at) === SIG_CENTRAL) {
    if (entries.length >= limits.maxEntries) {
      throw tooBig(`archive holds more than ${limits.maxEntries} entries`);
    }
    const flags = cd.readUInt16LE(at + 8);
    const method = cd.readUInt16LE(at + 10);
    const crc32 = cd.readUInt32LE(at + 16);
    const nameLen = cd.readUInt16LE(at + 28);
    const extraLen = cd.readUInt16LE(at + 30);
    const commentLen = cd.readUInt16LE(at + 32);
    const end = at + CENTRAL_LEN + nameLen + extraLen + commentLen;
    if (end > cd.length) throw invalid('central directory header runs past the directory');
    if (nameLen > limits.maxNameLength) {
      throw tooBig(`entry name of ${nameLen} bytes exceeds the limit of ${limits.maxNameLength}`);
    }
    const name = decodeName(cd.subarray(at + CENTRAL_LEN, at + CENTRAL_LEN + nameLen), flags, utf8);
    const sizes = {
      compressed: cd.readUInt32LE(at + 20),
      uncompressed: cd.readUInt32LE(at + 24),
      offset: cd.readUInt32LE(at + 42),
    };
    const extraStart = at + CENTRAL_LEN + nameLen;
    applyZip64Extra(cd.subarray(extraStart, extraStart + extraLen), sizes, name);
    const localHeaderOffset = loc.base + sizes.offset;
    if (localHeaderOffset + LOCAL_LEN + sizes.compressed > archiveSize) {
      throw invalid(`entry ${JSON.stringify(name)} points past the end of the archive`);
    }
    entries.push({
      name,
      isDirectory: name.endsWith('/'),
      method,
      encrypted: (flags & FLAG_ENCRYPTED) !== 0,
      crc32,
      compressedSize: sizes.compressed,
      uncompressedSize: sizes.uncompressed,
      localHeaderOffset,
    });
    at = end;
  }
  const found = entries.length;
  const declared = loc.declaredEntries;
  const agrees = loc.zip64 ? found === declared : found % 0x10000 === declared % 0x10000;
  if (!agrees)
    throw invalid(`central directory holds ${found} entries but the end record declares ${declared}`);
  return entries;
}
