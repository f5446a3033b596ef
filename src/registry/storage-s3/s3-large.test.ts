// A 64 MiB blob streamed into the bucket (multipart, 8 MiB parts) and read
// back: memory must stay bounded by the parts in flight, not grow with the
// blob. The S3 server runs in another process, so only the driver's memory is
// measured. Asserts a memory bound, never a duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startS3 } from './testdata/server.js';
import { bucketKeys, openStore } from './testdata/helpers.js';

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
/**
 * Allowed growth of live memory: the multipart upload holds up to two 8 MiB
 * parts in flight and one being filled; buffering the blob would take 64 MiB
 * or more.
 */
const BOUND = 48 * MiB;

/**
 * The garbage collector, so that samples measure memory still referenced
 * rather than garbage not yet collected (at this size the two are similar).
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('a 64 MiB blob streams into S3 and back with bounded memory', async (t) => {
  const s3 = await startS3(t);
  const store = await openStore(t, s3);
  const block = Buffer.alloc(MiB, 'mamori');
  function chunk(i: number): Buffer {
    const c = Buffer.from(block);
    c.writeUInt32BE(i, 0);
    return c;
  }
  const pre = createHash('sha256');
  for (let i = 0; i < TOTAL / MiB; i++) pre.update(chunk(i));
  const digest = `sha256:${pre.digest('hex')}`;
  async function* generate(): AsyncGenerator<Buffer> {
    for (let i = 0; i < TOTAL / MiB; i++) yield chunk(i);
  }

  const gc = exposeGc();
  gc();
  const base = process.memoryUsage();
  const peak = { rss: base.rss, buffers: base.arrayBuffers, heap: base.heapUsed };
  const sample = (): void => {
    gc();
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.buffers = Math.max(peak.buffers, m.arrayBuffers);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  const timer = setInterval(sample, 25);
  t.after(() => clearInterval(timer));

  assert.deepEqual(await store.put(digest, generate(), TOTAL), { digest, size: TOTAL });
  sample();
  const putPeak = { ...peak };
  assert.deepEqual(await bucketKeys(s3), [`registry/blobs/sha256/${digest.slice(7)}`]);

  const opened = await store.open(digest);
  assert.ok(opened);
  assert.equal(opened.size, TOTAL);
  const h = createHash('sha256');
  for await (const c of opened.stream) h.update(c as Buffer);
  clearInterval(timer);
  assert.equal(`sha256:${h.digest('hex')}`, digest);

  const growth = {
    rss: peak.rss - base.rss,
    buffers: peak.buffers - base.arrayBuffers,
    heap: peak.heap - base.heapUsed,
  };
  const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;
  t.diagnostic(
    `growth during put: buffers ${mib(putPeak.buffers - base.arrayBuffers)}, rss ${mib(putPeak.rss - base.rss)}; ` +
      `overall: buffers ${mib(growth.buffers)}, heap ${mib(growth.heap)}, rss ${mib(growth.rss)}`,
  );
  assert.ok(growth.buffers < BOUND, `buffer memory grew by ${mib(growth.buffers)}`);
  assert.ok(growth.heap < BOUND, `heap grew by ${mib(growth.heap)}`);
  // RSS also holds freed pages the allocator keeps: bounded by the blob size.
  assert.ok(growth.rss < TOTAL, `RSS grew by ${mib(growth.rss)}`);
});
