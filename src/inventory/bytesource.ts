import { open, type FileHandle } from 'node:fs/promises';
import { MamoriError } from '../core/index.js';
import type { ByteSource, CatalogFile } from './cataloger.js';

/** A ByteSource over bytes already in memory. */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(private readonly buf: Buffer) {
    this.size = buf.length;
  }
  read(offset: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.max(start, Math.min(this.size, offset + Math.max(0, length)));
    return Promise.resolve(this.buf.subarray(start, end));
  }
}

/** A ByteSource over an open file; the owner closes it. */
export class FileSource implements ByteSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      return new FileSource(fh, st.size);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === len ? buf : buf.subarray(0, got);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Reads a whole source into memory; callers bound `size` before calling. */
export function readAll(src: ByteSource): Promise<Buffer> {
  return src.read(0, src.size);
}

/** Reads a whole source as UTF-8 text. */
export async function readText(src: ByteSource): Promise<string> {
  return (await readAll(src)).toString('utf8');
}

/**
 * Reads a cataloger's file as UTF-8 text (without a byte-order mark),
 * refusing one larger than `max` bytes.
 */
export async function readTextBounded(file: CatalogFile, max: number): Promise<string> {
  if (file.size > max || file.source.size > max) {
    throw new MamoriError('LIMIT_EXCEEDED', `${file.path} is larger than ${max} bytes`);
  }
  const text = await readText(file.source);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
