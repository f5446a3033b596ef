/**
 * The event stream file: JSON lines appended to `--events-out`, written by
 * one writer loop from a bounded queue. A record that does not fit in the
 * queue is dropped and counted (`onDrop`); drop summaries are `essential`
 * and have a reserve of their own, so the loss is always reported in the
 * stream itself. Each batch is handed to the kernel as soon as the previous
 * one is written; close() writes what is queued and fsyncs.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { MamoriError, errorMessage } from '../../core/errors.js';
import type { StreamRecord } from './types.js';

export interface StreamWriterOptions {
  /** Records waiting to be written before new ones are dropped (default 50 000). */
  readonly maxQueued?: number;
  /** Bytes waiting to be written before new records are dropped (default 64 MiB). */
  readonly maxQueuedBytes?: number;
  /** Longest line written (default 1 MiB); longer records are dropped. */
  readonly maxLineBytes?: number;
  /** Told how many records were lost (queue full, too long, write failed). */
  readonly onDrop?: (count: number) => void;
  /** Told about write failures (once per failing batch). */
  readonly onError?: (e: MamoriError) => void;
}

const ESSENTIAL_RESERVE = 1024;
const BATCH_BYTES = 1 << 20;

export class StreamWriter {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private closed = false;
  private readonly maxQueued: number;
  private readonly maxBytes: number;
  private readonly maxLine: number;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly opts: StreamWriterOptions,
  ) {
    this.maxQueued = opts.maxQueued ?? 50_000;
    this.maxBytes = opts.maxQueuedBytes ?? 64 << 20;
    this.maxLine = opts.maxLineBytes ?? 1 << 20;
  }

  /** Opens (creates, mode 0600) `path` for appending. */
  static async open(path: string, opts: StreamWriterOptions = {}): Promise<StreamWriter> {
    try {
      return new StreamWriter(await open(path, 'a', 0o600), path, opts);
    } catch (e) {
      throw new MamoriError('IO', `cannot open the event stream ${path}: ${errorMessage(e)}`, { cause: e });
    }
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues one record; false when it was dropped (and counted). */
  write(record: StreamRecord, essential = false): boolean {
    if (this.closed) return false;
    const line = JSON.stringify(record) + '\n';
    const limit = essential ? this.maxQueued + ESSENTIAL_RESERVE : this.maxQueued;
    if (
      line.length > this.maxLine ||
      this.queue.length >= limit ||
      (!essential && this.queuedBytes + line.length > this.maxBytes)
    ) {
      this.opts.onDrop?.(1);
      return false;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.kick();
    return true;
  }

  private kick(): void {
    if (this.writing !== undefined) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.queue.length && (n === 0 || bytes + (this.queue[n]?.length ?? 0) <= BATCH_BYTES)) {
        bytes += this.queue[n]?.length ?? 0;
        n++;
      }
      const batch = this.queue.splice(0, n);
      this.queuedBytes -= bytes;
      try {
        await this.fh.write(batch.join(''));
      } catch (e) {
        this.opts.onDrop?.(batch.length);
        this.opts.onError?.(
          new MamoriError('IO', `event stream ${this.path}: ${errorMessage(e)}`, { cause: e }),
        );
      }
    }
  }

  /** Writes what is queued, fsyncs and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await this.writing;
    await this.fh.sync().catch(() => undefined);
    await this.fh.close();
  }
}
