/**
 * A case-insensitive Aho–Corasick automaton over bytes: one pass over a
 * buffer finds every occurrence of every keyword. This is the scanner's
 * prefilter; text without a keyword costs one table lookup per byte.
 */
/** Keyword occurrences of one scan: `end[i]` is the offset just past occurrence i of keyword `keyword[i]`. */
export class Hits {
  end = new Int32Array(1024);
  keyword = new Int32Array(1024);
  length = 0;

  push(end: number, keyword: number): void {
    if (this.length === this.end.length) {
      const e = new Int32Array(this.length * 2);
      const k = new Int32Array(this.length * 2);
      e.set(this.end);
      k.set(this.keyword);
      this.end = e;
      this.keyword = k;
    }
    this.end[this.length] = end;
    this.keyword[this.length++] = keyword;
  }
}

export interface KeywordMatcher {
  readonly keywords: readonly string[];
  /** Appends every occurrence ending in buf[from, to) to `hits` (which it clears first). */
  scan(buf: Uint8Array, from: number, to: number, hits: Hits): void;
}

export function keywordMatcher(keywords: readonly string[]): KeywordMatcher {
  const words = keywords.map((k) => k.toLowerCase());
  const children: Map<number, number>[] = [new Map()];
  const outs: number[][] = [[]];
  for (const [i, w] of words.entries()) {
    let s = 0;
    for (let j = 0; j < w.length; j++) {
      const c = w.charCodeAt(j);
      if (c > 0x7f) throw new RangeError(`keyword "${w}" is not ASCII`);
      let n = children[s]!.get(c);
      if (n === undefined) {
        n = children.length;
        children.push(new Map());
        outs.push([]);
        children[s]!.set(c, n);
      }
      s = n;
    }
    outs[s]!.push(i);
  }
  const states = children.length;
  if (states > 0xffff) throw new RangeError('too many keyword states');
  const next = new Uint16Array(states * 256);
  const fail = new Uint32Array(states);
  const queue: number[] = [];
  for (const [c, n] of children[0]!) {
    next[c] = n;
    queue.push(n);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q]!;
    outs[s]!.push(...outs[fail[s]!]!);
    for (let c = 0; c < 256; c++) {
      const n = children[s]!.get(c);
      if (n !== undefined) {
        fail[n] = next[fail[s]! * 256 + c]!;
        next[s * 256 + c] = n;
        queue.push(n);
      } else {
        next[s * 256 + c] = next[fail[s]! * 256 + c]!;
      }
    }
  }
  // Fold case: an upper-case letter moves like its lower-case form.
  for (let s = 0; s < states; s++) {
    for (let c = 0x41; c <= 0x5a; c++) next[s * 256 + c] = next[s * 256 + c + 0x20]!;
  }
  const terminal = new Uint8Array(states);
  for (let s = 0; s < states; s++) terminal[s] = outs[s]!.length > 0 ? 1 : 0;
  const output = outs.map((o) => Int32Array.from(o));

  const scan = (buf: Uint8Array, from: number, to: number, hits: Hits): void => {
    hits.length = 0;
    const table = next;
    const term = terminal;
    let s = 0;
    for (let i = from; i < to; i++) {
      s = table[(s << 8) | buf[i]!]!;
      if (term[s] !== 0) {
        // An indexed loop: iterating a typed array with for…of is slow in this hot path.
        const out = output[s]!;
        for (let j = 0; j < out.length; j++) hits.push(i + 1, out[j]!);
      }
    }
  };
  return { keywords: words, scan };
}
