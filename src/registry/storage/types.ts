import type { Readable } from 'node:stream';

/** Bytes to store: a Node stream or any async iterable of buffers (never strings). */
export type ByteInput = Readable | AsyncIterable<Uint8Array>;

export interface BlobStat {
  readonly digest: string;
  readonly size: number;
}

/** An inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface OpenedBlob {
  readonly stream: Readable;
  /** Total size of the blob (not of the range). */
  readonly size: number;
  /** The range actually served, `end` clamped to the last byte; absent for a whole-blob read. */
  readonly range?: ByteRange;
}

/** A resumable upload. `size` is the number of bytes received so far, the next offset to append at. */
export interface UploadSession {
  readonly id: string;
  readonly size: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
}

/**
 * Content-addressed blob storage with resumable upload sessions. Driver
 * neutral: the filesystem driver implements it now, an S3-compatible one
 * later. Digests are `sha256:<hex>` or `sha512:<hex>`; failures are
 * StorageError with a `reason` the HTTP layer maps to the spec's codes.
 *
 * Guarantees every driver keeps: a blob becomes visible only after its digest
 * verified, all at once; a failed or interrupted write leaves no blob
 * visible; memory does not grow with blob size.
 */
export interface BlobStore {
  stat(digest: string): Promise<BlobStat | undefined>;
  /**
   * A stream of the blob, or of the inclusive byte range of it; undefined when
   * the blob is absent. A range starting at or past the end throws
   * RANGE_INVALID carrying the blob size; `end` past the end is clamped.
   */
  open(digest: string, range?: ByteRange): Promise<OpenedBlob | undefined>;
  /** A small blob (a manifest) whole, in one read; undefined when absent, TOO_LARGE past `maxBytes`. */
  read(digest: string, maxBytes: number): Promise<Buffer | undefined>;
  /** Removes a blob; false when it was not there. */
  delete(digest: string): Promise<boolean>;
  /** Every stored digest, streamed (for garbage collection). */
  list(): AsyncIterable<string>;

  /** Opens an upload session with a random, unguessable id. */
  startUpload(): Promise<UploadSession>;
  /** The session's current state, or undefined; sessions survive restarts. */
  getUpload(id: string): Promise<UploadSession | undefined>;
  /**
   * Appends a chunk at exactly `offset`, which must equal the session's
   * current size (else BLOB_UPLOAD_INVALID carrying the current size). A
   * chunk that fails (size mismatch, limit, disk full, source error) is
   * rolled back: the session stays at `offset`.
   */
  append(id: string, offset: number, data: ByteInput, expectedLength?: number): Promise<UploadSession>;
  /**
   * Appends `finalChunk` if given, verifies the digest of everything
   * uploaded and publishes the blob atomically. An already stored blob is
   * deduplicated. A mismatch (DIGEST_INVALID) discards the upload.
   */
  commit(id: string, digest: string, finalChunk?: ByteInput): Promise<BlobStat>;
  /** Discards an upload (BLOB_UPLOAD_UNKNOWN when there is none). */
  cancel(id: string): Promise<void>;
  /** Uploads untouched since `olderThan` (for garbage collection of abandoned uploads). */
  staleUploads(olderThan: Date): AsyncIterable<string>;
  /** Stores a whole blob in one go (monolithic upload, cross-repository copy), verified before it is visible. */
  put(digest: string, data: ByteInput, expectedLength?: number): Promise<BlobStat>;
}
