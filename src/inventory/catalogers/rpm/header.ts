/**
 * The rpm header blob as rpm stores it in its package database: a count of
 * index entries (`il`) and the data length (`dl`), both big-endian, then `il`
 * 16-byte index entries (tag, type, offset, count) and the `dl`-byte data
 * store the offsets point into. A blob exported with `rpmdb --exportdb` (or
 * read from a package file) starts with the 8-byte header magic; it is
 * accepted too.
 *
 * Only the tags mamori reads are decoded, each with its own bounds checks;
 * the others are never touched. A header whose wanted tags do not decode is
 * rejected as a whole, as rpm rejects it.
 */
import { MamoriError } from '../../../core/index.js';

/** What mamori keeps of one installed rpm header. JSON-serialisable. */
export interface RpmHeader {
  readonly name: string;
  /** Upstream version (`VERSION`). */
  readonly version: string;
  readonly release: string;
  /** `EPOCH`, only when the header carries the tag (0 included). */
  readonly epoch?: number;
  readonly arch?: string;
  readonly sourceRpm?: string;
  readonly license?: string;
  readonly vendor?: string;
  /** Installed size in bytes (`LONGSIZE`, else `SIZE`). */
  readonly size?: number;
  readonly modularityLabel?: string;
  /** Absolute paths, from DIRNAMES/BASENAMES/DIRINDEXES or the legacy OLDFILENAMES. */
  readonly files: readonly string[];
}

/** Most index entries in a header (rpm's HEADER_TAGS_MAX). */
export const MAX_HEADER_TAGS = 0xffff;
/** Largest header data store mamori accepts (rpm allows 256 MiB; real headers stay below a few MiB). */
export const MAX_HEADER_DATA = 64 * 1024 * 1024;

const HEADER_MAGIC = 0x8eade801;

const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

const WANTED: ReadonlySet<number> = new Set(Object.values(TAG));

const TYPE = {
  INT32: 4,
  INT64: 5,
  STRING: 6,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

interface IndexEntry {
  readonly tag: number;
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

function bad(message: string): MamoriError {
  return new MamoriError('INVALID_ARGUMENT', `rpm header: ${message}`);
}

/** The bytes of one header and where its data store lies in them. */
class HeaderData {
  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly length: number,
  ) {}

  /** Absolute position of an entry's data, checked to lie in the store with room for `minBytes`. */
  private at(e: IndexEntry, minBytes: number, align: number): number {
    if (e.offset < 0 || e.offset >= this.length || e.offset % align !== 0) {
      throw bad(`tag ${e.tag}: offset ${e.offset} out of the data store`);
    }
    if (e.count < 1 || e.count > this.length) throw bad(`tag ${e.tag}: bad count ${e.count}`);
    if (minBytes > this.length - e.offset) throw bad(`tag ${e.tag}: data runs past the store`);
    return this.start + e.offset;
  }

  strings(e: IndexEntry): string[] {
    if (e.type === TYPE.STRING && e.count !== 1) throw bad(`tag ${e.tag}: string with count ${e.count}`);
    if (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING) {
      throw bad(`tag ${e.tag}: type ${e.type} is not a string type`);
    }
    let pos = this.at(e, e.count, 1);
    const end = this.start + this.length;
    const out: string[] = [];
    for (let i = 0; i < e.count; i++) {
      const nul = this.buf.indexOf(0, pos);
      if (nul < 0 || nul >= end) throw bad(`tag ${e.tag}: unterminated string`);
      out.push(this.buf.toString('utf8', pos, nul));
      pos = nul + 1;
    }
    return out;
  }

  int32s(e: IndexEntry): number[] {
    if (e.type !== TYPE.INT32) throw bad(`tag ${e.tag}: type ${e.type} is not INT32`);
    const pos = this.at(e, e.count * 4, 4);
    const out = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = this.buf.readUInt32BE(pos + i * 4);
    return out;
  }

  int64(e: IndexEntry): number {
    if (e.type !== TYPE.INT64) throw bad(`tag ${e.tag}: type ${e.type} is not INT64`);
    const v = this.buf.readBigUInt64BE(this.at(e, 8, 8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`tag ${e.tag}: value out of range`);
    return Number(v);
  }
}

/** Reads the index, keeping the last entry of each wanted tag (rpm lets later "dribble" entries override region ones). */
function readIndex(buf: Buffer): { entries: Map<number, IndexEntry>; data: HeaderData } {
  let base = 0;
  if (buf.length >= 8 && buf.readUInt32BE(0) === HEADER_MAGIC) base = 8;
  if (buf.length - base < 8) throw bad('shorter than its preamble');
  const il = buf.readUInt32BE(base);
  const dl = buf.readUInt32BE(base + 4);
  if (il < 1 || il > MAX_HEADER_TAGS) throw bad(`bad index entry count ${il}`);
  if (dl > MAX_HEADER_DATA) throw bad(`data store of ${dl} bytes is too large`);
  const indexStart = base + 8;
  const dataStart = indexStart + il * 16;
  if (dataStart + dl > buf.length) throw bad('truncated');
  const entries = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const p = indexStart + i * 16;
    const tag = buf.readUInt32BE(p);
    if (!WANTED.has(tag)) continue;
    entries.set(tag, {
      tag,
      type: buf.readUInt32BE(p + 4),
      offset: buf.readInt32BE(p + 8),
      count: buf.readUInt32BE(p + 12),
    });
  }
  return { entries, data: new HeaderData(buf, dataStart, dl) };
}

/**
 * Joins DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], dropping entries whose index
 * is out of range. Many entries may name one long directory, so the joined
 * paths are bounded (a multiple of the data store, far above what real
 * packages reach) lest a small header expand into gigabytes of paths.
 */
function buildFiles(
  baseNames: readonly string[],
  dirNames: readonly string[],
  dirIndexes: readonly number[],
  dataLength: number,
): string[] {
  const maxChars = 4 * dataLength + 1024 * 1024;
  const n = Math.min(baseNames.length, dirIndexes.length);
  const files: string[] = [];
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const dir = dirNames[dirIndexes[i] ?? -1];
    if (dir === undefined) continue;
    const path = dir + (baseNames[i] ?? '');
    chars += path.length;
    if (chars > maxChars) throw bad('file list larger than its header allows');
    files.push(path);
  }
  return files;
}

