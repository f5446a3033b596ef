/**
 * The mark set: every digest the state store says must be kept, held
 * compactly. The state streams digests in binary order, so `sha256:` and
 * `sha512:` digests are packed as raw bytes into growing buffers (32 or 64
 * bytes each, ascending) and looked up by binary search: one million
 * sha256 digests take 32 MiB (plus up to the same again while a buffer
 * grows), against roughly 150 MiB for a `Set` of the strings. Anything
 * else (another algorithm, upper-case hex, a digest out of order) goes to a
 * plain `Set`, so the answer is right whatever order the stream has.
 */

const PACKED: Readonly<Record<string, number>> = { sha256: 32, sha512: 64 };
const PACKED_RE = /^(sha256|sha512):([0-9a-f]+)$/;
const INITIAL = 1024;

interface Packed {
  readonly width: number;
  buf: Buffer;
  count: number;
}

function parse(digest: string): { alg: string; bytes: Buffer } | undefined {
  const m = PACKED_RE.exec(digest);
  if (!m) return undefined;
  const alg = m[1] as string;
  const hex = m[2] as string;
  const width = PACKED[alg];
  if (width === undefined || hex.length !== width * 2) return undefined;
  return { alg, bytes: Buffer.from(hex, 'hex') };
}

export class MarkSet {
  private readonly packed = new Map<string, Packed>();
  private readonly extra = new Set<string>();

  /** Adds a digest; cheap when digests arrive in ascending order. */
  add(digest: string): void {
    const p = parse(digest);
    if (!p) {
      this.extra.add(digest);
      return;
    }
    let t = this.packed.get(p.alg);
    if (!t) {
      t = { width: p.bytes.length, buf: Buffer.alloc(INITIAL * p.bytes.length), count: 0 };
      this.packed.set(p.alg, t);
    }
    if (t.count > 0) {
      const c = Buffer.compare(p.bytes, t.buf.subarray((t.count - 1) * t.width, t.count * t.width));
      if (c === 0) return;
      if (c < 0) {
        if (!this.has(digest)) this.extra.add(digest);
        return;
      }
    }
    if ((t.count + 1) * t.width > t.buf.length) {
      const bigger = Buffer.alloc(t.buf.length * 2);
      t.buf.copy(bigger, 0, 0, t.count * t.width);
      t.buf = bigger;
    }
    p.bytes.copy(t.buf, t.count * t.width);
    t.count++;
  }

  has(digest: string): boolean {
    if (this.extra.has(digest)) return true;
    const p = parse(digest);
    if (!p) return false;
    const t = this.packed.get(p.alg);
    if (!t) return false;
    let lo = 0;
    let hi = t.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = Buffer.compare(p.bytes, t.buf.subarray(mid * t.width, (mid + 1) * t.width));
      if (c === 0) return true;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return false;
  }

  /** Number of distinct digests added. */
  get size(): number {
    let n = this.extra.size;
    for (const t of this.packed.values()) n += t.count;
    return n;
  }
}

/** Streams a mark into a set, checking `signal` every thousand digests. */
export async function markFrom(source: AsyncIterable<string>, signal?: AbortSignal): Promise<MarkSet> {
  const mark = new MarkSet();
  let n = 0;
  for await (const d of source) {
    mark.add(d);
    if (++n % 1000 === 0) signal?.throwIfAborted();
  }
  signal?.throwIfAborted();
  return mark;
}
