import type { DropEvent } from '../model/index.js';
import type { SensorOutput } from './types.js';

export type DropSource = DropEvent['source'];

/**
 * A bounded event queue with drop accounting. Events beyond `capacity` are
 * dropped and counted; drops (from any source) are reported to the consumer
 * as DropEvents ahead of the next event and never take queue space, so a
 * drop is never itself dropped.
 */
export class BoundedQueue implements AsyncIterable<SensorOutput> {
  readonly dropped: Record<DropSource, number> = { kernel: 0, queue: 0, parse: 0 };
  delivered = 0;
  private readonly items: SensorOutput[] = [];
  private head = 0;
  private readonly unreported: Record<DropSource, number> = { kernel: 0, queue: 0, parse: 0 };
  private waiter: ((r: IteratorResult<SensorOutput>) => void) | undefined;
  private closed = false;

  constructor(readonly capacity: number) {}

  push(ev: SensorOutput): void {
    if (this.closed) return;
    if (this.items.length - this.head >= this.capacity) {
      this.drop('queue', 1);
      return;
    }
    this.items.push(ev);
    this.wake();
  }

  drop(source: DropSource, count: number): void {
    if (count <= 0) return;
    this.dropped[source] += count;
    this.unreported[source] += count;
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private take(): SensorOutput | undefined {
    for (const source of ['kernel', 'queue', 'parse'] as const) {
      const count = this.unreported[source];
      if (count > 0) {
        this.unreported[source] = 0;
        return { kind: 'drop', time: Date.now(), source, count };
      }
    }
    if (this.head >= this.items.length) return undefined;
    const ev = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as SensorOutput;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.delivered++;
    return ev;
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    const ev = this.take();
    if (ev !== undefined) {
      this.waiter = undefined;
      w({ value: ev, done: false });
    } else if (this.closed) {
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<SensorOutput>> {
    const ev = this.take();
    if (ev !== undefined) return Promise.resolve({ value: ev, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('one consumer at a time'));
    return new Promise((resolve) => (this.waiter = resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<SensorOutput> {
    return { next: () => this.next() };
  }
}
