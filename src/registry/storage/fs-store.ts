import { randomUUID } from 'node:crypto';
import { lstat, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MamoriError } from '../../core/index.js';
import { parseDigest } from './digest.js';
import { fsError } from './errors.js';
import { dirEntries } from './io.js';
import { deleteBlob, listBlobs, openBlob, putBlob, readBlob, statBlob } from './blobs.js';
import { KeyedLock } from './lock.js';
import { ensureLayout, makeLayout, type FsContext } from './layout.js';
import * as uploads from './uploads.js';
import type { BlobStore } from './types.js';

/** Default upper bound on one blob: 32 GiB. */
export const DEFAULT_MAX_BLOB_BYTES = 32 * 1024 ** 3;

export interface FsBlobStoreOptions {
  /** Largest blob accepted, in bytes (default 32 GiB). */
  readonly maxBlobBytes?: number;
  /** Sync files and directories before a write is reported done (default true). */
  readonly fsync?: boolean;
  /**
   * Called after a blob was verified and synced, right before the rename that
   * publishes it. For fault-injection tests and instrumentation only.
   */
  readonly beforeRename?: (from: string, to: string) => Promise<void> | void;
}

export interface RecoverReport {
  /** Temp files, staged sessions and trash removed from `tmp/`. */
  readonly tempRemoved: number;
  /** Upload directories left without data by an interrupted commit or cancel. */
  readonly brokenUploadsRemoved: number;
}

export interface FsBlobStore extends BlobStore {
  /** Absolute root directory. */
  readonly root: string;
  /**
   * Removes what interrupted writes left behind: everything in `tmp/` and
   * every upload directory without data last modified before `olderThan`
   * (default: when this store object was created, i.e. left over by an
   * earlier process). With several processes sharing one root, pass a time
   * older than any write still running.
   */
  recover(olderThan?: Date): Promise<RecoverReport>;
}

/**
 * "Now" on the file system's clock: the time of a file written now. File
 * times come from the kernel's coarse clock, which can lag `Date.now()` by a
 * few milliseconds, so comparing them with `Date.now()` could take a file
 * written just after this moment for an older one.
 */
async function fileClockNow(dir: string): Promise<number> {
  const marker = join(dir, `.clock-${randomUUID()}`);
  try {
    await writeFile(marker, '');
    return (await lstat(marker)).mtimeMs;
  } catch (e) {
    throw fsError(e, 'reading the file system clock');
  } finally {
    await rm(marker, { force: true }).catch(() => undefined);
  }
}

/** Content-addressed blob storage on a local file system. Creates the layout under `root` if missing. */
export async function createFsBlobStore(root: string, opts: FsBlobStoreOptions = {}): Promise<FsBlobStore> {
  const maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  if (!Number.isSafeInteger(maxBlobBytes) || maxBlobBytes < 0) {
    throw new MamoriError('INVALID_ARGUMENT', 'maxBlobBytes must be a non-negative integer');
  }
  const ctx: FsContext = {
    layout: makeLayout(resolve(root)),
    maxBlobBytes,
    fsync: opts.fsync ?? true,
    beforeRename: opts.beforeRename,
    locks: new KeyedLock(),
    hashes: new Map(),
  };
  await ensureLayout(ctx.layout, ctx.fsync);
  const createdAt = await fileClockNow(ctx.layout.tmp);

  return {
    root: ctx.layout.root,
    stat: async (digest) => statBlob(ctx, parseDigest(digest)),
    open: (digest, range) => openBlob(ctx, digest, range),
    read: (digest, maxBytes) => readBlob(ctx, digest, maxBytes),
    delete: (digest) => deleteBlob(ctx, digest),
    list: () => listBlobs(ctx),
    put: (digest, data, expectedLength) => putBlob(ctx, digest, data, expectedLength),
    startUpload: () => uploads.startUpload(ctx),
    getUpload: (id) => uploads.getUpload(ctx, id),
    append: (id, offset, data, expectedLength) => uploads.append(ctx, id, offset, data, expectedLength),
    commit: (id, digest, finalChunk) => uploads.commit(ctx, id, digest, finalChunk),
    cancel: (id) => uploads.cancel(ctx, id),
    staleUploads: (olderThan) => uploads.staleUploads(ctx, olderThan),
    recover: async (olderThan) => {
      const cutoff = olderThan?.getTime() ?? createdAt;
      let tempRemoved = 0;
      for await (const entry of dirEntries(ctx.layout.tmp)) {
        const path = join(ctx.layout.tmp, entry.name);
        const st = await lstat(path).catch(() => undefined);
        if (!st || st.mtimeMs >= cutoff) continue;
        await rm(path, { recursive: true, force: true }).catch((e: unknown) =>
          Promise.reject(fsError(e, 'removing a temp file')),
        );
        tempRemoved++;
      }
      const brokenUploadsRemoved = await uploads.removeBrokenUploads(ctx, cutoff);
      return { tempRemoved, brokenUploadsRemoved };
    },
  };
}
