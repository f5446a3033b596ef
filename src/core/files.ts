/**
 * Reading small input files (ignore files, VEX documents, allow-lists,
 * Dockerfiles) at the boundary: bounded, never blocking on a FIFO, with
 * clear errors.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { MamoriError } from './errors.js';

/** Reads a regular file of at most `max` bytes; never blocks on a FIFO or reads past the bound. */
export async function readBoundedFile(path: string, max: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new MamoriError('NOT_FOUND', `${path}: no such file`, { cause: e });
    throw new MamoriError('IO', `${path}: cannot open: ${(e as Error).message}`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', `${path}: not a regular file`);
    if (st.size > max) throw new MamoriError('LIMIT_EXCEEDED', `${path}: larger than ${max} bytes`);
    const buf = Buffer.alloc(Math.min(max + 1, st.size + 1));
    let n = 0;
    for (;;) {
      if (n === buf.length) break;
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > max) throw new MamoriError('LIMIT_EXCEEDED', `${path}: larger than ${max} bytes`);
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('IO', `${path}: cannot read: ${(e as Error).message}`, { cause: e });
  } finally {
    await fh.close();
  }
}

/** UTF-8 text of a file's bytes (a byte-order mark dropped); anything else is refused. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new MamoriError('INVALID_ARGUMENT', `${name}: not UTF-8 text`, { cause: e });
  }
}
