import type { Dir, Dirent } from 'node:fs';
import { open, opendir, type FileHandle } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import { MamoriError } from '../../core/index.js';
import { fsError, type StorageError } from './errors.js';
import type { ByteInput } from './types.js';

/** Small chunks are gathered into a buffer of this size before they are written. */
const STAGE_BYTES = 256 * 1024;
const READ_BYTES = 1024 * 1024;

/**
 * Copies `data` into `fh` starting at `position` (or only counts and hashes it
 * when `fh` is undefined), feeding every byte to `hashes`. Stops as soon as
 * more than `limit` bytes arrive and throws `overflow()`. Memory stays at one
 * staging buffer whatever the size. File-system errors become StorageError;
 * errors of the source itself propagate unchanged.
 */
export async function copyInto(
  fh: FileHandle | undefined,
  position: number,
  data: ByteInput,
  limit: number,
  overflow: () => StorageError,
  hashes: readonly Hash[],
): Promise<number> {
  let count = 0;
  let pos = position;
  let stage: Buffer | undefined;
  let fill = 0;
  const flush = async (): Promise<void> => {
    if (fh && stage && fill > 0) await writeAll(fh, stage.subarray(0, fill), pos - fill);
    fill = 0;
  };
  for await (const chunk of data as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new MamoriError(
        'INVALID_ARGUMENT',
        'blob data must be a stream of bytes, not of strings or objects',
      );
    }
    if (chunk.length > limit - count) throw overflow();
    for (const h of hashes) h.update(chunk);
    count += chunk.length;
    if (!fh) continue;
    if (chunk.length >= STAGE_BYTES / 2) {
      await flush();
      await writeAll(fh, chunk, pos);
    } else {
      stage ??= Buffer.allocUnsafe(STAGE_BYTES);
      if (fill + chunk.length > STAGE_BYTES) await flush();
      stage.set(chunk, fill);
      fill += chunk.length;
    }
    pos += chunk.length;
  }
  await flush();
  return count;
}

async function writeAll(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let off = 0;
  try {
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
      off += bytesWritten;
    }
  } catch (e) {
    throw fsError(e, 'writing blob data');
  }
}

/** Hashes the first `size` bytes of an open file, streaming. */
export async function hashFile(fh: FileHandle, size: number, hash: Hash): Promise<string> {
  const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(1, size)));
  let pos = 0;
  try {
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } catch (e) {
    throw fsError(e, 'reading upload data');
  }
  return hash.digest('hex');
}

/** Flushes a directory's entries (a new or renamed file's name) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    throw fsError(e, 'syncing a directory');
  } finally {
    await fh?.close();
  }
}

/** Error code of a Node system error, if any. */
export function errno(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The first `max` bytes of a small metadata file, as text. */
export async function readHead(path: string, max: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.toString('latin1', 0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Entries of a directory, streamed; none when it does not exist; other errors become StorageError. */
export async function* dirEntries(dir: string): AsyncGenerator<Dirent> {
  let handle: Dir;
  try {
    handle = await opendir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
    throw fsError(e, 'listing a storage directory');
  }
  try {
    for await (const entry of handle) yield entry;
  } catch (e) {
    throw fsError(e, 'listing a storage directory');
  }
}
