/**
 * Blob storage in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …).
 *
 * Published blobs are objects at `<prefix>blobs/<algorithm>/<hex>`. Nothing
 * unverified is ever written there: data is first staged on the local file
 * system (an fs blob store under `stagingDir`), verified against its digest,
 * then streamed to S3 in multipart uploads of 8 MiB parts, two in flight, so
 * memory does not grow with blob size. S3 makes an object visible only when
 * its upload completes and a failed multipart upload is aborted, so a crash
 * or failure never leaves a partial blob visible. A blob already in the
 * bucket is never uploaded again.
 *
 * A process killed during a multipart upload leaves an incomplete multipart
 * upload in the bucket: never visible as an object, but billed as storage
 * until aborted. Give the bucket a lifecycle rule that aborts incomplete
 * multipart uploads after a day (AbortIncompleteMultipartUpload).
 *
 * Known limitation: upload sessions live in the local staging directory, so
 * they are per node. Several replicas behind a load balancer must keep every
 * request of one upload on the same replica (sticky sessions); on another
 * replica the session is BLOB_UPLOAD_UNKNOWN. Published blobs are shared by
 * all replicas through the bucket.
 *
 * A HEAD on an object of a missing bucket cannot be told apart from a missing
 * object (S3 sends no body), so `stat` reports absence there; `check()` is the
 * readiness probe that tells the bucket's absence, denied access and an
 * unreachable endpoint apart.
 */
import { MamoriError } from '../../core/index.js';
import type { S3Config } from '../../config/types.js';
import {
  StorageError,
  clampRange,
  createFsBlobStore,
  type BlobStat,
  type BlobStore,
  type FsBlobStore,
  type RecoverReport,
} from '../storage/index.js';
import { checkS3Config, makeS3Client } from './client.js';
import { blobKey, parseDigest, type ParsedDigest } from './keys.js';
import { Objects } from './objects.js';

export interface S3BlobStoreOptions extends S3Config {
  /** Local directory for upload sessions and verification (created if missing). */
  readonly stagingDir: string;
  /** Largest blob accepted, in bytes (default: the fs store's, 32 GiB). */
  readonly maxBlobBytes?: number;
  /** Sync staged files before they are reported written (default true). */
  readonly fsync?: boolean;
}

export interface S3RecoverReport extends RecoverReport {
  /** Verified blobs an interrupted commit left in staging, now uploaded (or found already in S3). */
  readonly blobsPushed: number;
}

export interface S3BlobStore extends BlobStore {
  /** Where blobs live, for logs and readiness output: `s3://bucket/prefix (endpoint)`, no credentials. */
  readonly location: string;
  /** A small blob whole, in one GET; TOO_LARGE (decided from the headers) past `maxBytes`. */
  read(digest: string, maxBytes: number): Promise<Buffer | undefined>;
  /** Resolves when the bucket exists and is accessible; StorageError IO saying why not otherwise. */
  check(): Promise<void>;
  /**
   * Cleans the staging directory like the fs store's `recover` and finishes
   * the uploads of verified blobs an interrupted commit left there.
   */
  recover(olderThan?: Date): Promise<S3RecoverReport>;
  /** Closes the client's connections. */
  close(): void;
}

export async function createS3BlobStore(options: S3BlobStoreOptions): Promise<S3BlobStore> {
  const where = checkS3Config(options);
  const staging: FsBlobStore = await createFsBlobStore(options.stagingDir, {
    ...(options.maxBlobBytes === undefined ? {} : { maxBlobBytes: options.maxBlobBytes }),
    fsync: options.fsync ?? true,
  });
  const client = makeS3Client(options);
  const objects = new Objects(client, where);
  const { prefix } = options;
  const key = (d: ParsedDigest): string => blobKey(prefix, d);
  const pushing = new Map<string, Promise<BlobStat>>();

  /**
   * Moves a verified blob from staging to the bucket unless it is there
   * already, then drops the staged copy. One push per digest at a time.
   */
  const push = (d: ParsedDigest): Promise<BlobStat> => {
    const running = pushing.get(d.digest);
    if (running) return running;
    const started = pushOnce(d).finally(() => pushing.delete(d.digest));
    pushing.set(d.digest, started);
    return started;
  };
  const pushOnce = async (d: ParsedDigest): Promise<BlobStat> => {
    try {
      const existing = await objects.size(key(d));
      if (existing !== undefined) return { digest: d.digest, size: existing };
      const local = await staging.open(d.digest);
      if (!local) {
        throw new StorageError('IO', 'a verified blob left the staging directory before it reached S3');
      }
      await objects.upload(key(d), local.stream, local.size);
      return { digest: d.digest, size: local.size };
    } finally {
      await staging.delete(d.digest).catch(() => undefined);
    }
  };

  return {
    location: `s3://${options.bucket}/${prefix} (${where.endpoint})`,
    check: () => objects.checkBucket(),
    close: () => client.destroy(),

    stat: async (digest) => {
      const d = parseDigest(digest);
      const size = await objects.size(key(d));
      return size === undefined ? undefined : { digest: d.digest, size };
    },
    open: async (digest, range) => {
      const d = parseDigest(digest);
      if (!range) {
        const whole = await objects.get(key(d));
        return whole && { stream: whole.stream, size: whole.length };
      }
      const size = await objects.size(key(d));
      if (size === undefined) return undefined;
      const served = clampRange(range, size);
      const part = await objects.get(key(d), served);
      return part && { stream: part.stream, size, range: served };
    },
    read: async (digest, maxBytes) => {
      const d = parseDigest(digest);
      if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
        throw new MamoriError('INVALID_ARGUMENT', 'maxBytes must be a non-negative integer');
      }
      return objects.read(key(d), maxBytes, d.digest);
    },
    delete: async (digest) => {
      const d = parseDigest(digest);
      if ((await objects.size(key(d))) === undefined) return false;
      await objects.delete(key(d));
      return true;
    },
    list: () => objects.digests(prefix),

    put: async (digest, data, expectedLength) => {
      const d = parseDigest(digest);
      await staging.put(d.digest, data, expectedLength);
      return push(d);
    },
    startUpload: () => staging.startUpload(),
    getUpload: (id) => staging.getUpload(id),
    append: (id, offset, data, expectedLength) => staging.append(id, offset, data, expectedLength),
    commit: async (id, digest, finalChunk) => {
      const d = parseDigest(digest);
      await staging.commit(id, d.digest, finalChunk);
      return push(d);
    },
    cancel: (id) => staging.cancel(id),
    staleUploads: (olderThan) => staging.staleUploads(olderThan),

    recover: async (olderThan) => {
      const report = await staging.recover(olderThan);
      let blobsPushed = 0;
      for await (const digest of staging.list()) {
        await push(parseDigest(digest));
        blobsPushed++;
      }
      return { ...report, blobsPushed };
    },
  };
}
