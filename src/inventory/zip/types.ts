/** One file or directory recorded in a ZIP archive's central directory. */
export interface ZipEntry {
  /** The name as stored (UTF-8, or each byte as one character when it is not UTF-8); never interpreted as a path. */
  readonly name: string;
  readonly isDirectory: boolean;
  /** Compression method: 0 stored, 8 deflate; others cannot be read. */
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Absolute offset of the entry's local header in the source. */
  readonly localHeaderOffset: number;
}

/** Hard bounds on what an archive may make the reader do. */
export interface ZipLimits {
  /** Most entries the central directory may list. */
  readonly maxEntries: number;
  /** Longest entry name, in bytes. */
  readonly maxNameLength: number;
  /** Largest central directory read into memory, in bytes. */
  readonly maxCentralDirectorySize: number;
  /** Largest uncompressed entry `read`/`stream` deliver unless the call gives its own bound. */
  readonly maxEntrySize: number;
  /** Largest uncompressed/compressed ratio allowed once an entry's output passes `ratioFloor`. */
  readonly maxCompressionRatio: number;
  /** Output size below which the ratio is not checked (small, very repetitive files are normal). */
  readonly ratioFloor: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = Object.freeze({
  maxEntries: 200_000,
  maxNameLength: 4096,
  maxCentralDirectorySize: 64 * 1024 * 1024,
  maxEntrySize: 64 * 1024 * 1024,
  maxCompressionRatio: 500,
  ratioFloor: 1024 * 1024,
});

/** Options of a single read. */
export interface ZipReadOptions {
  /** Refuse (read) or stop with an error (stream) past this many uncompressed bytes; default `maxEntrySize`. */
  readonly maxBytes?: number;
}
