import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { MamoriError } from '../core/index.js';
import type { LayerDescriptor } from './types.js';

export interface LayerReadLimits {
  /** Largest uncompressed layer accepted (decompression-bomb guard). */
  readonly maxLayerBytes: number;
}

export const DEFAULT_MAX_LAYER_BYTES = 32 * 1024 * 1024 * 1024;

type Chunks = AsyncIterable<Buffer>;

function hashName(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** Passes bytes through while hashing and counting them; fails on the first byte past `size` and at the end on a digest mismatch. */
async function* verify(
  src: Chunks,
  what: string,
  digest: string | undefined,
  size: number | undefined,
  max: number,
  onBytes?: (n: number) => void,
): AsyncGenerator<Buffer> {
  const hash = digest ? createHash(hashName(digest)) : undefined;
  let total = 0;
  for await (const chunk of src) {
    total += chunk.length;
    if (size !== undefined && total > size) {
      throw new MamoriError('SIZE_MISMATCH', `${what}: more bytes than the ${size} its descriptor declares`);
    }
    if (total > max)
      throw new MamoriError('LIMIT_EXCEEDED', `${what}: larger than the limit of ${max} bytes`);
    hash?.update(chunk);
    onBytes?.(chunk.length);
    yield chunk;
  }
  if (size !== undefined && total !== size) {
    throw new MamoriError('SIZE_MISMATCH', `${what}: ${total} bytes, its descriptor declares ${size}`);
  }
  if (hash && digest) {
    const actual = `${hashName(digest)}:${hash.digest('hex')}`;
    if (actual !== digest) {
      throw new MamoriError('DIGEST_MISMATCH', `${what}: content digest ${actual} does not match ${digest}`);
    }
  }
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

async function* gunzip(src: Chunks, what: string): AsyncGenerator<Buffer> {
  const z = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(Readable.from(src, { objectMode: false }), z, () => {});
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('INVALID_LAYER', `${what}: gzip: ${(e as Error).message}`, { cause: e });
  } finally {
    z.destroy();
  }
}

async function* unzstd(src: Chunks, what: string): AsyncGenerator<Buffer> {
  const out: Uint8Array[] = [];
  let ended = false;
  const d = new ZstdDecompress((chunk, final) => {
    out.push(chunk);
    if (final) ended = true;
  });
  try {
    for await (const chunk of src) {
      d.push(chunk);
      for (let c = out.shift(); c; c = out.shift()) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    }
    d.push(new Uint8Array(0), true);
    for (let c = out.shift(); c; c = out.shift()) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('INVALID_LAYER', `${what}: zstd: ${(e as Error).message}`, { cause: e });
  }
  if (!ended) throw new MamoriError('INVALID_LAYER', `${what}: zstd: truncated stream`);
}

/** Decompresses by content (gzip, zstd or plain tar), whatever the media type claims. */
async function* decompress(src: Chunks, what: string): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 4) {
    const r = await it.next();
    if (r.done) break;
    head = head.length ? Buffer.concat([head, r.value]) : r.value;
  }
  if (head.length === 0) return;
  const rest = prepend(head, it);
  if (head[0] === 0x1f && head[1] === 0x8b) yield* gunzip(rest, what);
  else if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) yield* unzstd(rest, what);
  else yield* rest;
}

/**
 * The uncompressed tar stream of a layer. The stored bytes are checked
 * against the layer's digest and size, and the uncompressed bytes against its
 * diff-id, as they stream; a mismatch fails the stream at its end, before the
 * consumer can treat the layer as read.
 */
export function readLayer(
  raw: Readable,
  layer: LayerDescriptor,
  what: string,
  limits: LayerReadLimits,
  onCompressedBytes?: (n: number) => void,
): Readable {
  const stored = verify(
    raw,
    `${what} blob`,
    layer.digest,
    layer.size,
    Number.MAX_SAFE_INTEGER,
    onCompressedBytes,
  );
  const plain = verify(
    decompress(stored, what),
    `${what} (uncompressed)`,
    layer.diffId,
    undefined,
    limits.maxLayerBytes,
  );
  const out = Readable.from(plain, { objectMode: false, highWaterMark: 256 * 1024 });
  out.once('close', () => raw.destroy());
  return out;
}