/**
 * Parses one header blob. Throws MamoriError (INVALID_ARGUMENT) when the blob
 * is not a well-formed header with NAME, VERSION and RELEASE.
 */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const buf = Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const { entries, data } = readIndex(buf);
  const str = (tag: number): string | undefined => {
    const e = entries.get(tag);
    return e === undefined ? undefined : data.strings(e)[0];
  };
  const name = str(TAG.NAME);
  const version = str(TAG.VERSION);
  const release = str(TAG.RELEASE);
  if (!name || version === undefined || release === undefined) throw bad('NAME, VERSION or RELEASE missing');

  const epochEntry = entries.get(TAG.EPOCH);
  const epoch = epochEntry === undefined ? undefined : data.int32s(epochEntry)[0];
  const longSize = entries.get(TAG.LONGSIZE);
  const sizeEntry = entries.get(TAG.SIZE);
  const size =
    longSize !== undefined
      ? data.int64(longSize)
      : sizeEntry !== undefined
        ? data.int32s(sizeEntry)[0]
        : undefined;

  const baseNames = entries.get(TAG.BASENAMES);
  const dirNames = entries.get(TAG.DIRNAMES);
  const dirIndexes = entries.get(TAG.DIRINDEXES);
  const oldNames = entries.get(TAG.OLDFILENAMES);
  let files: string[] = [];
  if (baseNames !== undefined && dirNames !== undefined && dirIndexes !== undefined) {
    files = buildFiles(data.strings(baseNames), data.strings(dirNames), data.int32s(dirIndexes), data.length);
  } else if (oldNames !== undefined) {
    files = data.strings(oldNames);
  }

  const h: { -readonly [K in keyof RpmHeader]: RpmHeader[K] } = { name, version, release, files };
  const arch = str(TAG.ARCH);
  const sourceRpm = str(TAG.SOURCERPM);
  const license = str(TAG.LICENSE);
  const vendor = str(TAG.VENDOR);
  const modularityLabel = str(TAG.MODULARITYLABEL);
  if (epoch !== undefined) h.epoch = epoch;
  if (arch !== undefined) h.arch = arch;
  if (sourceRpm !== undefined) h.sourceRpm = sourceRpm;
  if (license !== undefined) h.license = license;
  if (vendor !== undefined) h.vendor = vendor;
  if (size !== undefined) h.size = size;
  if (modularityLabel !== undefined) h.modularityLabel = modularityLabel;
  return h;
}
