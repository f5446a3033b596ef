import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, fsError } from './errors.js';
import { newHash, parseDigest } from './digest.js';
import { checkLength, mismatch, statBlob, writeLimit } from './blobs.js';
import { copyInto, dirEntries, errno, fsyncDir, hashFile, readHead } from './io.js';
import { isUploadId, publish, rememberHash, tempPath, uploadDir, type FsContext } from './layout.js';
import type { BlobStat, ByteInput, UploadSession } from './types.js';

const DATA = 'data';
const STARTED_AT = 'startedat';

/**
 * Creates the session in the temp directory and renames it into `uploads/`,
 * so a session is either complete (both files) or absent.
 */
export async function startUpload(ctx: FsContext): Promise<UploadSession> {
  const id = randomUUID();
  const stage = tempPath(ctx.layout, '.upload');
  const now = new Date();
  try {
    await mkdir(stage);
    await writeSynced(join(stage, STARTED_AT), now.toISOString(), ctx.fsync);
    await writeSynced(join(stage, DATA), '', ctx.fsync);
    if (ctx.fsync) await fsyncDir(stage);
    await rename(stage, uploadDir(ctx.layout, id));
    if (ctx.fsync) await fsyncDir(ctx.layout.uploads);
  } catch (e) {
    await rm(stage, { recursive: true, force: true }).catch(() => undefined);
    throw fsError(e, 'starting an upload');
  }
  rememberHash(ctx, id, { offset: 0, hash: newHash('sha256') });
  return { id, size: 0, startedAt: now, updatedAt: now };
}

async function writeSynced(path: string, text: string, fsync: boolean): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    if (text) await fh.writeFile(text);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function getUpload(ctx: FsContext, id: string): Promise<UploadSession | undefined> {
  if (!isUploadId(id)) return undefined;
  const dir = uploadDir(ctx.layout, id);
  let size: number;
  let updatedAt: Date;
  let startedText: string;
  try {
    const st = await stat(join(dir, DATA));
    if (!st.isFile()) return undefined;
    size = st.size;
    updatedAt = st.mtime;
    startedText = await readHead(join(dir, STARTED_AT), 64);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw fsError(e, 'reading an upload');
  }
  const startedAt = new Date(startedText.trim());
  if (Number.isNaN(startedAt.getTime())) return undefined;
  return { id, size, startedAt, updatedAt };
}

async function requireUpload(ctx: FsContext, id: string): Promise<UploadSession> {
  const session = await getUpload(ctx, id);
  if (!session) throw new StorageError('BLOB_UPLOAD_UNKNOWN', 'upload unknown or already finished');
  return session;
}

export function append(
  ctx: FsContext,
  id: string,
  offset: number,
  data: ByteInput,
  expectedLength?: number,
): Promise<UploadSession> {
  if (!isUploadId(id)) return Promise.reject(new StorageError('BLOB_UPLOAD_UNKNOWN', 'malformed upload id'));
  return ctx.locks.run(id, () => appendLocked(ctx, id, offset, data, expectedLength));
}

/**
 * Writes the chunk at the data file's end, which must be `offset`. On any
 * failure the file is truncated back to `offset`; after a crash its length
 * is the session's size, a consistent point to resume from.
 */
