// Blob storage in an S3-compatible bucket; see s3-store.ts for the design
// and its known limitation (upload sessions are per node).
export { createS3BlobStore } from './s3-store.js';
export type { S3BlobStore, S3BlobStoreOptions, S3RecoverReport } from './s3-store.js';
