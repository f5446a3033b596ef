/**
 * A ByteSource that reads ahead in large windows: the ZIP reader asks for
 * every entry's header and data in small reads, and a feed zip holds
 * hundreds of thousands of entries read in file order. Reads that fall in
 * a recent window are served from memory; larger ones go straight through.
 * Memory is bounded by `windowBytes * keep`.
 */
import type { ByteSource } from '../inventory/index.js';

interface Window {
  readonly start: number;
  readonly end: number;
  readonly data: Promise<Buffer>;
}

export class ReadaheadSource implements ByteSource {
  readonly size: number;
  private windows: Window[] = [];

  constructor(
    private readonly inner: ByteSource,
    private readonly windowBytes = 1024 * 1024,
    private readonly keep = 3,
  ) {
    this.size = inner.size;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.max(start, Math.min(this.size, offset + Math.max(0, length)));
    if (end - start > this.windowBytes / 2) return this.inner.read(start, end - start);
    let w = this.windows.find((x) => x.start <= start && end <= x.end);
    if (!w) {
      const wEnd = Math.min(this.size, start + this.windowBytes);
      w = { start, end: wEnd, data: this.inner.read(start, wEnd - start) };
      this.windows.push(w);
      if (this.windows.length > this.keep) this.windows = this.windows.slice(-this.keep);
    }
    const data = await w.data;
    // A short read (the file shrank) yields what there is, as the inner source would.
    return data.subarray(start - w.start, Math.min(data.length, end - w.start));
  }
}