async function appendLocked(
  ctx: FsContext,
  id: string,
  offset: number,
  data: ByteInput,
  expectedLength: number | undefined,
): Promise<UploadSession> {
  const session = await requireUpload(ctx, id);
  if (offset !== session.size) {
    throw new StorageError('BLOB_UPLOAD_INVALID', `chunk offset ${offset} does not match the upload's size`, {
      size: session.size,
    });
  }
  const { limit, overflow } = writeLimit(ctx, offset, expectedLength);
  let fh: FileHandle;
  try {
    fh = await open(join(uploadDir(ctx.layout, id), DATA), 'r+');
  } catch (e) {
    if (errno(e) === 'ENOENT')
      throw new StorageError('BLOB_UPLOAD_UNKNOWN', 'upload unknown or already finished');
    throw fsError(e, 'opening an upload');
  }
  const cached = ctx.hashes.get(id);
  const hash = cached?.offset === offset ? cached.hash.copy() : undefined;
  let count = 0;
  try {
    count = await copyInto(fh, offset, data, limit, overflow, hash ? [hash] : []);
    checkLength(count, expectedLength);
    if (ctx.fsync) await fh.sync().catch((e: unknown) => Promise.reject(fsError(e, 'syncing an upload')));
    if (count === 0) {
      const now = new Date();
      await fh.utimes(now, now).catch(() => undefined);
    }
  } catch (e) {
    await fh.truncate(offset).catch(() => undefined);
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
  if (hash) rememberHash(ctx, id, { offset: offset + count, hash });
  else ctx.hashes.delete(id);
  return { ...session, size: offset + count, updatedAt: new Date() };
}

/**
 * Verifies and publishes an upload. The running hash kept since the session
 * started is used when it covers the whole file; otherwise (after a restart,
 * or for sha512) the data file is hashed again, streaming.
 */
export async function commit(
  ctx: FsContext,
  id: string,
  digest: string,
  finalChunk?: ByteInput,
): Promise<BlobStat> {
  const d = parseDigest(digest);
  if (!isUploadId(id)) throw new StorageError('BLOB_UPLOAD_UNKNOWN', 'malformed upload id');
  return ctx.locks.run(id, async () => {
    let { size } = await requireUpload(ctx, id);
    if (finalChunk) size = (await appendLocked(ctx, id, size, finalChunk, undefined)).size;
    const dataPath = join(uploadDir(ctx.layout, id), DATA);
    const cached = ctx.hashes.get(id);
    let fh: FileHandle | undefined;
    let hex: string;
    try {
      fh = await open(dataPath, 'r');
      size = (await fh.stat()).size;
      hex =
        d.algorithm === 'sha256' && cached?.offset === size
          ? cached.hash.copy().digest('hex')
          : await hashFile(fh, size, newHash(d.algorithm));
      if (ctx.fsync) await fh.sync();
    } catch (e) {
      if (errno(e) === 'ENOENT')
        throw new StorageError('BLOB_UPLOAD_UNKNOWN', 'upload unknown or already finished');
      throw fsError(e, 'verifying an upload');
    } finally {
      await fh?.close().catch(() => undefined);
    }
    if (hex !== d.hex) {
      await discard(ctx, id);
      throw mismatch(d, hex);
    }
    const existing = await statBlob(ctx, d);
    if (!existing) await publish(ctx, dataPath, d);
    await discard(ctx, id);
    return existing ?? { digest: d.digest, size };
  });
}

export function cancel(ctx: FsContext, id: string): Promise<void> {
  if (!isUploadId(id)) return Promise.reject(new StorageError('BLOB_UPLOAD_UNKNOWN', 'malformed upload id'));
  return ctx.locks.run(id, async () => {
    if (!(await discard(ctx, id)))
      throw new StorageError('BLOB_UPLOAD_UNKNOWN', 'upload unknown or already finished');
  });
}

/** Moves the session out of `uploads/` in one rename, then deletes it; false when it was not there. */
async function discard(ctx: FsContext, id: string): Promise<boolean> {
  ctx.hashes.delete(id);
  const trash = tempPath(ctx.layout, '.trash');
  try {
    await rename(uploadDir(ctx.layout, id), trash);
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw fsError(e, 'removing an upload');
  }
  await rm(trash, { recursive: true, force: true }).catch(() => undefined);
  return true;
}

/** Sessions whose data (or, for a broken session, directory) was last modified before `olderThan`. */
export async function* staleUploads(ctx: FsContext, olderThan: Date): AsyncGenerator<string> {
  const cutoff = olderThan.getTime();
  for await (const entry of dirEntries(ctx.layout.uploads)) {
    if (!entry.isDirectory() || !isUploadId(entry.name)) continue;
    const dir = join(ctx.layout.uploads, entry.name);
    const st = await stat(join(dir, DATA)).catch(() => stat(dir).catch(() => undefined));
    if (st && st.mtimeMs < cutoff) yield entry.name;
  }
}

/** Upload directories without a data file (a crash after publish, before cleanup) older than `cutoff`. */
export async function removeBrokenUploads(ctx: FsContext, cutoff: number): Promise<number> {
  let removed = 0;
  for await (const entry of dirEntries(ctx.layout.uploads)) {
    if (!entry.isDirectory() || !isUploadId(entry.name)) continue;
    if (await getUpload(ctx, entry.name)) continue;
    const dir = join(ctx.layout.uploads, entry.name);
    const st = await stat(dir).catch(() => undefined);
    if (!st || st.mtimeMs >= cutoff) continue;
    await ctx.locks.run(entry.name, () => discard(ctx, entry.name));
    removed++;
  }
  return removed;
}
