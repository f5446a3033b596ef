import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PatternScanner } from './analysis.js';

test('PatternScanner finds byte strings inside chunks and across chunk boundaries', () => {
  const magic = Buffer.from('\xff Go buildinf:', 'latin1');
  const data = Buffer.concat([Buffer.alloc(1000, 7), magic, Buffer.alloc(1000, 9)]);
  for (const size of [1, 3, 7, 14, 15, 64, 1000, 5000]) {
    const s = new PatternScanner([magic, Buffer.from('.dep-v0')]);
    for (let i = 0; i < data.length; i += size) s.feed(data.subarray(i, i + size));
    assert.deepEqual([...s.found], [0], `chunk size ${size}`);
  }
});

test('PatternScanner agrees with indexOf on the whole buffer, for any split', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(300), { maxLength: 8 }),
      (bytes, pat, cuts) => {
        const data = Buffer.from(bytes);
        const s = new PatternScanner([pat]);
        const points = [...new Set([0, ...cuts.filter((c) => c < data.length), data.length])].sort(
          (a, b) => a - b,
        );
        for (let i = 0; i + 1 < points.length; i++) s.feed(data.subarray(points[i], points[i + 1]));
        assert.equal(s.found.has(0), data.indexOf(Buffer.from(pat)) !== -1);
      },
    ),
    { numRuns: 3000 },
  );
});
