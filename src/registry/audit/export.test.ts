import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { type AuditEvent, openAuditLog, toSyslog } from './index.js';
import { type TempStore, tempStore } from './testing.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A slow sink with a small buffer: honours backpressure or piles up in memory. */
class Sink extends Writable {
  lines = 0;
  bytes = 0;
  first: string | undefined;
  last = '';
  peak = 0;
  constructor(
    private readonly base: number,
    private readonly sampleEvery: number,
  ) {
    super({ highWaterMark: 16 * 1024, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const lines = chunk.split('\n').filter((l) => l !== '');
    this.first ??= lines[0];
    this.last = lines[lines.length - 1] ?? this.last;
    const before = Math.floor(this.lines / this.sampleEvery);
    this.lines += lines.length;
    this.bytes += Buffer.byteLength(chunk);
    if (Math.floor(this.lines / this.sampleEvery) !== before) {
      this.peak = Math.max(this.peak, retainedHeap() - this.base);
    }
    setImmediate(cb);
  }
}

describe('audit export', () => {
  let t: TempStore;
  before(async () => {
    t = await tempStore('audit-export');
  });
  after(() => t.cleanup());

  it('streams 20,000 events as JSON lines a page at a time, with flat memory', async () => {
    const log = await openAuditLog(t.store, { now: () => 1_700_000_000_000 });
    const detail = 'd'.repeat(600);
    for (let i = 0; i < 20_000; i++) {
      log.record({
        actor: `user${i % 50}`,
        remote: '192.0.2.1',
        action: 'pull',
        resource: {
          repository: `p${i % 4}/app`,
          project: `p${i % 4}`,
          reference: `sha256:${String(i).padStart(64, '0')}`,
        },
        result: 'success',
        detail: `${i} ${detail}`,
      });
      // Requests arrive over many event-loop turns, which is when batches go out.
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    log.record({ action: 'other', result: 'success' });
    await log.flush();
    const base = retainedHeap();
    const sink = new Sink(base, 2_000);
    const n = await log.exportJsonLines({ action: 'pull' }, sink);
    assert.equal(n, 20_000);
    assert.equal(sink.lines, 20_000);
    const first = JSON.parse(sink.first ?? '') as AuditEvent;
    const last = JSON.parse(sink.last) as AuditEvent;
    assert.equal(first.detail, `0 ${detail}`);
    assert.equal(last.detail, `19999 ${detail}`);
    assert.ok(last.id > first.id);
    // The output is ~14 MB; holding the 20,000 events grows the heap by ~23 MB, paging by ~4 MB.
    assert.ok(sink.bytes > 13_000_000, `output ${sink.bytes} bytes`);
    assert.ok(sink.peak < 10_000_000, `retained heap grew by ${sink.peak} bytes during the export`);

    const onlyP1 = new Sink(base, Number.MAX_SAFE_INTEGER);
    assert.equal(await log.exportJsonLines({ project: 'p1', since: 0 }, onlyP1), 5_000);
    await log.close();
  });

  it('exports RFC 5424 lines and stops at the events stored when it began', async () => {
    const log = await openAuditLog(t.store, { now: () => 1_700_000_000_000 });
    for (let i = 0; i < 3; i++) log.record({ actor: 'ann', action: 'syslog.export', result: 'denied' });
    const out: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk.toString());
        // Events recorded during the export are not part of it.
        log.record({ actor: 'ann', action: 'syslog.export', result: 'denied' });
        cb();
      },
    });
    const n = await log.exportSyslog({ action: 'syslog.export' }, sink, { hostname: 'reg1', procId: 7 });
    assert.equal(n, 3);
    const lines = out
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    const events = (await log.query({ action: 'syslog.export', order: 'oldest-first' })).events;
    assert.deepEqual(
      lines,
      events.slice(0, 3).map((e) => toSyslog(e, { hostname: 'reg1', procId: 7 })),
    );
    assert.match(
      lines[0] ?? '',
      /^<84>1 2023-11-14T22:13:20\.000Z reg1 mamori 7 syslog\.export \[mamori@32473 id="\d+" actor="ann"/,
    );
    await log.close();
  });

  it('fails cleanly when the output is destroyed mid-way', async () => {
    const log = await openAuditLog(t.store);
    for (let i = 0; i < 1200; i++) log.record({ action: 'broken.pipe', result: 'success' });
    const sink = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        setImmediate(() => {
          sink.destroy();
          cb();
        });
      },
    });
    sink.on('error', () => undefined);
    await assert.rejects(log.exportJsonLines({ action: 'broken.pipe' }, sink), /closed/);
    await log.close();
  });
});
