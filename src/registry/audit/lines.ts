/**
 * Writing a stream of events to a Node writable as lines, a page of lines
 * per write, waiting for `drain` when the writable says so: memory stays
 * bounded by one page however long the export.
 */
import type { Writable } from 'node:stream';
import { MamoriError } from '../../core/index.js';
import type { AuditEvent } from './event.js';

const LINES_PER_WRITE = 500;

function waitDrain(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown): void => {
      w.off('drain', onDrain);
      w.off('error', onError);
      w.off('close', onClose);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new MamoriError('IO', String(err)));
    };
    const onDrain = (): void => done();
    const onError = (e: unknown): void => done(e);
    const onClose = (): void => done(new MamoriError('IO', 'audit export: the output closed early'));
    w.on('drain', onDrain);
    w.on('error', onError);
    w.on('close', onClose);
  });
}

async function put(w: Writable, chunk: string): Promise<void> {
  if (w.destroyed || w.writableEnded) throw new MamoriError('IO', 'audit export: the output is closed');
  if (!w.write(chunk)) await waitDrain(w);
}

/** Writes `format(event) + '\n'` for each event; returns how many. Does not end the writable. */
export async function writeLines(
  events: AsyncIterable<AuditEvent>,
  w: Writable,
  format: (e: AuditEvent) => string,
): Promise<number> {
  let n = 0;
  let chunk: string[] = [];
  for await (const e of events) {
    chunk.push(format(e));
    n++;
    if (chunk.length >= LINES_PER_WRITE) {
      await put(w, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) await put(w, chunk.join('\n') + '\n');
  return n;
}
