import { open, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, fsError } from './errors.js';
import { digestFromHex, newHash, parseDigest, type ParsedDigest } from './digest.js';
import { copyInto, dirEntries, errno } from './io.js';
import { ALGORITHMS, blobPath, publish, tempPath, type FsContext } from './layout.js';
import type { BlobStat, ByteInput, ByteRange, OpenedBlob } from './types.js';

const PREFIX_RE = /^[0-9a-f]{2}$/;
/** Bytes per read of a blob download: fewer, larger reads and socket writes than the 64 KiB default. */
const READ_CHUNK = 1024 * 1024;

export async function statBlob(ctx: FsContext, d: ParsedDigest): Promise<BlobStat | undefined> {
  try {
    const st = await stat(blobPath(ctx.layout, d));
    return st.isFile() ? { digest: d.digest, size: st.size } : undefined;
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw fsError(e, 'reading blob metadata');
  }
}

/** The blob's file opened for reading with its size; undefined when absent or not a regular file. */
async function openFile(
  ctx: FsContext,
  d: ParsedDigest,
): Promise<{ fh: FileHandle; size: number } | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(blobPath(ctx.layout, d), 'r');
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw fsError(e, 'opening a blob');
  }
  try {
    const st = await fh.stat();
    if (st.isFile()) return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw fsError(e, 'opening a blob');
  }
  await fh.close();
  return undefined;
}

export async function openBlob(
  ctx: FsContext,
  digest: string,
  range?: ByteRange,
): Promise<OpenedBlob | undefined> {
  const file = await openFile(ctx, parseDigest(digest));
  if (!file) return undefined;
  const { fh, size } = file;
  if (!range) return { stream: fh.createReadStream({ highWaterMark: READ_CHUNK }), size };
  try {
    const served = clampRange(range, size);
    return {
      stream: fh.createReadStream({ start: served.start, end: served.end, highWaterMark: READ_CHUNK }),
      size,
      range: served,
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * A small blob (a manifest) read whole in one call: no stream, one open.
 * Undefined when absent; StorageError TOO_LARGE when the file is bigger than maxBytes.
 */
export async function readBlob(
  ctx: FsContext,
  digest: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const d = parseDigest(digest);
  const file = await openFile(ctx, d);
  if (!file) return undefined;
  const { fh, size } = file;
  try {
    if (size > maxBytes) {
      throw new StorageError('TOO_LARGE', `blob ${d.digest} is larger than ${maxBytes} bytes`);
    }
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } catch (e) {
    throw e instanceof StorageError ? e : fsError(e, 'reading a blob');
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** HTTP range semantics: start must fall inside the blob, an end past the last byte is clamped. */
export function clampRange(range: ByteRange, size: number): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new StorageError('RANGE_INVALID', 'malformed byte range', { size });
  }
  if (start >= size) {
    throw new StorageError('RANGE_INVALID', `range starts at ${start}, past the blob's ${size} bytes`, {
      size,
    });
  }
  return { start, end: Math.min(end, size - 1) };
}

export async function deleteBlob(ctx: FsContext, digest: string): Promise<boolean> {
  const d = parseDigest(digest);
  try {
    await unlink(blobPath(ctx.layout, d));
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return false;
    throw fsError(e, 'deleting a blob');
  }
}

/** Every published digest, one directory at a time; names that are not digests are skipped. */
export async function* listBlobs(ctx: FsContext): AsyncGenerator<string> {
  for (const algorithm of ALGORITHMS) {
    const algDir = join(ctx.layout.blobs, algorithm);
    for await (const prefix of dirEntries(algDir)) {
      if (!prefix.isDirectory() || !PREFIX_RE.test(prefix.name)) continue;
      for await (const entry of dirEntries(join(algDir, prefix.name))) {
        if (!entry.isFile() || !entry.name.startsWith(prefix.name)) continue;
        const digest = digestFromHex(algorithm, entry.name);
        if (digest) yield digest;
      }
    }
  }
}

/** The limit a write of `expectedLength` bytes (or of unknown length) at `offset` runs under. */
export function writeLimit(
  ctx: FsContext,
  offset: number,
  expectedLength: number | undefined,
): { limit: number; overflow: () => StorageError } {
  const room = ctx.maxBlobBytes - offset;
  if (expectedLength === undefined) {
    return {
      limit: room,
      overflow: () => new StorageError('TOO_LARGE', `blob exceeds the limit of ${ctx.maxBlobBytes} bytes`),
    };
  }
  if (!Number.isSafeInteger(expectedLength) || expectedLength < 0) {
    throw new StorageError('SIZE_INVALID', 'expected length must be a non-negative integer');
  }
  if (expectedLength > room) {
    throw new StorageError('TOO_LARGE', `blob exceeds the limit of ${ctx.maxBlobBytes} bytes`);
  }
  return {
    limit: expectedLength,
    overflow: () => new StorageError('SIZE_INVALID', `more data than the declared ${expectedLength} bytes`),
  };
}

export function checkLength(count: number, expectedLength: number | undefined): void {
  if (expectedLength !== undefined && count !== expectedLength) {
    throw new StorageError('SIZE_INVALID', `received ${count} bytes, ${expectedLength} were declared`);
  }
}

export function mismatch(d: ParsedDigest, actualHex: string): StorageError {
  return new StorageError(
    'DIGEST_INVALID',
    `content has digest ${d.algorithm}:${actualHex}, not the declared ${d.digest}`,
  );
}

/**
 * Monolithic put: stream into a temp file while hashing, verify length and
 * digest, sync, rename into place. When the blob already exists the data is
 * only hashed (to answer truthfully), never written. Any failure removes the
 * temp file.
 */
export async function putBlob(
  ctx: FsContext,
  digest: string,
  data: ByteInput,
  expectedLength?: number,
): Promise<BlobStat> {
  const d = parseDigest(digest);
  const { limit, overflow } = writeLimit(ctx, 0, expectedLength);
  const hash = newHash(d.algorithm);
  const existing = await statBlob(ctx, d);
  if (existing) {
    const count = await copyInto(undefined, 0, data, limit, overflow, [hash]);
    checkLength(count, expectedLength);
    const hex = hash.digest('hex');
    if (hex !== d.hex) throw mismatch(d, hex);
    return existing;
  }
  const tmp = tempPath(ctx.layout, '.blob');
  let fh: FileHandle | undefined;
  try {
    const handle = await open(tmp, 'wx').catch((e: unknown) =>
      Promise.reject(fsError(e, 'creating a temp file')),
    );
    fh = handle;
    const count = await copyInto(handle, 0, data, limit, overflow, [hash]);
    checkLength(count, expectedLength);
    const hex = hash.digest('hex');
    if (hex !== d.hex) throw mismatch(d, hex);
    if (ctx.fsync) await handle.sync().catch((e: unknown) => Promise.reject(fsError(e, 'syncing a blob')));
    await handle.close();
    fh = undefined;
    const raced = await statBlob(ctx, d);
    if (raced) {
      await rm(tmp, { force: true });
      return raced;
    }
    await publish(ctx, tmp, d);
    return { digest: d.digest, size: count };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
