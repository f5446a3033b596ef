/**
 * Entry data: the compressed bytes of one entry read from a ByteSource and
 * inflated with node:zlib, never producing more than the entry declares.
 */
import { Readable, pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { createInflateRaw, inflateRaw, inflateRawSync } from 'node:zlib';
import { isMamoriError } from '../../core/index.js';
import type { ByteSource } from '../cataloger.js';
import { invalid, tooBig } from './format.js';

const inflateRawAsync = promisify(inflateRaw);
const CHUNK = 64 * 1024;

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** Inflates a whole raw deflate stream, failing as soon as it would pass `expected` bytes. */
/**
 * Small entries are inflated synchronously: a trip through the thread pool
 * costs more main-thread time than the work itself (an OSV zip holds
 * hundreds of thousands of entries of a few KiB).
 */
const SYNC_INFLATE_LIMIT = 256 * 1024;

export async function inflateAll(data: Buffer, expected: number, name: string): Promise<Buffer> {
  try {
    const opts = { maxOutputLength: Math.max(1, expected) };
    return data.length <= SYNC_INFLATE_LIMIT ? inflateRawSync(data, opts) : await inflateRawAsync(data, opts);
  } catch (e) {
    if (errCode(e) === 'ERR_BUFFER_TOO_LARGE') {
      throw tooBig(`entry ${JSON.stringify(name)} inflates past its declared size of ${expected} bytes`);
    }
    throw invalid(`entry ${JSON.stringify(name)} holds corrupt deflate data`, e);
  }
}

/** Reads `length` bytes at `start` in chunks; a short read means the archive is truncated. */
export async function* readRange(src: ByteSource, start: number, length: number): AsyncGenerator<Buffer> {
  for (let off = 0; off < length;) {
    const n = Math.min(CHUNK, length - off);
    const b = await src.read(start + off, n);
    if (b.length !== n) throw invalid('entry data is truncated');
    off += n;
    yield b;
  }
}

/** Inflates a stream of raw deflate chunks; stopping the consumer tears the pipeline down. */
export async function* inflateChunks(input: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const feeder = Readable.from(input, { objectMode: false });
  const inflater = createInflateRaw();
  pipeline(feeder, inflater, () => {
    // Errors reach the consumer through the inflater's iterator.
  });
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch (e) {
    if (isMamoriError(e)) throw e;
    throw invalid(`entry ${JSON.stringify(name)} holds corrupt deflate data`, e);
  } finally {
    feeder.destroy();
    inflater.destroy();
  }
}
