// A 2 GiB blob streamed through put and read back: resident memory must not
// grow with the blob. Asserts a memory bound, never a duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createFsBlobStore } from './index.js';
import { tempDir } from './testdata/helpers.js';

const MiB = 1024 * 1024;
const TOTAL = 2048 * MiB;
/** Allowed RSS growth: an eighth of the blob, far below what buffering it would take. */
const RSS_BOUND = 256 * MiB;

test('a 2 GiB blob streams in and out with bounded memory', async (t) => {
  const store = await createFsBlobStore(await tempDir(t));
  const base = createHash('sha512').update('mamori').digest();
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i += base.length) base.copy(block, i);
  const rss = { base: process.memoryUsage().rss, max: 0 };
  const sample = (): void => {
    rss.max = Math.max(rss.max, process.memoryUsage().rss);
  };
  async function* generate(hash?: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
    for (let i = 0; i < TOTAL / MiB; i++) {
      const chunk = Buffer.from(block);
      chunk.writeUInt32BE(i, 0);
      hash?.update(chunk);
      if (i % 32 === 0) sample();
      yield chunk;
    }
  }
  // The digest is needed up front: a first pass hashes the same generator.
  const pre = createHash('sha256');
  for await (const _ of generate(pre)) void _;
  const digest = `sha256:${pre.digest('hex')}`;
  rss.base = process.memoryUsage().rss;
  rss.max = rss.base;

  const started = performance.now();
  const stored = await store.put(digest, generate(), TOTAL);
  const putMs = performance.now() - started;
  assert.deepEqual(stored, { digest, size: TOTAL });
  const putGrowth = rss.max - rss.base;

  const opened = await store.open(digest);
  assert.ok(opened);
  const h = createHash('sha256');
  let n = 0;
  const readStarted = performance.now();
  for await (const chunk of opened.stream) {
    h.update(chunk as Buffer);
    if (++n % 64 === 0) sample();
  }
  const readMs = performance.now() - readStarted;
  assert.equal(`sha256:${h.digest('hex')}`, digest);
  const growth = rss.max - rss.base;
  t.diagnostic(
    `put ${(putMs / 1000).toFixed(1)} s (${(TOTAL / MiB / (putMs / 1000)).toFixed(0)} MiB/s), ` +
      `read ${(readMs / 1000).toFixed(1)} s; RSS base ${(rss.base / MiB).toFixed(0)} MiB, ` +
      `growth during put ${(putGrowth / MiB).toFixed(1)} MiB, overall ${(growth / MiB).toFixed(1)} MiB`,
  );
  assert.ok(growth < RSS_BOUND, `RSS grew by ${(growth / MiB).toFixed(0)} MiB for a 2 GiB blob`);
  assert.equal(await store.delete(digest), true);
});
