/**
 * A random-access ZIP reader over a ByteSource: reads the end records and the
 * central directory once, then any entry on demand as a buffer or a stream.
 * Stored and deflate entries only; sizes, ratios and CRCs are checked so that
 * a hostile archive ends in a MamoriError, never in unbounded memory or time.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ByteSource } from '../cataloger.js';
import { inflateAll, inflateChunks, readRange } from './data.js';
import { LOCAL_LEN, SIG_LOCAL, invalid, locateDirectory, parseDirectory, tooBig } from './format.js';
import { DEFAULT_ZIP_LIMITS } from './types.js';
import type { ZipEntry, ZipLimits, ZipReadOptions } from './types.js';

const STORED = 0;
const DEFLATE = 8;

function checkLimits(l: ZipLimits): ZipLimits {
  for (const [k, v] of Object.entries(l)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw invalid(`limit ${k} must be a non-negative integer`);
    }
  }
  return Object.freeze({ ...l });
}

export class ZipArchive {
  private readonly byName: ReadonlyMap<string, ZipEntry>;
  private readonly own: WeakSet<ZipEntry>;

  private constructor(
    private readonly source: ByteSource,
    readonly entries: readonly ZipEntry[],
    readonly limits: ZipLimits,
  ) {
    // A name listed twice resolves to its last entry, as java.util.zip does.
    this.byName = new Map(entries.map((e) => [e.name, e]));
    this.own = new WeakSet(entries);
  }

  /** Reads the central directory of the archive in `source`. */
  static async open(source: ByteSource, limits: Partial<ZipLimits> = {}): Promise<ZipArchive> {
    const l = checkLimits({ ...DEFAULT_ZIP_LIMITS, ...limits });
    const loc = await locateDirectory(source, l);
    const cd = await source.read(loc.start, loc.size);
    if (cd.length !== loc.size) throw invalid('central directory is truncated');
    return new ZipArchive(source, Object.freeze(parseDirectory(cd, loc, source.size, l)), l);
  }

  /** The entry with exactly this name. */
  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** Reads a whole entry into memory. */
  async read(entry: ZipEntry, options: ZipReadOptions = {}): Promise<Buffer> {
    this.check(entry, options);
    const { compressedSize: csize, uncompressedSize: usize } = entry;
    if (entry.method === DEFLATE && csize > usize + Math.ceil(usize / 1024) + 1024) {
      // No deflate writer needs this much room: refuse before reading it into memory.
      throw invalid(`entry ${JSON.stringify(entry.name)} is larger compressed than its declared size allows`);
    }
    const start = await this.dataStart(entry);
    const data = await this.source.read(start, csize);
    if (data.length !== csize) throw invalid(`entry ${JSON.stringify(entry.name)} is truncated`);
    const out = entry.method === STORED ? data : await inflateAll(data, usize, entry.name);
    this.verify(entry, out.length, crc32(out));
    return out;
  }

  /** Streams an entry; the stream errors (MamoriError) on corrupt data or a size or CRC mismatch. */
  createReadStream(entry: ZipEntry, options: ZipReadOptions = {}): Readable {
    return Readable.from(this.chunks(entry, options), { objectMode: false });
  }

  private async *chunks(entry: ZipEntry, options: ZipReadOptions): AsyncGenerator<Buffer> {
    this.check(entry, options);
    const start = await this.dataStart(entry);
    const raw = readRange(this.source, start, entry.compressedSize);
    const data = entry.method === STORED ? raw : inflateChunks(raw, entry.name);
    let produced = 0;
    let crc = 0;
    for await (const chunk of data) {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) {
        throw tooBig(
          `entry ${JSON.stringify(entry.name)} inflates past its declared size of ${entry.uncompressedSize} bytes`,
        );
      }
      crc = crc32(chunk, crc);
      yield chunk;
    }
    this.verify(entry, produced, crc);
  }

  /** Refuses entries that cannot be read or that would break a bound, before any data is read. */
  private check(entry: ZipEntry, options: ZipReadOptions): void {
    const what = `entry ${JSON.stringify(entry.name)}`;
    if (!this.own.has(entry)) {
      throw invalid(`${what} does not belong to this archive`);
    }
    if (entry.encrypted) throw invalid(`${what} is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATE) {
      throw invalid(`${what} uses unsupported compression method ${entry.method}`);
    }
    const max = options.maxBytes ?? this.limits.maxEntrySize;
    if (entry.uncompressedSize > max) {
      throw tooBig(`${what} declares ${entry.uncompressedSize} bytes, more than the limit of ${max}`);
    }
    if (entry.method === STORED && entry.compressedSize !== entry.uncompressedSize) {
      throw invalid(`${what} is stored but its compressed and uncompressed sizes differ`);
    }
    const { maxCompressionRatio: ratio, ratioFloor } = this.limits;
    if (entry.uncompressedSize > ratioFloor && entry.uncompressedSize > entry.compressedSize * ratio) {
      throw tooBig(`${what} has a compression ratio above ${ratio}:1 (zip bomb)`);
    }
  }

  private verify(entry: ZipEntry, size: number, crc: number): void {
    const what = `entry ${JSON.stringify(entry.name)}`;
    if (size !== entry.uncompressedSize) {
      throw invalid(`${what} holds ${size} bytes but declares ${entry.uncompressedSize}`);
    }
    if (crc !== entry.crc32) throw invalid(`${what} fails its CRC-32 check`);
  }

  /** Offset of an entry's data: after its local header, whose own name and extra lengths apply. */
  private async dataStart(entry: ZipEntry): Promise<number> {
    const hdr = await this.source.read(entry.localHeaderOffset, LOCAL_LEN);
    if (hdr.length !== LOCAL_LEN || hdr.readUInt32LE(0) !== SIG_LOCAL) {
      throw invalid(`entry ${JSON.stringify(entry.name)} has no local header where the directory says`);
    }
    const start = entry.localHeaderOffset + LOCAL_LEN + hdr.readUInt16LE(26) + hdr.readUInt16LE(28);
    if (start + entry.compressedSize > this.source.size) {
      throw invalid(`entry ${JSON.stringify(entry.name)} data lies past the end of the archive`);
    }
    return start;
  }
}
