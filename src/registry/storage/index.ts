export type { BlobStore, BlobStat, ByteInput, ByteRange, OpenedBlob, UploadSession } from './types.js';
export { createFsBlobStore, DEFAULT_MAX_BLOB_BYTES } from './fs-store.js';
export type { FsBlobStore, FsBlobStoreOptions, RecoverReport } from './fs-store.js';
export { StorageError, StorageErrorReasons, isStorageError } from './errors.js';
export type { StorageErrorReason } from './errors.js';
export { digestFromHex, parseDigest as parseStorageDigest } from './digest.js';
export type { ParsedDigest as StorageDigest } from './digest.js';
export { clampRange } from './blobs.js';
