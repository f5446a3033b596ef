import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Progress } from './progress.js';

function fakeTty() {
  const writes: string[] = [];
  const stream = { columns: 80, isTTY: true, write: (s: string) => writes.push(s) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, writes };
}

test('shows layers done, cached layers and bytes on one line, then clears it', () => {
  const { stream, writes } = fakeTty();
  const p = new Progress(stream, true);
  p.onEvent({ phase: 'resolve', ref: 'oci:/x' });
  p.onEvent({ phase: 'layers', total: 2, totalBytes: 2_000_000 });
  p.onEvent({ phase: 'layer-start', index: 0, cached: true });
  p.onEvent({ phase: 'layer-done', index: 0 });
  p.onEvent({ phase: 'layer-start', index: 1, cached: false });
  p.onEvent({ phase: 'bytes', index: 1, bytes: 1_000_000 });
  p.onEvent({ phase: 'layer-done', index: 1 });
  p.onEvent({ phase: 'catalog' });
  const last = writes.at(-1) ?? '';
  assert.match(last, /cataloging · layer 2\/2 \(1 cached\) · 1\.0 MB \/ 2\.0 MB/);
  assert.ok(
    writes.every((w) => w.startsWith('\r\x1b[2K')),
    'each update rewrites the same line',
  );
  p.clear();
  assert.equal(writes.at(-1), '\r\x1b[2K');
});

test('writes nothing when disabled (not a terminal, or --quiet)', () => {
  const { stream, writes } = fakeTty();
  const p = new Progress(stream, false);
  p.onEvent({ phase: 'layers', total: 1 });
  p.onEvent({ phase: 'layer-done', index: 0 });
  p.clear();
  assert.deepEqual(writes, []);
});
