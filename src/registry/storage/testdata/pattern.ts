// Deterministic test content: byte p of the stream is a function of p alone,
// so a writer killed mid-way and a verifier in another process agree on every
// byte. Block b (1 MiB) = a fixed pseudo-random block with its first 8 bytes
// replaced by b, so no two blocks are equal.
import { createHash } from 'node:crypto';

export const BLOCK = 1024 * 1024;

function makeBase(): Buffer {
  const base = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK / 32; i++) {
    createHash('sha256').update(`mamori-pattern-${i}`).digest().copy(base, i * 32);
  }
  return base;
}

const BASE = makeBase();

/** The bytes [offset, offset+length) of the pattern, freshly allocated. */
export function patternBytes(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const p = offset + done;
    const block = Math.floor(p / BLOCK);
    const within = p % BLOCK;
    const n = Math.min(BLOCK - within, length - done);
    BASE.copy(out, done, within, within + n);
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(block));
    for (let i = within; i < 8 && i < within + n; i++) out[done + i - within] = header[i] ?? 0;
    done += n;
  }
  return out;
}

/** The pattern from `offset` to `end`, in pieces of `piece` bytes. */
export async function* patternStream(offset: number, end: number, piece: number): AsyncGenerator<Buffer> {
  for (let p = offset; p < end; p += piece) yield patternBytes(p, Math.min(piece, end - p));
}

/** sha256 digest of the first `total` bytes of the pattern. */
export function patternDigest(total: number, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  const h = createHash(algorithm);
  for (let p = 0; p < total; p += BLOCK) h.update(patternBytes(p, Math.min(BLOCK, total - p)));
  return `${algorithm}:${h.digest('hex')}`;
}
