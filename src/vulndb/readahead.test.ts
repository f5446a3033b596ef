import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BufferSource } from '../inventory/bytesource.js';
import { ReadaheadSource } from './readahead.js';

test('reads through the window return exactly what the source holds', async () => {
  const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) % 251));
  const plain = new BufferSource(bytes);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: -10, max: 10_100 }), fc.integer({ min: -5, max: 3000 })), {
        maxLength: 40,
      }),
      fc.integer({ min: 16, max: 4096 }),
      async (reads, window) => {
        const ahead = new ReadaheadSource(plain, window, 2);
        // Concurrent reads, as the zip importer makes them.
        const got = await Promise.all(reads.map(([o, n]) => ahead.read(o, n)));
        const want = await Promise.all(reads.map(([o, n]) => plain.read(o, n)));
        assert.deepEqual(got, want);
      },
    ),
    { numRuns: 200 },
  );
});
